package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TestOperationSpecs keeps the operations table complete: every operation
// the client knows has a row, and every row names real attributes.
func TestOperationSpecs(t *testing.T) {
	clientOps := constantsWithPrefix(t, "../itcare/types.go", "Op")
	if len(clientOps) == 0 {
		t.Fatal("no Op* constant found in the client")
	}
	for _, name := range clientOps {
		if _, ok := operationSpecsByName[name]; !ok {
			t.Errorf("operation %q has no row in operationSpecs", name)
		}
	}
	if len(operationSpecsByName) != len(operationSpecs) {
		t.Errorf("operationSpecs has %d rows for %d names: a name is listed twice", len(operationSpecs), len(operationSpecsByName))
	}
	attrs := (&postgresqlResource{}).schemaAttributes(t)
	for _, s := range operationSpecs {
		for _, a := range s.settles {
			if _, ok := resourceFieldByAttribute[a]; !ok || !attrs[a] {
				t.Errorf("%s settles %q, which is not an attribute of the resource", s.name, a)
			}
		}
		if s.downtime != nil && !attrs[s.downtime.attr] {
			t.Errorf("%s warns on %q, which is not an attribute of the resource", s.name, s.downtime.attr)
		}
		if len(s.settles) == 0 && s.plan != nil {
			t.Errorf("%s is planned for updates but settles nothing: the state could never record it", s.name)
		}
	}
	if got := specOf("restart"); got.reached != nil || got.downtime != nil || len(got.settles) > 0 {
		t.Errorf("an unknown operation must know nothing, got %+v", got)
	}
}

// TestTemplatesNameEmittedSummaries keeps the docs' diagnostic summaries
// true: every Title Case phrase in italics, and every "Warning:" or
// "Error:" line of the templates, is a string the provider's code holds,
// and every downtime warning the docs name is one an operation emits.
func TestTemplatesNameEmittedSummaries(t *testing.T) {
	literals := stringLiterals(t, ".")
	// Emitted by terraform-plugin-framework itself, which the docs quote
	// so that users recognise it.
	literals["WriteOnly Attribute Not Allowed"] = true
	downtime := map[string]bool{}
	for _, s := range operationSpecs {
		if s.downtime != nil {
			downtime[s.downtime.summary] = true
		}
	}
	titleCase := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*( ([A-Z][A-Za-z0-9]*|to|the|of|for|a|an|in|on|with|and|or|by|at|from|as))+$`)
	italic := regexp.MustCompile(`(?:^|[^*])\*([^*]+)\*(?:[^*]|$)`)
	cliLine := regexp.MustCompile(`(?m)^(?:Warning|Error): (.+)$`)
	files, err := filepath.Glob("../../templates/*/*.tmpl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var phrases []string
		for _, m := range cliLine.FindAllStringSubmatch(string(raw), -1) {
			phrases = append(phrases, strings.TrimSpace(m[1]))
		}
		flat := strings.Join(strings.Fields(string(raw)), " ")
		for _, m := range italic.FindAllStringSubmatch(flat, -1) {
			if titleCase.MatchString(m[1]) {
				phrases = append(phrases, m[1])
			}
		}
		for _, p := range phrases {
			checked++
			if !literals[p] {
				t.Errorf("%s names the diagnostic %q, which the provider never emits", f, p)
			}
			if strings.HasSuffix(p, "Causes Downtime") && !downtime[p] {
				t.Errorf("%s names the downtime warning %q, which no operation emits", f, p)
			}
		}
	}
	if checked == 0 {
		t.Fatal("the templates name no diagnostic: the patterns no longer match them")
	}
}

// stringLiterals returns every string literal and string constant of the
// non-test Go files in dir.
func stringLiterals(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

// constantsWithPrefix returns the values of the string constants of file
// whose names start with prefix.
func constantsWithPrefix(t *testing.T, file, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, n := range v.Names {
				if !strings.HasPrefix(n.Name, prefix) || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// schemaAttributes returns the names of the resource's top-level attributes.
func (r *postgresqlResource) schemaAttributes(t *testing.T) map[string]bool {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	out := map[string]bool{}
	for name := range resp.Schema.Attributes {
		out[name] = true
	}
	return out
}
