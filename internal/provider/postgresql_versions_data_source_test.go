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

func TestAccPostgreSQLVersionsDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	std := seedStandalone(t, e, acctest.RandomName("pgdsv15"), "15")
	ha := seedHA(t, e, acctest.RandomName("pgdsv13"), "13")
	newest := seedStandalone(t, e, acctest.RandomName("pgdsv17"), "17")

	strs := func(vs ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(vs))
		for i, v := range vs {
			checks[i] = knownvalue.StringExact(v)
		}
		return knownvalue.ListExact(checks)
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_versions" "std" {
  instance_id = "%d"
}

data "itcare_postgresql_versions" "ha" {
  instance_id = "%d"
}

data "itcare_postgresql_versions" "newest" {
  instance_id = "%d"
}

# How a user picks an upgrade target: the highest version, compared as a
# number.
output "ha_target" {
  value = tostring(max([for v in data.itcare_postgresql_versions.ha.versions : tonumber(v)]...))
}
`, std.ID, ha.ID, newest.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.std", tfjsonpath.New("versions"), strs("16", "17")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.std", tfjsonpath.New("latest"), knownvalue.StringExact("17")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.ha", tfjsonpath.New("versions"), strs("14", "15", "16", "17")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.ha", tfjsonpath.New("latest"), knownvalue.StringExact("17")),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.newest", tfjsonpath.New("versions"), strs()),
				statecheck.ExpectKnownValue("data.itcare_postgresql_versions.newest", tfjsonpath.New("latest"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("ha_target", knownvalue.StringExact("17")),
			},
		}},
	})
}
