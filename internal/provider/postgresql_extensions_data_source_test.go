package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

func TestAccPostgreSQLExtensionsDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	p := seedPair(t, e)

	// Sorted by name: btree_gin comes first in the emulator's catalogue.
	first := knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":                knownvalue.StringExact("btree_gin"),
		"version":             knownvalue.StringExact("1.3"),
		"comment":             knownvalue.StringExact("support for indexing common datatypes in GIN"),
		"link":                knownvalue.StringExact("https://www.postgresql.org/docs/current/btree-gin.html"),
		"requires_restarting": knownvalue.Bool(false),
	})})

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_extensions" "std" {
  instance_id = "%d"
}

data "itcare_postgresql_extensions" "ha" {
  instance_id = "%d"
}

# How a user checks an extension is offered before asking for it.
output "std_has_postgis" {
  value = contains(data.itcare_postgresql_extensions.std.extensions[*].name, "postgis")
}

output "ha_has_oracle_fdw" {
  value = contains(data.itcare_postgresql_extensions.ha.extensions[*].name, "oracle_fdw")
}

output "ha_restarting" {
  value = [for x in data.itcare_postgresql_extensions.ha.extensions : x.name if x.requires_restarting]
}
`, p.std.ID, p.ha.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.itcare_postgresql_extensions.std", tfjsonpath.New("extensions"), first),
				statecheck.ExpectKnownValue("data.itcare_postgresql_extensions.ha", tfjsonpath.New("extensions"), first),
				statecheck.ExpectKnownOutputValue("std_has_postgis", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("ha_has_oracle_fdw", knownvalue.Bool(false)),
				statecheck.ExpectKnownOutputValue("ha_restarting", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("pg_cron"), knownvalue.StringExact("pgaudit"),
				})),
			},
		}},
	})
}
