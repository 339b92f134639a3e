package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// nodeFileSystemsAsState is what the emulator's API shows of the file
// systems of node i (in name order) of an instance, as the
// itcare_postgresql_nodes data source records them.
func nodeFileSystemsAsState(e *acctest.Emulator, id int64, i int) (any, error) {
	nodes, ok := e.NodeViews(id)
	if !ok {
		return nil, fmt.Errorf("emulator has no instance %d", id)
	}
	slices.SortFunc(nodes, func(a, b emulator.Node) int { return strings.Compare(a.Name, b.Name) })
	if i >= len(nodes) {
		return nil, fmt.Errorf("instance %d has %d nodes", id, len(nodes))
	}
	fss := slices.Clone(nodes[i].StorageInformation.FileSystems)
	slices.SortFunc(fss, func(a, b emulator.FileSystem) int { return strings.Compare(a.MountingPoint, b.MountingPoint) })
	out := []any{}
	for _, fs := range fss {
		out = append(out, map[string]any{"mount_point": fs.MountingPoint, "type": fs.Type, "size": fs.SizeOf, "free": fs.Free})
	}
	return out, nil
}

// fromNodeFileSystems checks the file systems of node i of an instance
// against the emulator's, read when the check runs.
func fromNodeFileSystems(e *acctest.Emulator, id int64, i int) knownvalue.Check {
	return emulatorSays{what: fmt.Sprintf("file systems of node %d", i), want: func() (any, error) {
		return nodeFileSystemsAsState(e, id, i)
	}}
}

// nodeFileSystemChecks checks every node's file systems of the data source
// at addr against the emulator's.
func nodeFileSystemChecks(e *acctest.Emulator, addr string, id int64, nodes int) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for i := range nodes {
		out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New("nodes").AtSliceIndex(i).AtMapKey("file_systems"), fromNodeFileSystems(e, id, i)))
	}
	return out
}

func TestAccPostgreSQLNodesDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	p := seedPair(t, e)

	node := knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"id":                knownvalue.NotNull(),
		"name":              knownvalue.NotNull(),
		"status":            knownvalue.StringExact("ACTIVE"),
		"ip_address":        knownvalue.StringRegexp(regexp.MustCompile(`^10\.20\.1\.\d+$`)),
		"cpu":               knownvalue.Int64Exact(2),
		"ram":               knownvalue.Int64Exact(4),
		"os_name":           knownvalue.NotNull(),
		"os_type":           knownvalue.NotNull(),
		"area":              knownvalue.StringExact("EB-QA"),
		"availability_zone": knownvalue.StringRegexp(regexp.MustCompile(`^EB-QA-[AB]$`)),
		"region":            knownvalue.StringExact("EB"),
		"data_center":       knownvalue.StringRegexp(regexp.MustCompile(`^EB[45]$`)),
		"network_id":        knownvalue.Int64Exact(2001),
		"file_systems": knownvalue.ListExact([]knownvalue.Check{
			knownvalue.ObjectPartial(map[string]knownvalue.Check{"mount_point": knownvalue.StringExact("/")}),
			knownvalue.ObjectPartial(map[string]knownvalue.Check{"mount_point": knownvalue.StringExact("/var/lib/postgresql"), "size": knownvalue.Int64Exact(40)}),
		}),
	})
	std, ha := "data.itcare_postgresql_nodes.std", "data.itcare_postgresql_nodes.ha"
	config := e.Config(fmt.Sprintf(`
data "itcare_postgresql_nodes" "std" {
  instance_id = "%d"
}

data "itcare_postgresql_nodes" "ha" {
  instance_id = "%d"
}

output "ha_names" {
  value = data.itcare_postgresql_nodes.ha.nodes[*].name
}

output "ha_zones" {
  value = distinct(data.itcare_postgresql_nodes.ha.nodes[*].availability_zone)
}
`, p.std.ID, p.ha.ID))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(append(append([]statecheck.StateCheck{}, nodeFileSystemChecks(e, std, p.std.ID, 1)...), nodeFileSystemChecks(e, ha, p.ha.ID, 3)...),
				statecheck.ExpectKnownValue(std, tfjsonpath.New("instance_id"), knownvalue.StringExact(fmt.Sprint(p.std.ID))),
				statecheck.ExpectKnownValue(std, tfjsonpath.New("nodes"), knownvalue.ListExact([]knownvalue.Check{node})),
				statecheck.ExpectKnownValue(ha, tfjsonpath.New("nodes"), knownvalue.ListExact([]knownvalue.Check{node, node, node})),
				// Named from the node prefix, in name order.
				statecheck.ExpectKnownOutputValue("ha_names", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("PGNODE01"), knownvalue.StringExact("PGNODE02"), knownvalue.StringExact("PGNODE03"),
				})),
				// An HA instance spans both zones of its area.
				statecheck.ExpectKnownOutputValue("ha_zones", knownvalue.ListSizeExact(2)),
			),
		}, {
			// The disk grew in the console: the data file system follows.
			PreConfig: func() {
				if err := e.UpdateInstance(p.std.ID, map[string]any{"storage": 100}); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigStateChecks: append(nodeFileSystemChecks(e, std, p.std.ID, 1),
				statecheck.ExpectKnownValue(std, tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("file_systems").AtSliceIndex(1).AtMapKey("size"), knownvalue.Int64Exact(100))),
		}},
	})
}

// TestAccPostgreSQLNodesDataSource_example applies the documented example:
// its fullest_file_system output names the file system the emulator shows
// fullest.
func TestAccPostgreSQLNodesDataSource_example(t *testing.T) {
	e := acctest.NewEmulator(t)
	in := seedStandalone(t, e, acctest.RandomName("pgexnodes"), "15")
	example, err := os.ReadFile("../../examples/data-sources/itcare_postgresql_nodes/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	hcl := strings.Replace(string(example), `"pgapp01"`, fmt.Sprintf("%q", in.Name), 1)
	if hcl == string(example) {
		t.Fatal(`the example no longer looks its instance up as "pgapp01"`)
	}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.ProviderConfig()+hcl, nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("apply: %v\n%s", err, run.Stderr)
	}
	outputs, err := run.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Node        string `json:"node"`
		MountPoint  string `json:"mount_point"`
		FreeGB      int64  `json:"free_gb"`
		UsedPercent int64  `json:"used_percent"`
	}
	if err := json.Unmarshal(outputs["fullest_file_system"].Value, &got); err != nil {
		t.Fatalf("fullest_file_system = %s: %v", outputs["fullest_file_system"].Value, err)
	}
	nodes, _ := e.NodeViews(in.ID)
	var want emulator.FileSystem
	wantUsed := int64(-1)
	for _, fs := range nodes[0].StorageInformation.FileSystems {
		if used := 100 * (fs.SizeOf - fs.Free) / fs.SizeOf; used > wantUsed {
			want, wantUsed = fs, used
		}
	}
	if got.Node != nodes[0].Name || got.MountPoint != want.MountingPoint || got.FreeGB != want.Free || got.UsedPercent != wantUsed {
		t.Errorf("fullest_file_system = %+v; the emulator's fullest is %s on %s, %d GB free, %d%% used", got, want.MountingPoint, nodes[0].Name, want.Free, wantUsed)
	}
}
