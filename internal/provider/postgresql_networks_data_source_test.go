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

func TestAccPostgreSQLNetworksDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	p := seedPair(t, e)

	network := knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"id":              knownvalue.Int64Exact(2001),
		"cidr":            knownvalue.StringExact("10.20.1.0/24"),
		"mask":            knownvalue.StringExact("255.255.255.0"),
		"gateway":         knownvalue.NotNull(),
		"area":            knownvalue.StringExact("EB-QA"),
		"region":          knownvalue.StringExact("EB"),
		"environment":     knownvalue.StringExact("DEVELOPMENT"),
		"description":     knownvalue.StringExact("EB QA databases"),
		"default_network": knownvalue.NotNull(),
		"dns":             knownvalue.NotNull(),
	})})

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_networks" "std" {
  instance_id = "%d"
}

data "itcare_postgresql_networks" "ha" {
  instance_id = "%d"
}

output "std_subnet" {
  value = one(data.itcare_postgresql_networks.std.networks[*].cidr)
}
`, p.std.ID, p.ha.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.itcare_postgresql_networks.std", tfjsonpath.New("networks"), network),
				statecheck.ExpectKnownValue("data.itcare_postgresql_networks.ha", tfjsonpath.New("networks"), network),
				statecheck.ExpectKnownOutputValue("std_subnet", knownvalue.StringExact("10.20.1.0/24")),
			},
		}},
	})
}
