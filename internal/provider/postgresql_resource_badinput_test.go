package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// TestAccReliability_badConfigurations runs every badConfigs row: each
// fails with an error that names the attribute, nothing panics, and only
// the rows that need ITCare's judgement send a request (which creates
// nothing).
func TestAccReliability_badConfigurations(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgrelbad")
	steps := make([]resource.TestStep, 0, len(badConfigs))
	applies := 0
	for _, c := range badConfigs {
		if why := acctest.Unsupported(acctest.WriteOnlyArguments); why != "" && touchesWriteOnly(c.overrides) {
			t.Logf("%s: left out, %s", c.name, why)
			continue
		}
		hcl := pgHCL(name, c.overrides)
		if c.ha {
			hcl = pgHA(name, c.overrides)
		}
		re := regexp.MustCompile(wrapTolerant(c.re))
		if c.apply {
			applies++
		}
		steps = append(steps, resource.TestStep{
			Config:      e.Config(hcl),
			PlanOnly:    !c.apply,
			ExpectError: re,
		})
	}
	parallelTestThenCheckDestroy(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, func(*terraform.State) error {
			if n := len(e.Instances()); n != 0 {
				return fmt.Errorf("%d instances created by invalid configurations", n)
			}
			if got := writesSince(e, 0); len(got) != applies {
				return fmt.Errorf("writes %q, want only the %d create(s) that ITCare must judge", got, applies)
			}
			// Writes leaves out the token requests, POSTs answered 200.
			for _, r := range e.Writes() {
				if r.Method == "POST" && r.Status != 400 {
					return fmt.Errorf("POST %s answered %d, want 400", r.Path, r.Status)
				}
			}
			return nil
		}),
	})
}

// touchesWriteOnly says whether a row sets or removes adm_password_wo or
// its version: a row about the write-only password.
func touchesWriteOnly(overrides map[string]string) bool {
	for k := range overrides {
		if strings.HasPrefix(k, "adm_password_wo") {
			return true
		}
	}
	return false
}

// TestAccReliability_badAnswers injects every badAnswers row into its
// phase through the provider: each gives an error that names the call
// (or is got past), never a panic; the instance is neither lost from the
// state nor made twice, and the next run converges.
func TestAccReliability_badAnswers(t *testing.T) {
	for _, ba := range badAnswers {
		t.Run(strings.ReplaceAll(ba.name, " ", "_"), func(t *testing.T) {
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgrelans")
			cfg := e.Config(pgHCL(name, nil))
			f := ba.fault
			if f.Path != emulator.TokenPath {
				f.InstanceName = name
			}
			if f.Count == 0 {
				f.Count = 1
			}
			var steps []resource.TestStep
			switch ba.phase {
			case "create":
				if ba.fault.Kind == emulator.FaultDrop {
					// The lost create is looked up by name: that answer is the bad one.
					e.AddFault(emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgCollection, ContentType: "text/html", Body: htmlGateway, Count: 6})
				}
				step := resource.TestStep{PreConfig: func() { e.AddFault(f) }, Config: cfg}
				if ba.re != "" {
					step.ExpectError = regexp.MustCompile(wrapTolerant(ba.re))
					steps = append(steps, step, resource.TestStep{
						// Whatever the first run left (nothing, or a
						// tainted instance), the next one converges.
						PreConfig: e.ClearFaults,
						Config:    cfg,
						Check:     resource.ComposeTestCheckFunc(faultsUsed(e), singleInstance(e, name)),
					})
				} else {
					step.Check = resource.ComposeTestCheckFunc(faultsUsed(e), converged(e, name))
					steps = append(steps, step)
				}
			case "refresh":
				steps = append(steps,
					resource.TestStep{Config: cfg, Check: converged(e, name)},
					resource.TestStep{
						PreConfig:   func() { e.AddFault(f) },
						Config:      cfg,
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(wrapTolerant(ba.re)),
					},
					resource.TestStep{
						// The state was not touched: the next plan is empty.
						PreConfig: func() {
							if len(e.Faults()) != 0 {
								t.Errorf("fault not used: %+v", e.Faults())
							}
						},
						Config:   cfg,
						PlanOnly: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{expectPriorID{e: e, name: name}, plancheck.ExpectEmptyPlan()},
						},
					})
			case "destroy":
				steps = append(steps,
					resource.TestStep{Config: cfg, Check: converged(e, name)},
					resource.TestStep{
						PreConfig:   func() { e.AddFault(f) },
						Config:      cfg,
						Destroy:     true,
						ExpectError: regexp.MustCompile(wrapTolerant(ba.re)),
					})
				steps = append(steps, refreshAfterFailedDestroy(t)...)
				steps = append(steps,
					resource.TestStep{
						Config:   cfg,
						PlanOnly: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{expectPriorID{e: e, name: name}, plancheck.ExpectEmptyPlan()},
						},
					})
			default:
				t.Fatalf("unknown phase %q", ba.phase)
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    steps,
				CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, func(*terraform.State) error {
					if n := instancesNamed(e, name); n != 0 {
						return fmt.Errorf("%d instances left", n)
					}
					return nil
				}),
			})
		})
	}
}

// wrapTolerant lets a space in an expected error match the line breaks
// Terraform puts into long diagnostics.
func wrapTolerant(re string) string { return strings.ReplaceAll(re, " ", `\s+`) }

// singleInstance checks that exactly one instance of that name exists and
// that the state holds its id (a tainted one replaced, or a first create).
func singleInstance(e *acctest.Emulator, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
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
	}
}
