package provider_test

import (
	"context"
	"strings"
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

// TestAccPostgreSQL_unknownStatusReported: a status the provider does not
// recognise is reported in a warning, never read as running or stopped:
// power_state keeps its last value and nothing is planned.
func TestAccPostgreSQL_unknownStatusReported(t *testing.T) {
	skipUnlessAcc(t)
	acctest.PreCheck(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccstatus")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{"power_state": `"stopped"`})), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, run.Stderr)
	}
	t.Cleanup(func() { _ = run.Destroy(context.Background()) })
	id, err := instanceID(e, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateInstance(id, map[string]any{"status": "HIBERNATING"}); err != nil {
		t.Fatal(err)
	}
	w := &writeCounter{e: e}
	w.mark()
	warnings := strings.Join(planWarningsJSON(t, run), "\n")
	if !strings.Contains(warnings, `Unrecognised ITCare Status: ITCare reports the status "HIBERNATING"`) ||
		!strings.Contains(warnings, `power_state shows "stopped"`) {
		t.Errorf("the plan does not report the status; warnings:\n%s", warnings)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Errorf("an unknown status planned a change (changes %v, err %v)", changes, err)
	}
	noWrites(t, w)()
}
