package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

const (
	pgCollection = "/itcare/databases/postgresql"
	pgItemPrefix = "/itcare/databases/postgresql/"
	actionPrefix = "/itcare/actions/"
)

// actionsOf counts the emulator's actions of one process (POSTGRESQL_CREATE,
// POSTGRESQL_DELETE, …) on the instance named name: each is one operation
// ITCare really performed, whatever the request log says about retries.
func actionsOf(e *acctest.Emulator, name, process string) int {
	n := 0
	for _, a := range e.Actions() {
		if a.ResourceName == name && a.Process == process {
			n++
		}
	}
	return n
}

// instancesNamed counts the emulator's instances named name.
func instancesNamed(e *acctest.Emulator, name string) int {
	n := 0
	for _, in := range e.Instances() {
		if in.Name == name {
			n++
		}
	}
	return n
}

// requestsWith counts the logged requests of method on a path with the
// prefix whose status is status (0: a dropped connection).
func requestsWith(e *acctest.Emulator, method, pathPrefix string, status int) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, pathPrefix) && r.Status == status {
			n++
		}
	}
	return n
}

// postsFor counts the create requests for name in the request log.
func postsFor(e *acctest.Emulator, name string) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Method != "POST" || r.Path != pgCollection {
			continue
		}
		var body struct {
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(r.Body), &body) == nil && body.Name == name {
			n++
		}
	}
	return n
}

// converged checks what every fault test ends with: one instance of that
// name in ITCare, made by one create action, and its id in the state.
func converged(e *acctest.Emulator, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if n := instancesNamed(e, name); n != 1 {
			return fmt.Errorf("%d instances named %s in ITCare, want 1", n, name)
		}
		if n := actionsOf(e, name, "POSTGRESQL_CREATE"); n != 1 {
			return fmt.Errorf("%d create actions for %s, want 1", n, name)
		}
		id, err := instanceID(e, name)
		if err != nil {
			return err
		}
		rs, ok := s.RootModule().Resources[pgAddr]
		if !ok {
			return fmt.Errorf("%s not in the state", pgAddr)
		}
		if rs.Primary.ID != fmt.Sprint(id) {
			return fmt.Errorf("state id %s, ITCare id %d", rs.Primary.ID, id)
		}
		if in, _ := e.Instance(id); in.Status != "ACTIVE" {
			return fmt.Errorf("instance %d is %s, want ACTIVE", id, in.Status)
		}
		return nil
	}
}

// destroyedOnce is a CheckDestroy: the instance is gone from ITCare and
// exactly one delete action ran for it.
func destroyedOnce(e *acctest.Emulator, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := instancesNamed(e, name); n != 0 {
			return fmt.Errorf("%d instances named %s left in ITCare", n, name)
		}
		if n := actionsOf(e, name, "POSTGRESQL_DELETE"); n != 1 {
			return fmt.Errorf("%d delete actions for %s, want 1", n, name)
		}
		return nil
	}
}

// faultsUsed fails when an injected fault with a count was not consumed:
// the test would then prove nothing about it.
func faultsUsed(e *acctest.Emulator) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if left := e.Faults(); len(left) != 0 {
			return fmt.Errorf("faults never triggered: %+v", left)
		}
		return nil
	}
}

// TestAccReliability_transientFaults injects each transient fault into
// every phase of an instance's life: the create request, the polls of its
// action, the refresh, the delete request and the polls of the delete.
// Idempotent calls are retried and the apply converges; a create that may
// have reached ITCare is never sent twice. Each phase ends with one
// instance (or none) and one create (or delete) action.
func TestAccReliability_transientFaults(t *testing.T) {
	for _, tf := range transientFaults {
		t.Run(strings.ReplaceAll(tf.name, " ", "_"), func(t *testing.T) {
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgrelfault")
			cfg := e.Config(pgHCL(name, nil))
			w := &writeCounter{e: e}
			hits := func(method, prefix string, atLeast int) resource.TestCheckFunc {
				if tf.perCall > 0 {
					atLeast = min(atLeast, tf.perCall)
				}
				return func(*terraform.State) error {
					if n := requestsWith(e, method, prefix, tf.status); n < atLeast {
						return fmt.Errorf("%d %s %s answered %d, want at least %d: the fault did not hit", n, method, prefix, tf.status, atLeast)
					}
					return nil
				}
			}

			var steps []resource.TestStep
			createFault := tf.on("POST", pgCollection, name, 1)
			if tf.createError != "" {
				steps = append(steps,
					resource.TestStep{
						PreConfig:   func() { e.AddFault(createFault) },
						Config:      cfg,
						ExpectError: regexp.MustCompile(tf.createError),
					},
					resource.TestStep{
						// Nothing was created, nothing recorded: the next
						// apply creates the instance, polls hit by the fault.
						PreConfig: func() {
							if n := instancesNamed(e, name); n != 0 {
								t.Errorf("%d instances after the failed create, want 0", n)
							}
							e.AddFault(tf.on("GET", actionPrefix, name, 2))
						},
						Config: cfg,
						Check:  resource.ComposeTestCheckFunc(converged(e, name), faultsUsed(e), hits("GET", actionPrefix, 2)),
					})
			} else {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						e.AddFault(createFault)
						e.AddFault(tf.on("GET", actionPrefix, name, 2))
					},
					Config: cfg,
					Check: resource.ComposeTestCheckFunc(converged(e, name), faultsUsed(e),
						hits("POST", pgCollection, 1), hits("GET", actionPrefix, 2), func(*terraform.State) error {
							if n := postsFor(e, name); n != 2 {
								return fmt.Errorf("%d POSTs for %s, want 2 (one refused by the fault, one accepted)", n, name)
							}
							return nil
						}),
				})
			}
			steps = append(steps,
				resource.TestStep{
					// Refresh: the instance read is hit twice, then answered.
					PreConfig: func() {
						w.mark()
						e.AddFault(tf.on("GET", pgItemPrefix, name, 2))
					},
					Config: cfg,
					Check:  resource.ComposeTestCheckFunc(w.expect(), faultsUsed(e), hits("GET", pgItemPrefix, 2), converged(e, name)),
				},
				resource.TestStep{
					// Delete: the DELETE and the polls of its action are hit.
					PreConfig: func() {
						e.AddFault(tf.on("DELETE", pgItemPrefix, name, 1))
						e.AddFault(tf.on("GET", actionPrefix, name, 2))
					},
					Config:  cfg,
					Destroy: true,
				},
			)
			parallelTestThenCheckDestroy(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    steps,
				CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, destroyedOnce(e, name), faultsUsed(e),
					hits("DELETE", pgItemPrefix, 1)),
			})
		})
	}
}

// TestAccReliability_deleteAnswerLost drops the connection after ITCare
// accepted the DELETE: the retry finds the delete action running (409),
// waits for it, and the next DELETE answers 404, which is success. One
// delete action ran.
func TestAccReliability_deleteAnswerLost(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgreldellost")
	parallelTestThenCheckDestroy(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil)), Check: converged(e, name)},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultDrop, Method: "DELETE", InstanceName: name, After: true, Count: 1})
				},
				Config:  e.Config(pgHCL(name, nil)),
				Destroy: true,
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, destroyedOnce(e, name), faultsUsed(e), func(*terraform.State) error {
			if n := requestsWith(e, "DELETE", pgItemPrefix, 0); n != 1 {
				return fmt.Errorf("%d dropped DELETEs, want 1", n)
			}
			return nil
		}),
	})
}

// TestAccReliability_tokenExpiresDuringLongApply revokes every token in
// the middle of a create whose action takes 3 s, as an expiry or a
// Keycloak restart would: the next poll gets a 401, the provider fetches
// a new token and the apply converges.
func TestAccReliability_tokenExpiresDuringLongApply(t *testing.T) {
	e := acctest.NewEmulatorWith(t, emulator.Config{ActionDuration: 3 * time.Second})
	name := acctest.RandomName("pgreltoken")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				go func() {
					// Once the create is accepted, well before its action ends.
					deadline := time.Now().Add(30 * time.Second)
					for actionsOf(e, name, "POSTGRESQL_CREATE") == 0 && time.Now().Before(deadline) {
						time.Sleep(50 * time.Millisecond)
					}
					time.Sleep(time.Second)
					e.ExpireTokens()
				}()
			},
			Config: e.Config(pgHCL(name, nil)),
			Check: resource.ComposeTestCheckFunc(converged(e, name), func(*terraform.State) error {
				if n := requestsWith(e, "GET", actionPrefix, 401); n != 1 {
					return fmt.Errorf("%d polls answered 401, want 1: the revocation must hit the wait", n)
				}
				if n := len(e.IssuedTokens()); n < 2 {
					return fmt.Errorf("%d tokens issued, want a new one after the revocation", n)
				}
				return nil
			}),
		}},
	})
}

// refreshAfterFailedDestroy is what a test runs after a destroy that
// failed, before it checks that the next plan is empty: nothing, or on a
// CLI that drops the sensitive marks from the state when a destroy fails
// (OpenTofu 1.10), a refresh, which puts them back.
func refreshAfterFailedDestroy(t *testing.T) []resource.TestStep {
	t.Helper()
	if why := acctest.Unsupported(acctest.MarksKeptAfterFailedDestroy); why != "" {
		t.Logf("a refresh after the failed destroy: %s", why)
		return []resource.TestStep{{RefreshState: true}}
	}
	return nil
}

// TestAccReliability_failedDestroyKeepsSensitiveMarks: after a destroy
// whose action fails, the instance is still in the state with its
// sensitive attributes marked, and a plan that does not refresh is empty,
// as is one that does. OpenTofu 1.10 writes the state back without the
// marks: there the plan without a refresh is an update in place of the
// instance in which no value changes; the refreshing plan is empty there
// too.
func TestAccReliability_failedDestroyKeepsSensitiveMarks(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	t.Parallel()
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgrelmarks")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("apply: %v\n%s", err, run.Stderr)
	}
	created := stateSensitiveAttributes(t, run.Dir)
	if created == "" {
		t.Fatalf("%s: the state marks no attribute sensitive after the create: the test would prove nothing", run.Dir)
	}
	e.AddFault(emulator.Fault{Kind: emulator.FaultActionError, InstanceName: name, Operation: "delete", Count: 1, Message: "storage array busy"})
	if err := run.Destroy(ctx); err == nil || !strings.Contains(strings.Join(strings.Fields(run.Stderr.String()), " "), "storage array busy") {
		t.Fatalf("destroy: %v, want the failed action\n%s", err, run.Stderr)
	}
	if n := instancesNamed(e, name); n != 1 {
		t.Fatalf("%d instances named %s after the failed destroy, want 1", n, name)
	}

	cli, _ := acctest.CLI()
	after := stateSensitiveAttributes(t, run.Dir)
	if kept := after == created; kept != acctest.Supports(acctest.MarksKeptAfterFailedDestroy) {
		t.Errorf("%s: sensitive marks kept after the failed destroy: %v, want %v (marks after the create: %s; after the failed destroy: %s)", cli, kept, !kept, created, after)
	}
	planFile := filepath.Join(run.Dir, "no-refresh.tfplan")
	changes, err := run.Plan(ctx, tfexec.Refresh(false), tfexec.Out(planFile))
	if err != nil {
		t.Fatalf("plan -refresh=false: %v\n%s", err, run.Stderr)
	}
	if acctest.Supports(acctest.MarksKeptAfterFailedDestroy) {
		if changes {
			t.Errorf("%s: the plan without a refresh after the failed destroy is not empty", cli)
		}
	} else {
		plan, err := run.ShowPlanFile(ctx, planFile)
		if err != nil {
			t.Fatal(err)
		}
		if !changes || len(plan.ResourceChanges) != 1 {
			t.Fatalf("%s: changes %v, %d resource changes; want the update in place that only the sensitivity causes", cli, changes, len(plan.ResourceChanges))
		}
		c := plan.ResourceChanges[0].Change
		before, _ := json.Marshal(c.Before)
		after, _ := json.Marshal(c.After)
		if !c.Actions.Update() || string(before) != string(after) {
			t.Errorf("%s: actions %v, values changed %v; want an update in place in which no value changes", cli, c.Actions, string(before) != string(after))
		} else {
			t.Logf("%s: the plan without a refresh updates the instance in place, no value changed", cli)
		}
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Errorf("%s: the refreshing plan after the failed destroy: changes %v, error %v\n%s", cli, changes, err, run.Stderr)
	}
	if err := run.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v\n%s", err, run.Stderr)
	}
	if n := instancesNamed(e, name); n != 0 {
		t.Errorf("%d instances named %s left", n, name)
	}
}

// stateSensitiveAttributes returns the paths the local state marks
// sensitive on the one instance it holds, sorted and joined: Terraform
// writes sensitive_attributes in no fixed order, so the same marks may
// come back in another order after a failed destroy.
func stateSensitiveAttributes(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				SensitiveAttributes []json.RawMessage `json:"sensitive_attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 1 || len(st.Resources[0].Instances) != 1 {
		t.Fatalf("the state holds %d resources, want one instance of one", len(st.Resources))
	}
	paths := make([]string, 0, len(st.Resources[0].Instances[0].SensitiveAttributes))
	for _, p := range st.Resources[0].Instances[0].SensitiveAttributes {
		var compact bytes.Buffer
		if err := json.Compact(&compact, p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, compact.String())
	}
	sort.Strings(paths)
	return strings.Join(paths, " ")
}

// TestAccReliability_deleteActionFails makes the delete action end in
// ERROR: the destroy fails naming the action and ITCare's message, the
// instance stays in the state (and in ITCare, ACTIVE again), and the next
// destroy converges.
func TestAccReliability_deleteActionFails(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgreldelfail")
	cfg := e.Config(pgHCL(name, nil))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: append(append([]resource.TestStep{
			{Config: cfg, Check: converged(e, name)},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultActionError, InstanceName: name, Operation: "delete", Count: 1, Message: "storage array busy"})
				},
				Config:      cfg,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Error Deleting PostgreSQL Instance.*ITCare\s+action\s+\d+.*ended\s+in\s+ERROR:\s+storage\s+array\s+busy.*still\s+in\s+the\s+Terraform\s+state`),
			}},
			refreshAfterFailedDestroy(t)...),
			resource.TestStep{
				// The state still holds the instance, which is ACTIVE again.
				Config:   cfg,
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectPriorID{e: e, name: name}, plancheck.ExpectEmptyPlan()},
				},
			},
		),
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, func(*terraform.State) error {
			if n := instancesNamed(e, name); n != 0 {
				return fmt.Errorf("%d instances left", n)
			}
			if n := actionsOf(e, name, "POSTGRESQL_DELETE"); n != 2 {
				return fmt.Errorf("%d delete actions, want 2 (the failed one and the one that worked)", n)
			}
			return nil
		}),
	})
}

// TestAccReliability_deleteTimeout makes the delete action never end: the
// destroy stops at timeouts.delete with an error naming the action and
// the timeout, the instance stays in the state, and once the action ends
// the next run converges (the instance is gone: the refresh drops it).
func TestAccReliability_deleteTimeout(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgreldelhang")
	cfg := e.Config(pgHCL(name, map[string]string{"timeouts": `{ delete = "2s" }`}))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: append(append([]resource.TestStep{
			{Config: cfg, Check: converged(e, name)},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: "delete", Count: 1})
				},
				Config:      cfg,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Error Deleting PostgreSQL Instance.*after\s+2s\s+\(timeouts\.delete\)\s+while\s+ITCare\s+action\s+\d+\s+was\s+still\s+running`),
			}},
			refreshAfterFailedDestroy(t)...),
			resource.TestStep{
				// The id is still in the state while the action runs.
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectPriorID{e: e, name: name}},
				},
			},
			resource.TestStep{
				// The hung action finishes: the instance is gone, the
				// refresh removes it and the plan is a create.
				PreConfig:          e.ClearFaults,
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionCreate)},
				},
			},
		),
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, destroyedOnce(e, name)),
	})
}

// TestAccReliability_busyInstance starts an action on the instance outside
// Terraform (as the ITCare console would) right before the destroy: the
// DELETE answers 409, the provider waits for that action, then deletes.
func TestAccReliability_busyInstance(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgrelbusy")
	cfg := e.Config(pgHCL(name, nil))
	parallelTestThenCheckDestroy(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: converged(e, name)},
			{
				PreConfig: func() { startConsoleAction(t, e, name, 2*time.Second) },
				Config:    cfg,
				Destroy:   true,
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, destroyedOnce(e, name), func(*terraform.State) error {
			if n := requestsWith(e, "DELETE", pgItemPrefix, 409); n != 1 {
				return fmt.Errorf("%d DELETEs answered 409, want 1", n)
			}
			if n := actionsOf(e, name, "POSTGRESQL_UPDATE_MONITORING"); n != 1 {
				return fmt.Errorf("%d console actions, want 1", n)
			}
			return nil
		}),
	})
}

// startConsoleAction submits an update_monitoring that changes nothing
// and lasts d, through the API with the emulator's credentials: the
// instance is busy, as when a person runs an action in the console.
func startConsoleAction(t *testing.T, e *acctest.Emulator, name string, d time.Duration) {
	t.Helper()
	id, err := instanceID(e, name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := itcare.NewClient(itcare.Config{APIURL: e.APIURL(), TokenURL: e.TokenURL(), ClientID: e.ClientID(), ClientSecret: e.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	e.SetActionDuration(d)
	defer e.SetActionDuration(acctest.DefaultActionDuration)
	if _, err := c.PatchPostgreSQL(context.Background(), id, itcare.Operation{Operation: itcare.OpUpdateMonitoring, Options: itcare.MonitoringOptions{State: true}}); err != nil {
		t.Fatal(err)
	}
}

func (c expectDrift) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceDrift {
		if rc.Address != pgAddr || rc.Change == nil {
			continue
		}
		b, _ := rc.Change.Before.(map[string]any)
		a, _ := rc.Change.After.(map[string]any)
		if fmt.Sprint(b[c.attr]) != fmt.Sprint(c.before) || fmt.Sprint(a[c.attr]) != fmt.Sprint(c.after) {
			resp.Error = fmt.Errorf("drift of %s: %v → %v, want %v → %v", c.attr, b[c.attr], a[c.attr], c.before, c.after)
		}
		return
	}
	resp.Error = fmt.Errorf("no drift reported for %s", pgAddr)
}

// TestAccPostgreSQL_createActionFails: a create whose action ends in
// ERROR fails the apply with the action's message and leaves a tainted
// instance, whether the create's answer named the action or was lost (the
// instance then found by name and its running action waited for).
func TestAccPostgreSQL_createActionFails(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(fmt.Sprintf("answer_lost=%v", lost), func(t *testing.T) {
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgaccfail")
			e.AddFault(emulator.Fault{Kind: "action_error", InstanceName: name, Operation: "create", Count: 1, Message: "no capacity left in EB-QA"})
			if lost {
				e.AddFault(emulator.Fault{Kind: "drop", Method: "POST", Path: "/itcare/databases/postgresql", InstanceName: name, After: true, Count: 1})
			}
			cfg := e.Config(pgHCL(name, nil))
			w := &writeCounter{e: e}

			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             e.CheckDestroy,
				Steps: []resource.TestStep{
					{
						Config:      cfg,
						ExpectError: regexp.MustCompile(`(?s)Error Creating PostgreSQL Instance.*ITCare\s+action\s+\d+.*no\s+capacity\s+left\s+in\s+EB-QA.*tainted`),
					},
					taintedReplacedNext(e, name, cfg, func() {
						// One create was sent, even when its answer was lost.
						if err := w.expect("POST /itcare/databases/postgresql")(nil); err != nil {
							t.Error(err)
						}
					}),
				},
			})
		})
	}
}

// taintedReplacedNext is the step after a failed create: the state holds
// the emulator's instance (recorded, not orphaned) and the next plan
// replaces it. preConfig runs first.
func taintedReplacedNext(e *acctest.Emulator, name, cfg string, preConfig func()) resource.TestStep {
	return resource.TestStep{
		PreConfig:          preConfig,
		Config:             cfg,
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{
				expectPriorID{e: e, name: name},
				plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionDestroyBeforeCreate),
			},
		},
	}
}

func TestAccPostgreSQL_createTimeout(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacchang")
	e.AddFault(emulator.Fault{Kind: "action_hang", InstanceName: name, Operation: "create", Count: 1})
	cfg := e.Config(pgHCL(name, map[string]string{"timeouts": `{ create = "3s" }`}))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Error Creating PostgreSQL Instance.*timeouts\.create`),
			},
			// Let the hung action finish so that the final destroy works.
			taintedReplacedNext(e, name, cfg, e.ClearFaults),
		},
	})
}

func TestAccPostgreSQL_createAnswerLost(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacclost")
	// The create reaches ITCare but its answer is lost: the provider must
	// find the instance by name instead of creating a second one.
	e.AddFault(emulator.Fault{Kind: "drop", Method: "POST", Path: "/itcare/databases/postgresql", InstanceName: name, After: true, Count: 1})
	w := &writeCounter{e: e}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.Config(pgHCL(name, nil)),
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"status": knownvalue.StringExact("ACTIVE"),
				}),
				Check: resource.ComposeTestCheckFunc(w.expect("POST /itcare/databases/postgresql"), func(s *terraform.State) error {
					id, err := instanceID(e, name)
					if err != nil {
						return err
					}
					if got := s.RootModule().Resources[pgAddr].Primary.ID; got != fmt.Sprint(id) {
						return fmt.Errorf("state id %s, emulator id %d", got, id)
					}
					return nil
				}),
			},
		},
	})
}
