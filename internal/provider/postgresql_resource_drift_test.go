package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// expectDrift checks the plan's resource_drift: the refresh saw attr
// change from before to after outside Terraform.
type expectDrift struct {
	attr          string
	before, after any
}

// TestAccReliability_outOfBandDrift changes the instance in the emulator
// as a person would in the console (resize, then stop, then delete):
// each refresh reports the drift attribute by attribute and the plan
// brings the configuration back.
func TestAccReliability_outOfBandDrift(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgreldrift")
	cfg := e.Config(pgHCL(name, nil))
	change := func(changes map[string]any) func() {
		return func() {
			id, err := instanceID(e, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.UpdateInstance(id, changes); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: converged(e, name)},
			{
				PreConfig:          change(map[string]any{"nodeSizing": "4cpu8gb"}),
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						expectDrift{"node_sizing", "2cpu4gb", "4cpu8gb"},
						expectDrift{"cpu", 2, 4},
						expectDrift{"ram", 4, 8},
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pgAddr, tfjsonpath.New("node_sizing"), knownvalue.StringExact("2cpu4gb")),
					},
				},
			},
			{
				PreConfig:          change(map[string]any{"nodeSizing": "2cpu4gb", "status": "STOPPED"}),
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						expectDrift{"power_state", "running", "stopped"},
						expectDrift{"status", "ACTIVE", "STOPPED"},
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(pgAddr, tfjsonpath.New("power_state"), knownvalue.StringExact("running")),
					},
				},
			},
			{
				// Deleted in the console: the refresh drops it with a
				// warning and the apply creates exactly one new instance.
				PreConfig: func() {
					id, err := instanceID(e, name)
					if err != nil {
						t.Fatal(err)
					}
					if err := e.DeleteInstance(id); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionCreate)},
				},
				Check: func(s *terraform.State) error {
					if n := instancesNamed(e, name); n != 1 {
						return fmt.Errorf("%d instances named %s, want 1", n, name)
					}
					id, err := instanceID(e, name)
					if err != nil {
						return err
					}
					if got := s.RootModule().Resources[pgAddr].Primary.ID; got != fmt.Sprint(id) {
						return fmt.Errorf("state id %s, ITCare id %d", got, id)
					}
					return nil
				},
			},
		},
	})
}

// TestAccReliability_outOfBandDriftRepaired resizes and stops the instance
// in the console: the apply brings it back to the configuration with one
// start and one resize, and the plan after it is empty.
func TestAccReliability_outOfBandDriftRepaired(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgrelrepair")
	cfg := e.Config(pgHCL(name, nil))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: converged(e, name)},
			{
				PreConfig: func() {
					id, err := instanceID(e, name)
					if err != nil {
						t.Fatal(err)
					}
					if err := e.UpdateInstance(id, map[string]any{"nodeSizing": "4cpu8gb", "status": "STOPPED"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectDrift{"node_sizing", "2cpu4gb", "4cpu8gb"},
						expectDrift{"power_state", "running", "stopped"},
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					id, err := instanceID(e, name)
					if err != nil {
						return err
					}
					in, _ := e.Instance(id)
					if in.NodeSizing != "2cpu4gb" || in.Status != "ACTIVE" {
						return fmt.Errorf("instance %s %s, want 2cpu4gb ACTIVE", in.NodeSizing, in.Status)
					}
					if s, r := acceptedPatches(e, "start"), acceptedPatches(e, "resize"); s != 1 || r != 1 {
						return fmt.Errorf("%d starts and %d resizes, want 1 each", s, r)
					}
					return nil
				},
			},
		},
	})
}
