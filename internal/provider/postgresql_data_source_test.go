package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// seededPair is a standalone and an HA instance made "in the console", the
// way the data sources usually meet instances they do not manage.
type seededPair struct {
	std, ha emulator.Instance
}

func seedStandalone(t *testing.T, e *acctest.Emulator, name, version string) emulator.Instance {
	t.Helper()
	in, err := e.SeedInstance(map[string]any{
		"name": name, "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": version, "topology": "STANDALONE",
		"admPassword": "Str0ng!Passw0rd",
	})
	if err != nil {
		t.Fatalf("seeding %s: %v", name, err)
	}
	return in
}

func seedHA(t *testing.T, e *acctest.Emulator, name, version string) emulator.Instance {
	t.Helper()
	in, err := e.SeedInstance(map[string]any{
		"name": name, "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": version, "topology": "HA",
		"nodePrefix": "PGNODE", "az": "EB-QA-A", "tls": true, "admPassword": "Str0ng!Passw0rd",
	})
	if err != nil {
		t.Fatalf("seeding %s: %v", name, err)
	}
	return in
}

func ptr[T any](v T) *T { return &v }

func seedPair(t *testing.T, e *acctest.Emulator) seededPair {
	t.Helper()
	return seededPair{
		std: seedStandalone(t, e, acctest.RandomName("pgdsstd"), "15"),
		ha:  seedHA(t, e, acctest.RandomName("pgdsha"), "15"),
	}
}

func TestAccPostgreSQLDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	p := seedPair(t, e)
	stdID := fmt.Sprint(p.std.ID)
	haID := fmt.Sprint(p.ha.ID)
	// A person excluded the HA instance from patching in the console.
	excluded := p.ha.PatchParty
	excluded.Excluded, excluded.ExcludedBy, excluded.ExclusionReason = true, ptr("alice.console"), ptr("quarter-end freeze")
	excluded.ExclusionDate = ptr("2026-11-20T08:15:30.250+01:00")
	if err := e.UpdateInstance(p.ha.ID, map[string]any{"patchParty": excluded}); err != nil {
		t.Fatal(err)
	}

	byID := "data.itcare_postgresql.std_by_id"
	byName := "data.itcare_postgresql.ha_by_name"
	haByID := "data.itcare_postgresql.ha_by_id"
	attr := tfjsonpath.New[string]
	var readModel []statecheck.StateCheck
	for a, check := range lifecycleChecks(e, p.std.Name) {
		readModel = append(readModel, statecheck.ExpectKnownValue(byID, attr(a), check))
	}
	for a, check := range exclusionChecks(e, p.ha.Name) {
		readModel = append(readModel, statecheck.ExpectKnownValue(byName, attr("patch_party").AtMapKey(a), check))
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql" "std_by_id" {
  id = %q
}

data "itcare_postgresql" "ha_by_name" {
  name = %q
}

data "itcare_postgresql" "ha_by_id" {
  id = %q
}
`, stdID, p.ha.Name, haID)),
			ConfigStateChecks: append([]statecheck.StateCheck{
				statecheck.ExpectKnownValue(byID, attr("id"), knownvalue.StringExact(stdID)),
				statecheck.ExpectKnownValue(byID, attr("name"), knownvalue.StringExact(p.std.Name)),
				statecheck.ExpectKnownValue(byID, attr("service_id"), knownvalue.Int64Exact(1001)),
				statecheck.ExpectKnownValue(byID, attr("network_id"), knownvalue.Int64Exact(2001)),
				statecheck.ExpectKnownValue(byID, attr("area"), knownvalue.StringExact("EB-QA")),
				statecheck.ExpectKnownValue(byID, attr("trigram"), knownvalue.StringExact("ACC")),
				statecheck.ExpectKnownValue(byID, attr("node_sizing"), knownvalue.StringExact("2cpu4gb")),
				statecheck.ExpectKnownValue(byID, attr("cpu"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(byID, attr("ram"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue(byID, attr("disk_size"), knownvalue.Int64Exact(40)),
				statecheck.ExpectKnownValue(byID, attr("version"), knownvalue.StringExact("15")),
				statecheck.ExpectKnownValue(byID, attr("product_version"), knownvalue.StringRegexp(regexp.MustCompile(`^15\.\d+$`))),
				statecheck.ExpectKnownValue(byID, attr("topology"), knownvalue.StringExact("STANDALONE")),
				statecheck.ExpectKnownValue(byID, attr("node_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(byID, attr("tls"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(byID, attr("status"), knownvalue.StringExact("ACTIVE")),
				statecheck.ExpectKnownValue(byID, attr("power_state"), knownvalue.StringExact("running")),
				statecheck.ExpectKnownValue(byID, attr("ip_address"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(byID, attr("url"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(byID, attr("end_of_support_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				statecheck.ExpectKnownValue(byID, attr("patch_party"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"excluded":       knownvalue.Bool(false),
					"patch_group":    knownvalue.StringExact("1"),
					"patch_date":     knownvalue.NotNull(),
					"excluded_by":    knownvalue.Null(),
					"exclusion_date": knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue(byID, attr("released_at"), knownvalue.StringExact("2022-10-13T00:00:00Z")),
				statecheck.ExpectKnownValue(byName, attr("patch_party"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"excluded":       knownvalue.Bool(true),
					"excluded_by":    knownvalue.StringExact("alice.console"),
					"exclusion_date": knownvalue.StringExact("2026-11-20T07:15:30Z"),
				})),

				statecheck.ExpectKnownValue(byName, attr("id"), knownvalue.StringExact(haID)),
				statecheck.ExpectKnownValue(byName, attr("name"), knownvalue.StringExact(p.ha.Name)),
				statecheck.ExpectKnownValue(byName, attr("topology"), knownvalue.StringExact("HA")),
				statecheck.ExpectKnownValue(byName, attr("node_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(byName, attr("tls"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(byName, attr("disk_size"), knownvalue.Int64Exact(40)),
				statecheck.ExpectKnownValue(byName, attr("power_state"), knownvalue.StringExact("running")),
				// A patch group is only allowed on a one-node instance.
				statecheck.ExpectKnownValue(byName, attr("patch_party").AtMapKey("patch_group"), knownvalue.Null()),
				// A lookup by name and one by id read the same instance.
				statecheck.CompareValuePairs(byName, attr("ip_address"), haByID, attr("ip_address"), compare.ValuesSame()),
				statecheck.CompareValuePairs(byName, attr("creation_time"), haByID, attr("creation_time"), compare.ValuesSame()),
				statecheck.CompareValuePairs(byID, attr("ip_address"), byName, attr("ip_address"), compare.ValuesDiffer()),
				statecheck.CompareValuePairs(byName, attr("internal_resource_id"), haByID, attr("internal_resource_id"), compare.ValuesSame()),
			}, readModel...),
		}},
	})
}

// TestAccPostgreSQLDataSource_stopped reads an instance a person stopped in
// the console: power_state follows the status.
func TestAccPostgreSQLDataSource_stopped(t *testing.T) {
	e := acctest.NewEmulator(t)
	in := seedStandalone(t, e, acctest.RandomName("pgdsstop"), "15")
	if err := e.UpdateInstance(in.ID, map[string]any{"status": emulator.StatusStopped}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql" "db" {
  name = %q
}
`, in.Name)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.itcare_postgresql.db", tfjsonpath.New("status"), knownvalue.StringExact("STOPPED")),
				statecheck.ExpectKnownValue("data.itcare_postgresql.db", tfjsonpath.New("power_state"), knownvalue.StringExact("stopped")),
			},
		}},
	})
}

// TestAccPostgreSQLDataSource_errors proves that a lookup that finds
// nothing fails with an error naming what was looked for, and that the
// exactly-one-of rule is enforced. Several instances with one name cannot be
// made (ITCare names are unique), so TestPickPostgreSQLByName covers that
// case.
func TestAccPostgreSQLDataSource_errors(t *testing.T) {
	e := acctest.NewEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      e.Config(`data "itcare_postgresql" "db" { id = "987654321" }`),
				ExpectError: regexp.MustCompile(`(?s)PostgreSQL Instance Not Found.*id\s+987654321`),
			},
			{
				Config:      e.Config(`data "itcare_postgresql" "db" { name = "pgnosuchinstance" }`),
				ExpectError: regexp.MustCompile(`(?s)PostgreSQL Instance Not Found.*named\s+"pgnosuchinstance"`),
			},
			{
				Config: e.Config(`
data "itcare_postgresql" "db" {
  id   = "987654321"
  name = "pgnosuchinstance"
}
`),
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config:      e.Config(`data "itcare_postgresql" "db" {}`),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes`),
			},
			{
				Config:      e.Config(`data "itcare_postgresql" "db" { id = "pgnosuchinstance" }`),
				ExpectError: regexp.MustCompile(`must be the ITCare id of a PostgreSQL instance`),
			},
		},
	})
}

// TestAccPostgreSQLDataSources_unknownInstance proves that every data source
// keyed by instance_id fails, naming the id, for an instance that does not
// exist, instead of reading an empty list.
func TestAccPostgreSQLDataSources_unknownInstance(t *testing.T) {
	e := acctest.NewEmulator(t)
	var steps []resource.TestStep
	for _, ds := range []string{"nodes", "networks", "versions", "databases", "extensions", "backups"} {
		steps = append(steps, resource.TestStep{
			Config:      e.Config(fmt.Sprintf(`data "itcare_postgresql_%s" "db" { instance_id = "987654321" }`, ds)),
			ExpectError: regexp.MustCompile(`(?s)PostgreSQL Instance Not Found.*id\s+987654321`),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccPostgreSQLDataSources_sameApply reads every data source of an
// instance that the same apply creates: at plan time the id is unknown, so
// the reads are planned for apply, and they then see the new instance.
func TestAccPostgreSQLDataSources_sameApply(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgdsnew")
	attr := tfjsonpath.New[string]

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
resource "itcare_postgresql" "db" {
  name                = %q
  service_id          = 1001
  network_id          = 2001
  area                = "EB-QA"
  trigram             = "ACC"
  node_sizing         = "2cpu4gb"
  disk_size           = 40
  version             = "15"
%s  deletion_protection = false
}

data "itcare_postgresql" "db" {
  id = itcare_postgresql.db.id
}

data "itcare_postgresql_nodes" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_networks" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_versions" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_databases" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_extensions" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_backups" "db" {
  instance_id = itcare_postgresql.db.id
}
`, name, pgPasswordHCL())),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("itcare_postgresql.db", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("data.itcare_postgresql.db", plancheck.ResourceActionRead),
					plancheck.ExpectResourceAction("data.itcare_postgresql_nodes.db", plancheck.ResourceActionRead),
					plancheck.ExpectResourceAction("data.itcare_postgresql_versions.db", plancheck.ResourceActionRead),
					plancheck.ExpectUnknownValue("data.itcare_postgresql_nodes.db", attr("nodes")),
					plancheck.ExpectResourceAction("data.itcare_postgresql_backups.db", plancheck.ResourceActionRead),
				},
			},
			ConfigStateChecks: append(expectEmulatorBackups(e, "data.itcare_postgresql_backups.db", name),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("id"), "itcare_postgresql.db", attr("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("ip_address"), "itcare_postgresql.db", attr("ip_address"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("version"), "itcare_postgresql.db", attr("version"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("disk_size"), "itcare_postgresql.db", attr("disk_size"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.itcare_postgresql.db", attr("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue("data.itcare_postgresql.db", attr("status"), knownvalue.StringExact("ACTIVE")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_nodes.db", attr("nodes"), knownvalue.ListSizeExact(1)),
				statecheck.CompareValuePairs("data.itcare_postgresql_nodes.db", attr("nodes").AtSliceIndex(0).AtMapKey("ip_address"),
					"itcare_postgresql.db", attr("ip_address"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.itcare_postgresql_networks.db", attr("networks").AtSliceIndex(0).AtMapKey("id"), knownvalue.Int64Exact(2001)),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.db", attr("versions"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("16"), knownvalue.StringExact("17")})),
				statecheck.ExpectKnownValue("data.itcare_postgresql_databases.db", attr("databases").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("postgres")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_extensions.db", attr("extensions"), knownvalue.NotNull()),
				// The backup taken when the create ended.
				statecheck.ExpectKnownValue("data.itcare_postgresql_backups.db", attr("backups"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"last_backup_at": knownvalue.NotNull(), "size": knownvalue.NotNull()}),
				})),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("released_at"), "itcare_postgresql.db", attr("released_at"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.itcare_postgresql.db", attr("internal_resource_id"), "itcare_postgresql.db", attr("internal_resource_id"), compare.ValuesSame()),
			),
		}},
	})
}
