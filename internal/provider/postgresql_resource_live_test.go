package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// The TestAccLive_ tests run against an acctest.Target: the in-process
// emulator, as every acceptance test, or a real ITCare tenant with
// ITCARE_ACC_LIVE=1 (CONTRIBUTING.md, "Live acceptance tests"). They use
// only what ITCare offers too: no admin API, no request log, no fault.
// Every instance they create costs a tenant time and money: the file
// creates one, the smallest, and takes it through every step.

// liveInstance is the instance of a live test and the configurations of
// its steps.
type liveInstance struct {
	tg       *acctest.Target
	name     string
	password string
}

func newLiveInstance(tg *acctest.Target) liveInstance {
	return liveInstance{tg: tg, name: acctest.RandomName(acctest.LiveNamePrefix), password: acctest.RandomPassword()}
}

// resource renders the instance with monitoring on or off, always
// unprotected so that the test's destroy can delete it, with timeouts
// that fit ITCare (a create can take two hours).
func (li liveInstance) resource(monitoring bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"itcare_postgresql\" \"db\" {\n")
	fmt.Fprintf(&b, "  name                    = %q\n", li.name)
	fmt.Fprintf(&b, "  service_id              = %d\n", li.tg.ServiceID)
	fmt.Fprintf(&b, "  network_id              = %d\n", li.tg.NetworkID)
	fmt.Fprintf(&b, "  area                    = %q\n", li.tg.Area)
	if li.tg.AZ != "" {
		fmt.Fprintf(&b, "  availability_zone       = %q\n", li.tg.AZ)
	}
	fmt.Fprintf(&b, "  trigram                 = %q\n", li.tg.Trigram)
	fmt.Fprintf(&b, "  node_sizing             = %q\n", li.tg.NodeSizing)
	fmt.Fprintf(&b, "  disk_size               = %d\n", li.tg.DiskSize)
	fmt.Fprintf(&b, "  version                 = %q\n", li.tg.Version)
	fmt.Fprintf(&b, "  adm_password_wo         = %q\n", li.password)
	fmt.Fprintf(&b, "  adm_password_wo_version = 1\n")
	fmt.Fprintf(&b, "  monitoring_enabled      = %t\n", monitoring)
	fmt.Fprintf(&b, "  on_call_supervision     = false\n")
	fmt.Fprintf(&b, "  deletion_protection     = false\n")
	fmt.Fprintf(&b, "\n  timeouts = {\n    create = \"180m\"\n    update = \"60m\"\n    delete = \"90m\"\n  }\n}\n")
	return li.tg.Config(b.String())
}

// liveDataSources reads the instance of itcare_postgresql.db through every
// data source.
const liveDataSources = `
data "itcare_postgresql" "db" {
  id = itcare_postgresql.db.id
}

data "itcare_postgresql_databases" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_nodes" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_networks" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_extensions" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_versions" "db" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_backups" "db" {
  instance_id = itcare_postgresql.db.id
}

output "on_its_network" {
  value = contains(data.itcare_postgresql_networks.db.networks[*].id, itcare_postgresql.db.network_id)
}
`

// TestAccLive_PostgreSQL creates the smallest standalone instance, checks
// that a plan after the apply is empty, imports it by id, switches its
// monitoring off in place, reads it through every data source and
// destroys it.
func TestAccLive_PostgreSQL(t *testing.T) {
	tg := acctest.NewTarget(t)
	li := newLiveInstance(tg)

	var az knownvalue.Check = knownvalue.Null()
	if tg.AZ != "" {
		az = knownvalue.StringExact(tg.AZ)
	}
	emptyAfterApply := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	const ds = "data.itcare_postgresql.db"

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { tg.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: li.resource(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"id":                      knownvalue.StringRegexp(regexp.MustCompile(`^[0-9]+$`)),
					"name":                    knownvalue.StringExact(li.name),
					"service_id":              knownvalue.Int64Exact(tg.ServiceID),
					"network_id":              knownvalue.Int64Exact(tg.NetworkID),
					"area":                    knownvalue.StringExact(tg.Area),
					"availability_zone":       az,
					"trigram":                 knownvalue.StringExact(tg.Trigram),
					"node_sizing":             knownvalue.StringExact(tg.NodeSizing),
					"disk_size":               knownvalue.Int64Exact(tg.DiskSize),
					"version":                 knownvalue.StringExact(tg.Version),
					"product_version":         knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(tg.Version) + `\.`)),
					"topology":                knownvalue.StringExact("STANDALONE"),
					"node_count":              knownvalue.Int64Exact(1),
					"tls":                     knownvalue.Bool(false),
					"adm_password":            knownvalue.Null(),
					"adm_password_wo":         knownvalue.Null(),
					"adm_password_wo_version": knownvalue.Int64Exact(1),
					"monitoring_enabled":      knownvalue.Bool(true),
					"on_call_supervision":     knownvalue.Bool(false),
					"power_state":             knownvalue.StringExact("running"),
					"deletion_protection":     knownvalue.Bool(false),
					"status":                  knownvalue.NotNull(),
					"ip_address":              knownvalue.NotNull(),
					"url":                     knownvalue.NotNull(),
				}),
			},
			{
				ResourceName:                         pgAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				// Write-only, provider-side or create-only: ITCare cannot
				// return them.
				ImportStateVerifyIgnore: []string{"adm_password_wo", "adm_password_wo_version", "deletion_protection", "timeouts", "availability_zone"},
			},
			{
				// update_monitoring: in place, without downtime.
				Config: li.resource(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pgAddr, tfjsonpath.New("monitoring_enabled"), knownvalue.Bool(false)),
					},
					PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"monitoring_enabled":  knownvalue.Bool(false),
					"on_call_supervision": knownvalue.Bool(false),
					"power_state":         knownvalue.StringExact("running"),
				}),
			},
			{
				Config: li.resource(false) + liveDataSources,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
				},
				ConfigStateChecks: append(sameAsResource(ds,
					"id", "name", "service_id", "network_id", "area", "trigram", "node_sizing", "disk_size", "version",
					"product_version", "topology", "tls", "monitoring_enabled", "on_call_supervision", "status",
					"ip_address", "url", "node_count", "creation_time", "released_at", "end_of_sales_at", "end_of_support_at",
					"extended_support_at", "internal_resource_id"),
					statecheck.ExpectKnownValue("data.itcare_postgresql_nodes.db", tfjsonpath.New("nodes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"name": knownvalue.NotNull(), "ip_address": knownvalue.NotNull(), "file_systems": knownvalue.NotNull(),
						}),
					})),
					statecheck.ExpectKnownValue("data.itcare_postgresql_backups.db", tfjsonpath.New("backups"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.itcare_postgresql_backups.db", tfjsonpath.New("policies"), knownvalue.NotNull()),
					statecheck.ExpectKnownOutputValue("on_its_network", knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.itcare_postgresql_databases.db", tfjsonpath.New("databases"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.itcare_postgresql_extensions.db", tfjsonpath.New("extensions"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.itcare_postgresql_versions.db", tfjsonpath.New("versions"), knownvalue.NotNull()),
				),
			},
		},
	})
}

// sameAsResource checks that the data source at addr reads, for each
// attribute, the value the resource holds.
func sameAsResource(addr string, attrs ...string) []statecheck.StateCheck {
	out := make([]statecheck.StateCheck, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, statecheck.CompareValuePairs(pgAddr, tfjsonpath.New(a), addr, tfjsonpath.New(a), compare.ValuesSame()))
	}
	return out
}
