package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

func withTimeouts(m map[string]string) map[string]string {
	out := map[string]string{"timeouts": `{ update = "2s" }`}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// acceptedPatches counts the PATCHes of operation op that ITCare accepted.
func acceptedPatches(e *acctest.Emulator, op string) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Method == "PATCH" && r.Operation == op && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

// TestAccReliability_updateActionFailsOrHangs makes each PATCH operation's
// action end in ERROR, then never end: the first apply fails naming the
// operation, the action and ITCare's message, and the plan still shows
// the change; the second stops at timeouts.update naming the running
// action; once the action ends the next apply converges without sending
// the operation a third time.
func TestAccReliability_updateActionFailsOrHangs(t *testing.T) {
	for _, pc := range patchCases {
		t.Run(pc.op, func(t *testing.T) {
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgrelupd")
			base := e.Config(pgHCL(name, withTimeouts(pc.before)))
			after := map[string]string{}
			for k, v := range pc.before {
				after[k] = v
			}
			for k, v := range pc.after {
				after[k] = v
			}
			changed := e.Config(pgHCL(name, withTimeouts(after)))
			check := func(s *terraform.State) error {
				id, err := instanceID(e, name)
				if err != nil {
					return err
				}
				in, _ := e.Instance(id)
				if !pc.applied(in) {
					return fmt.Errorf("ITCare's instance does not show the %s: %+v", pc.op, in)
				}
				if n := acceptedPatches(e, pc.op); n != 2 {
					return fmt.Errorf("%d %s requests accepted, want 2 (the failed one and the hung one, resumed); writes %q", n, pc.op, writesSince(e, 0))
				}
				return singleInstance(e, name)(s)
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             e.CheckDestroy,
				Steps: []resource.TestStep{
					{Config: base},
					{
						PreConfig: func() {
							e.AddFault(emulator.Fault{Kind: emulator.FaultActionError, InstanceName: name, Operation: pc.op, Count: 1, Message: "maintenance window closed"})
						},
						Config:      changed,
						ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*` + pc.op + `.*ended\s+in\s+ERROR:\s+maintenance\s+window\s+closed`),
					},
					{
						Config:             changed,
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{expectPriorID{e: e, name: name}, plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
						},
					},
					{
						PreConfig: func() {
							e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: pc.op, Count: 1})
						},
						Config:      changed,
						ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*timeouts\.update`),
					},
					{
						PreConfig: e.ClearFaults,
						Config:    changed,
						Check:     check,
					},
				},
			})
		})
	}
}

// TestAccReliability_updateTransientFaults injects each transient fault
// into a resize's PATCH and the polls of its action. 429 and a token
// expiry are retried in the same apply; a PATCH that may have reached
// ITCare is not resent blindly: the apply fails, and the next one
// converges. In every case ITCare ran one resize.
func TestAccReliability_updateTransientFaults(t *testing.T) {
	for _, tf := range transientFaults {
		t.Run(strings.ReplaceAll(tf.name, " ", "_"), func(t *testing.T) {
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgrelupdf")
			changed := e.Config(pgHCL(name, ov("node_sizing", `"4cpu8gb"`)))
			check := func(*terraform.State) error {
				id, err := instanceID(e, name)
				if err != nil {
					return err
				}
				if in, _ := e.Instance(id); in.NodeSizing != "4cpu8gb" {
					return fmt.Errorf("sizing %s, want 4cpu8gb", in.NodeSizing)
				}
				if n := actionsOf(e, name, "POSTGRESQL_RESIZE"); n != 1 {
					return fmt.Errorf("%d resize actions, want 1", n)
				}
				return faultsUsed(e)(nil)
			}
			steps := []resource.TestStep{{Config: e.Config(pgHCL(name, nil))}}
			patchFault := tf.on("PATCH", pgItemPrefix, name, 1)
			if tf.createError != "" {
				steps = append(steps,
					resource.TestStep{
						PreConfig:   func() { e.AddFault(patchFault) },
						Config:      changed,
						ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*resize`),
					},
					resource.TestStep{
						PreConfig: func() { e.AddFault(tf.on("GET", actionPrefix, name, 2)) },
						Config:    changed,
						Check:     check,
					})
			} else {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						e.AddFault(patchFault)
						e.AddFault(tf.on("GET", actionPrefix, name, 2))
					},
					Config: changed,
					Check:  check,
				})
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             e.CheckDestroy,
				Steps:                    steps,
			})
		})
	}
}

// TestAccReliability_updateAnswerLost drops the connection after ITCare
// accepted a resize: the apply cannot know the outcome, and the next one
// must see the resize done (or running) and not send a second one.
func TestAccReliability_updateAnswerLost(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgrelupdlost")
	changed := e.Config(pgHCL(name, ov("node_sizing", `"4cpu8gb"`)))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultDrop, Method: "PATCH", InstanceName: name, After: true, Count: 1})
					// The accepted resize is still running when the next
					// run refreshes, as a real one (minutes) would be.
					e.SetActionDuration(3 * time.Second)
				},
				Config:      changed,
				ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*resize`),
			},
			{
				PreConfig: func() { e.SetActionDuration(acctest.DefaultActionDuration) },
				Config:    changed,
				Check: func(*terraform.State) error {
					if n := actionsOf(e, name, "POSTGRESQL_RESIZE"); n != 1 {
						return fmt.Errorf("%d resize actions, want 1; requests %s", n, requestLog(e))
					}
					return nil
				},
			},
		},
	})
}

// requestLog renders the emulator's request log for an error message.
func requestLog(e *acctest.Emulator) string {
	var b strings.Builder
	for _, r := range e.Requests() {
		fmt.Fprintf(&b, "\n  %s %s %s %d %s", r.Time.Format("15:04:05.000"), r.Method, r.Path, r.Status, r.Operation)
	}
	return b.String()
}

func TestAccPostgreSQL_updatePartialFailure(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccpartial")
	changed := e.Config(pgHCL(name, map[string]string{
		"version": `"16"`, "allow_major_version_upgrade": "true", "node_sizing": `"4cpu8gb"`, "monitoring_enabled": "false",
	}))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultActionError, InstanceName: name, Operation: "resize", Count: 1, Message: "no capacity left for 4cpu8gb"})
					e.ResetRequests()
				},
				Config:      changed,
				ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*run\s+resize\s+on.*ITCare\s+action\s+\d+\s+\(POSTGRESQL_RESIZE\)\s+ended\s+in\s+ERROR:\s+no\s+capacity\s+left\s+for\s+4cpu8gb.*what\s+is\s+left`),
			},
			{
				// The upgrade is recorded; the resize and what came after are not.
				PreConfig: func() {
					got := patchBodies(e, 0)
					want := []string{
						normalJSON(`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`),
						normalJSON(`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`),
					}
					if !slices.Equal(got, want) {
						t.Errorf("failed apply sent %q, want %q", got, want)
					}
				},
				Config:             changed,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
						expectChanges{addr: pgAddr, want: []string{"node_sizing", "monitoring_enabled"}},
					},
				},
			},
			func() resource.TestStep {
				s := inPlaceStep(e, "", map[string]knownvalue.Check{
					"version": knownvalue.StringExact("16"), "node_sizing": knownvalue.StringExact("4cpu8gb"), "monitoring_enabled": knownvalue.Bool(false),
				},
					`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`,
					`{"operation":"update_monitoring","options":{"state":false,"on_call":false}}`)
				s.Config = changed
				return s
			}(),
		},
	})
}

func TestAccPostgreSQL_updateTimeoutResumed(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccresume")
	cfg := e.Config(pgHCL(name, map[string]string{
		"version": `"16"`, "allow_major_version_upgrade": "true", "timeouts": `{ update = "3s" }`,
	}))
	upgrades := func() int {
		n := 0
		for _, w := range e.Writes() {
			if w.Method == http.MethodPatch && w.Operation == itcare.OpUpgrade {
				n++
			}
		}
		return n
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, map[string]string{"timeouts": `{ update = "3s" }`}))},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: itcare.OpUpgrade, Count: 1})
					e.ResetRequests()
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*timeouts\.update.*action\s+\d+\s+was\s+still\s+running.*next\s+refresh\s+or\s+apply\s+waits\s+for\s+it`),
			},
			{
				// Still hung: the refresh and the apply wait for the
				// recorded action and time out again, without a second upgrade.
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*timeouts\.update`),
			},
			{
				// Once the action ends, the refresh records its result:
				// nothing is left to send.
				PreConfig: func() {
					if n := upgrades(); n != 1 {
						t.Errorf("%d upgrade requests while the action hung, want 1", n)
					}
					e.ClearFaults()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"version": knownvalue.StringExact("16")}),
				Check: func(*terraform.State) error {
					if n := upgrades(); n != 1 {
						return fmt.Errorf("%d upgrade requests, want exactly 1", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccPostgreSQL_updateWaitsForRunningAction(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccbusy")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				// Someone starts an operation in the ITCare console; it runs
				// until Terraform has been told 409 at least once.
				PreConfig: func() {
					startOutOfBand(t, e, name)
					e.ResetRequests()
					releaseAfterConflict(t, e)
				},
				Config: e.Config(pgHCL(name, map[string]string{"node_sizing": `"4cpu8gb"`})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"cpu": knownvalue.Int64Exact(4)}),
				Check: func(*terraform.State) error {
					resize := normalJSON(`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`)
					conflicts, accepted := patchBodies(e, http.StatusConflict), patchBodies(e, http.StatusAccepted)
					if len(conflicts) == 0 || conflicts[0] != resize {
						return fmt.Errorf("no resize answered 409: %q", conflicts)
					}
					if !slices.Equal(accepted, []string{resize}) {
						return fmt.Errorf("accepted PATCHes %q, want one resize", accepted)
					}
					return nil
				},
			},
		},
	})
}

// startOutOfBand starts a hanging start operation on the instance through
// the API, as the ITCare console would.
func startOutOfBand(t *testing.T, e *acctest.Emulator, name string) {
	t.Helper()
	id, err := instanceID(e, name)
	if err != nil {
		t.Fatal(err)
	}
	e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: itcare.OpStart, Count: 1})
	client, err := itcare.NewClient(itcare.Config{APIURL: e.APIURL(), TokenURL: e.TokenURL(), ClientID: e.ClientID(), ClientSecret: e.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.PatchPostgreSQL(context.Background(), id, itcare.Operation{Operation: itcare.OpStart}); err != nil {
		t.Fatal(err)
	}
}

// releaseAfterConflict lets hung actions finish once the emulator has
// answered a PATCH with 409, so that the test does not depend on timing.
func releaseAfterConflict(t *testing.T, e *acctest.Emulator) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	go func() {
		defer e.ClearFaults()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if len(patchBodies(e, http.StatusConflict)) > 0 {
					return
				}
			}
		}
	}()
}
