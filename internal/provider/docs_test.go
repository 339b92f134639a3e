package provider

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The registry docs are generated from the schema and examples/: every
// resource and data source needs an example, and every attribute, nested
// ones included, a description. This test keeps `make docs` from
// producing an undocumented page.

const examplesDir = "../../examples"

func protocolSchemas(t *testing.T) *tfprotov6.GetProviderSchemaResponse {
	t.Helper()
	resp, err := NewServer("test")().GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("provider schema: %s: %s", d.Summary, d.Detail)
		}
	}
	return resp
}

func TestDocsExamplesExist(t *testing.T) {
	resp := protocolSchemas(t)
	mustExist := func(path string) {
		t.Helper()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("missing example %s: %v", path, err)
		}
	}
	mustExist(filepath.Join(examplesDir, "provider", "provider.tf"))
	if len(resp.ResourceSchemas) == 0 || len(resp.DataSourceSchemas) == 0 {
		t.Fatalf("the provider has %d resources and %d data sources", len(resp.ResourceSchemas), len(resp.DataSourceSchemas))
	}
	for _, name := range sortedKeys(resp.ResourceSchemas) {
		mustExist(filepath.Join(examplesDir, "resources", name, "resource.tf"))
		mustExist(filepath.Join(examplesDir, "resources", name, "import.sh"))
	}
	for _, name := range sortedKeys(resp.DataSourceSchemas) {
		mustExist(filepath.Join(examplesDir, "data-sources", name, "data-source.tf"))
	}
}

func TestDocsEveryAttributeDescribed(t *testing.T) {
	resp := protocolSchemas(t)
	checkBlock(t, "provider", resp.Provider.Block)
	for _, name := range sortedKeys(resp.ResourceSchemas) {
		checkBlock(t, name, resp.ResourceSchemas[name].Block)
	}
	for _, name := range sortedKeys(resp.DataSourceSchemas) {
		checkBlock(t, "data."+name, resp.DataSourceSchemas[name].Block)
	}
}

// checkBlock requires a description on a resource or data source block, on
// each of its attributes and blocks, and on every nested attribute.
func checkBlock(t *testing.T, where string, b *tfprotov6.SchemaBlock) {
	t.Helper()
	if b == nil {
		t.Errorf("%s: no schema", where)
		return
	}
	if where != "provider" && b.Description == "" {
		t.Errorf("%s: no description", where)
	}
	for _, a := range b.Attributes {
		checkAttribute(t, where+"."+a.Name, a)
	}
	for _, nb := range b.BlockTypes {
		checkBlock(t, where+"."+nb.TypeName, nb.Block)
	}
}

func checkAttribute(t *testing.T, where string, a *tfprotov6.SchemaAttribute) {
	t.Helper()
	if a.Description == "" {
		t.Errorf("%s: no description", where)
	}
	if a.NestedType != nil {
		for _, na := range a.NestedType.Attributes {
			checkAttribute(t, where+"."+na.Name, na)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
