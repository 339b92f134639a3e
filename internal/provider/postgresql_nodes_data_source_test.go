package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

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
	})
	std, ha := "data.itcare_postgresql_nodes.std", "data.itcare_postgresql_nodes.ha"

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
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
`, p.std.ID, p.ha.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(std, tfjsonpath.New("instance_id"), knownvalue.StringExact(fmt.Sprint(p.std.ID))),
				statecheck.ExpectKnownValue(std, tfjsonpath.New("nodes"), knownvalue.ListExact([]knownvalue.Check{node})),
				statecheck.ExpectKnownValue(ha, tfjsonpath.New("nodes"), knownvalue.ListExact([]knownvalue.Check{node, node, node})),
				// Named from the node prefix, in name order.
				statecheck.ExpectKnownOutputValue("ha_names", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("PGNODE01"), knownvalue.StringExact("PGNODE02"), knownvalue.StringExact("PGNODE03"),
				})),
				// An HA instance spans both zones of its area.
				statecheck.ExpectKnownOutputValue("ha_zones", knownvalue.ListSizeExact(2)),
			},
		}},
	})
}
