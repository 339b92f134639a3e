package provider_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// concurrencySeed fixes which requests the random faults hit, for a given
// order of requests.
const concurrencySeed = 20261127

// randomFaults are faults every apply must survive in one go: refusals
// before any work (429), gateway errors and dropped connections on
// idempotent calls, and creates and deletes whose answer is lost after
// ITCare did the work. Token expiry is added by expireTokensWhen.
var randomFaults = []emulator.Fault{
	{Kind: emulator.FaultStatus, Status: 429, RetryAfter: time.Second, Probability: 0.04},
	{Kind: emulator.FaultStatus, Method: "GET", Path: "/itcare/", Status: 503, Probability: 0.05},
	{Kind: emulator.FaultStatus, Method: "GET", Path: "/itcare/", Status: 500, Probability: 0.04},
	{Kind: emulator.FaultDrop, Method: "GET", Path: "/itcare/", Probability: 0.03},
	// Writes are few (20 of each): high enough that each kind strikes.
	{Kind: emulator.FaultStatus, Method: "DELETE", Status: 502, Probability: 0.25},
	{Kind: emulator.FaultDrop, Method: "POST", Path: pgCollection, After: true, Probability: 0.3},
	{Kind: emulator.FaultDrop, Method: "DELETE", After: true, Probability: 0.25},
}

// expireTokensWhen revokes every token once, when ready reports true: an
// expiry is one event that every call in flight sees at once. (A token
// fault drawn at random would also revoke tokens fetched a moment
// earlier, which no server does; a call re-authenticates once.)
func expireTokensWhen(ctx context.Context, e *acctest.Emulator, ready func() bool) {
	go func() {
		for ctx.Err() == nil && !ready() {
			time.Sleep(20 * time.Millisecond)
		}
		if ctx.Err() == nil {
			e.ExpireTokens()
		}
	}()
}

// TestAccReliability_concurrentApply applies 20 instances with
// -parallelism=10 while random faults hit the API, then destroys them the
// same way. After each run ITCare's inventory and the state agree
// exactly: no orphan (an instance the state does not know), no phantom (a
// state entry with no instance), one create and one delete action per
// instance. terraform-plugin-testing cannot pass -parallelism (terraform-
// exec drops TF_CLI_ARGS*), so Terraform runs through terraform-exec.
func TestAccReliability_concurrentApply(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	t.Parallel()
	const n, parallelism = 20, 10
	e := acctest.NewEmulator(t)
	e.SetFaultSeed(concurrencySeed)
	prefix := acctest.RandomName("pgrelc")
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("%s%02d", prefix, i))
	}
	hcl := acctest.RequiredProviders() + e.ProviderConfig() + fmt.Sprintf(`
locals {
  names = %s
}

resource "itcare_postgresql" "db" {
  count                   = length(local.names)
  name                    = local.names[count.index]
  service_id              = 1001
  network_id              = 2001
  area                    = "EB-QA"
  trigram                 = "ACC"
  node_sizing             = "2cpu4gb"
  disk_size               = 40
  version                 = "15"
%s  deletion_protection     = false
}
`, `["`+strings.Join(names, `","`)+`"]`, pgPasswordHCL())
	// max_retries is raised so that random faults striking the same call
	// many times in a row cannot fail the run: it tests convergence, not
	// the retry budget (TestRetriesAreBoundedByMaxRetries does).
	hcl = strings.Replace(hcl, `provider "itcare" {`, "provider \"itcare\" {\n  max_retries = 12", 1)
	run := acctest.NewTerraformRun(t, hcl, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, f := range randomFaults {
		e.AddFault(f)
	}

	countActions := func(process string) int {
		c := 0
		for _, a := range e.Actions() {
			if a.Process == process {
				c++
			}
		}
		return c
	}
	expireCtx, stopExpiry := context.WithCancel(ctx)
	defer stopExpiry()
	// Mid-apply: half the creates accepted, most of them still running.
	expireTokensWhen(expireCtx, e, func() bool { return countActions("POSTGRESQL_CREATE") >= n/2 })
	if err := run.Apply(ctx, tfexec.Parallelism(parallelism)); err != nil {
		t.Fatalf("apply: %v\n%s", err, run.Stderr)
	}
	st, err := run.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{} // name → id
	if st.Values != nil {
		for _, r := range st.Values.RootModule.Resources {
			state[fmt.Sprint(r.AttributeValues["name"])] = fmt.Sprint(r.AttributeValues["id"])
		}
	}
	inventory := map[string]string{}
	for _, in := range e.Instances() {
		if _, dup := inventory[in.Name]; dup {
			t.Errorf("two instances named %s", in.Name)
		}
		inventory[in.Name] = fmt.Sprint(in.ID)
		if in.Status != "ACTIVE" {
			t.Errorf("%s is %s, want ACTIVE", in.Name, in.Status)
		}
	}
	if len(state) != n || len(inventory) != n {
		t.Errorf("%d instances in the state, %d in ITCare, want %d", len(state), len(inventory), n)
	}
	for name, id := range inventory {
		if state[name] != id {
			t.Errorf("orphan: ITCare has %s (id %s), the state has %q", name, id, state[name])
		}
	}
	for name, id := range state {
		if inventory[name] != id {
			t.Errorf("phantom: the state has %s (id %s), ITCare has %q", name, id, inventory[name])
		}
	}
	for _, name := range names {
		if c := actionsOf(e, name, "POSTGRESQL_CREATE"); c != 1 {
			t.Errorf("%d create actions for %s, want 1", c, name)
		}
	}
	if peak := peakConcurrentActions(e, "POSTGRESQL_CREATE"); peak < 2 || peak > parallelism {
		t.Errorf("at most %d creates ran at once, want 2 to %d", peak, parallelism)
	}

	// A second plan finds nothing to do.
	changed, err := run.Plan(ctx)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, run.Stderr)
	}
	if changed {
		t.Error("the plan after the apply is not empty")
	}

	stopExpiry()
	expireCtx, stopExpiry = context.WithCancel(ctx)
	defer stopExpiry()
	expireTokensWhen(expireCtx, e, func() bool { return countActions("POSTGRESQL_DELETE") >= n/2 })
	if err := run.Destroy(ctx, tfexec.Parallelism(parallelism)); err != nil {
		t.Fatalf("destroy: %v\n%s", err, run.Stderr)
	}
	if left := e.Instances(); len(left) != 0 {
		t.Errorf("%d instances left after the destroy", len(left))
	}
	if st, err := run.Show(ctx); err != nil || (st.Values != nil && len(st.Values.RootModule.Resources) != 0) {
		t.Errorf("state after the destroy: %v", err)
	}
	for _, name := range names {
		if c := actionsOf(e, name, "POSTGRESQL_DELETE"); c != 1 {
			t.Errorf("%d delete actions for %s, want 1", c, name)
		}
	}

	// The faults must really have struck, and each kind at least once.
	hit := map[string]int{}
	for _, r := range e.Requests() {
		switch {
		case r.Status == 0:
			hit["dropped "+r.Method]++
		case r.Status == 401 || r.Status == 429 || r.Status >= 500:
			hit[fmt.Sprint(r.Status)]++
		}
	}
	t.Logf("faults that struck: %v", hit)
	for _, want := range []string{"429", "503", "500", "502", "dropped GET", "dropped POST", "dropped DELETE", "401"} {
		if hit[want] == 0 {
			t.Errorf("no %s fault struck: raise its probability or change the seed", want)
		}
	}
}

// peakConcurrentActions is the largest number of actions of a process
// that were running at the same time.
func peakConcurrentActions(e *acctest.Emulator, process string) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, a := range e.Actions() {
		if a.Process != process || a.CompletedAt == nil {
			continue
		}
		edges = append(edges, edge{a.SubmittedAt, 1}, edge{*a.CompletedAt, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	cur, peak := 0, 0
	for _, ed := range edges {
		cur += ed.delta
		peak = max(peak, cur)
	}
	return peak
}
