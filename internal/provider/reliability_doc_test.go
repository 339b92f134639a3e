package provider_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	reliabilityDoc = "../../RELIABILITY.md"
	genBegin       = "<!-- BEGIN GENERATED from the test tables: ITCARE_WRITE_RELIABILITY=1 go test ./internal/provider -run TestReliabilityDoc -->"
	genEnd         = "<!-- END GENERATED -->"
)

// readablePattern turns an expected-error regexp into the text it looks for.
func readablePattern(re string) string {
	r := strings.NewReplacer(`(?s)`, "", `\s+`, " ", `.*`, " … ", `\.`, ".", `\d+`, "N", `\(`, "(", `\)`, ")", `\?`, "?", "|", " or ")
	return strings.TrimSpace(r.Replace(re))
}

// generatedTables renders the rows of transientFaults, badConfigs and
// badAnswers, so that RELIABILITY.md lists exactly what the tests try.
func generatedTables() string {
	var b strings.Builder
	b.WriteString("### Transient faults in every phase (`TestAccReliability_transientFaults/<fault>`)\n\n")
	b.WriteString("| fault | create request | create's action polls | refresh (instance read) | delete request and its polls |\n|---|---|---|---|---|\n")
	for _, tf := range transientFaults {
		create := "retried; one apply converges; one create action"
		if tf.createError != "" {
			create = "not resent (ITCare may have it); the apply fails: _" + readablePattern(tf.createError) + "_; nothing created or recorded; the next apply converges"
		}
		fmt.Fprintf(&b, "| `%s` | %s | retried; converges | retried; no write, empty plan | retried; one delete action; instance gone |\n",
			strings.ReplaceAll(tf.name, " ", "_"), create)
	}
	b.WriteString("\n### Invalid configurations (`TestAccReliability_badConfigurations`)\n\n")
	b.WriteString("| case | input | result |\n|---|---|---|\n")
	for _, c := range badConfigs {
		var in []string
		// Sorted: the document must not depend on map order.
		for _, k := range slices.Sorted(maps.Keys(c.overrides)) {
			v := c.overrides[k]
			switch {
			case v == "":
				in = append(in, k+" removed")
				continue
			case len(v) > 40:
				v = v[:20] + fmt.Sprintf("…(%d chars)", len(v))
			}
			in = append(in, k+" = "+v)
		}
		where := "refused at plan time, no request sent"
		if c.apply {
			where = "only ITCare can judge it: the create is refused (400), the error is attached to the attribute, nothing is created"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s: _%s_ |\n", c.name, strings.ReplaceAll(strings.Join(in, "; "), "|", `\|`), where, readablePattern(c.re))
	}
	b.WriteString("\n### Answers the API documentation does not describe (`TestAccReliability_badAnswers/<case>`)\n\n")
	b.WriteString("| case | phase | result |\n|---|---|---|\n")
	for _, a := range badAnswers {
		res := "got past: the apply converges with one instance"
		if a.re != "" {
			res = "error naming the call: _" + readablePattern(a.re) + "_; the state is intact and the next run converges"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", strings.ReplaceAll(a.name, " ", "_"), a.phase, res)
	}
	return b.String()
}

// TestReliabilityDoc keeps RELIABILITY.md true: its generated section is
// what the test tables hold, and every test it names exists (a subtest
// name must be a row of the test's table, see tableCases).
func TestReliabilityDoc(t *testing.T) {
	raw, err := os.ReadFile(reliabilityDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, genBegin), strings.Index(doc, genEnd)
	if i < 0 || j < i {
		t.Fatalf("RELIABILITY.md has no generated section (%q … %q)", genBegin, genEnd)
	}
	want := genBegin + "\n\n" + generatedTables() + "\n" + genEnd
	if got := doc[i : j+len(genEnd)]; got != want {
		if os.Getenv("ITCARE_WRITE_RELIABILITY") == "1" {
			doc = doc[:i] + want + doc[j+len(genEnd):]
			if err := os.WriteFile(reliabilityDoc, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Error("RELIABILITY.md's generated section is out of date: run ITCARE_WRITE_RELIABILITY=1 go test ./internal/provider -run TestReliabilityDoc")
		}
	}

	// Every test function of the module, with its file's text.
	sources := map[string]string{}
	err = filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)\w+)\(`).FindAllStringSubmatch(string(b), -1) {
				sources[m[1]] = string(b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)(/[^`]+)?`").FindAllStringSubmatch(doc, -1)
	if len(names) < 20 {
		t.Fatalf("RELIABILITY.md names %d tests, want every test it reports on", len(names))
	}
	cases := tableCases()
	for _, m := range names {
		src, ok := sources[m[1]]
		if !ok {
			t.Errorf("RELIABILITY.md names %s, which no test file defines", m[1])
			continue
		}
		sub := strings.TrimPrefix(m[2], "/")
		if sub == "" || sub == "<fault>" || sub == "<case>" {
			continue
		}
		if rows, ok := cases[m[1]]; ok {
			if !slices.Contains(rows, sub) {
				t.Errorf("RELIABILITY.md names %s%s, but %s's table has no such row", m[1], m[2], m[1])
			}
			continue
		}
		// t.Run names replace spaces by underscores: a case is either.
		if !strings.Contains(src, `"`+strings.ReplaceAll(sub, "_", " ")+`"`) && !strings.Contains(src, `"`+sub+`"`) {
			t.Errorf("RELIABILITY.md names %s%s, but %s has no such case", m[1], m[2], m[1])
		}
	}
}

// tableCases maps each table-driven test to its subtests: the rows of its
// table, named as its t.Run names them.
func tableCases() map[string][]string {
	sub := func(name string) string { return strings.ReplaceAll(name, " ", "_") }
	cases := map[string][]string{}
	for _, tf := range transientFaults {
		cases["TestAccReliability_transientFaults"] = append(cases["TestAccReliability_transientFaults"], sub(tf.name))
		cases["TestAccReliability_updateTransientFaults"] = append(cases["TestAccReliability_updateTransientFaults"], sub(tf.name))
	}
	for _, a := range badAnswers {
		cases["TestAccReliability_badAnswers"] = append(cases["TestAccReliability_badAnswers"], sub(a.name))
	}
	for _, pc := range patchCases {
		cases["TestAccReliability_updateActionFailsOrHangs"] = append(cases["TestAccReliability_updateActionFailsOrHangs"], pc.op)
	}
	return cases
}
