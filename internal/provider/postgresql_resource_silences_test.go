package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// TestAccPostgreSQL_onlyThePageRules: what the reference page allows, the
// provider does not refuse: a version it keeps no list of ("17"), and a
// standalone instance with availability_zone and node_prefix, as the
// page's own create example sends az with STANDALONE.
func TestAccPostgreSQL_onlyThePageRules(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccpage")
	cfg := e.Config(pgHCL(name, map[string]string{
		"version": `"17"`, "availability_zone": `"EB-QA-A"`, "node_prefix": `"PGACCPAGE"`,
	}))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"version":           knownvalue.StringExact("17"),
					"topology":          knownvalue.StringExact("STANDALONE"),
					"availability_zone": knownvalue.StringExact("EB-QA-A"),
					"status":            knownvalue.StringExact("ACTIVE"),
				}),
			},
		},
	})
}
