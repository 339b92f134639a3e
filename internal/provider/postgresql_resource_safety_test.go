package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// TestAccPostgreSQL_protectionOnEveryPath breaks a protected instance the
// ways a user can: terraform apply -replace, terraform taint then apply,
// terraform destroy, and a plan that lifts the protection in the same
// change as a replacement. None of them may send a DELETE; lifting the
// protection on its own, then destroying, does.
func TestAccPostgreSQL_protectionOnEveryPath(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccguard")
	write := func(run *acctest.TerraformRun, overrides map[string]string) {
		t.Helper()
		hcl := acctest.RequiredProviders() + e.Config(pgHCL(name, overrides))
		if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(hcl), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	protected := map[string]string{"deletion_protection": ""}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, protected)), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	deletes := func() int {
		n := 0
		for _, w := range e.Writes() {
			if w.Method == "DELETE" {
				n++
			}
		}
		return n
	}
	refused := func(step string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: the apply succeeded on a protected instance", step)
		}
		if !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), "Protected Against Deletion") {
			t.Fatalf("%s: want the deletion protection error, got %v", step, err)
		}
		if n := deletes(); n != 0 {
			t.Fatalf("%s: %d DELETE sent to a protected instance", step, n)
		}
		if _, ok := e.InstanceByName(name); !ok {
			t.Fatalf("%s: the instance is gone", step)
		}
	}

	refused("apply -replace", run.Apply(ctx, tfexec.Replace(pgAddr)))

	if err := run.Taint(ctx, pgAddr); err != nil {
		t.Fatal(err)
	}
	refused("taint, apply", run.Apply(ctx))
	if err := run.Untaint(ctx, pgAddr); err != nil {
		t.Fatal(err)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("after untaint: changes %v, err %v\n%s", changes, err, run.Stderr)
	}

	refused("destroy", run.Destroy(ctx))

	// Lifting the protection in the same change as a replacement is not
	// enough: the state's protection counts.
	write(run, map[string]string{"disk_size": "80"})
	refused("replacement with deletion_protection = false in the same change", run.Apply(ctx))

	// On its own, it is a provider-side update; then the destroy runs.
	write(run, nil)
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("lifting the protection: %v\n%s", err, run.Stderr)
	}
	if n := deletes(); n != 0 {
		t.Fatalf("lifting the protection sent %d DELETE", n)
	}
	if err := run.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v\n%s", err, run.Stderr)
	}
	if n := deletes(); n != 1 {
		t.Fatalf("destroy sent %d DELETE, want 1", n)
	}
}

// TestAccPostgreSQL_notGoneUnlessTheAPISaysSo points the provider at a
// wrong api_url (the base without its /itcare suffix), then puts a
// gateway's HTML 404 in front of one instance. plan, apply -refresh-only
// and apply fail with an error that names api_url, and the state keeps
// every instance; with the right URL and no gateway fault, the plan is
// empty again.
func TestAccPostgreSQL_notGoneUnlessTheAPISaysSo(t *testing.T) {
	e := acctest.NewEmulator(t)
	names := []string{acctest.RandomName("pgaccgonea"), acctest.RandomName("pgaccgoneb")}
	hcl := func(apiURL string) string {
		cfg := strings.Replace(e.ProviderConfig(), e.APIURL(), apiURL, 1)
		for i, n := range names {
			cfg += strings.Replace(pgHCL(n, nil), `"db"`, fmt.Sprintf(`"db%d"`, i), 1)
		}
		return acctest.RequiredProviders() + cfg
	}
	run := acctest.NewTerraformRun(t, hcl(e.APIURL()), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	inState := func(step string) {
		t.Helper()
		st, err := run.Show(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if st.Values != nil {
			n = len(st.Values.RootModule.Resources)
		}
		if n != len(names) {
			t.Fatalf("%s: %d instances in the state, want %d", step, n, len(names))
		}
	}
	failsNamingAPIURL := func(step string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", step)
		}
		if !strings.Contains(err.Error(), "api_url") {
			t.Fatalf("%s: the error does not name api_url: %v", step, err)
		}
		inState(step)
	}
	writeMain := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	writeMain(hcl(strings.TrimSuffix(e.APIURL(), "/itcare")))
	_, err := run.Plan(ctx)
	failsNamingAPIURL("wrong api_url, plan", err)
	failsNamingAPIURL("wrong api_url, apply -refresh-only", run.Refresh(ctx))
	failsNamingAPIURL("wrong api_url, apply", run.Apply(ctx))

	writeMain(hcl(e.APIURL()))
	inst, ok := e.InstanceByName(names[0])
	if !ok {
		t.Fatal("instance not found in the emulator")
	}
	e.AddFault(emulator.Fault{Kind: "body", Method: "GET", Path: fmt.Sprintf("/itcare/databases/postgresql/%d", inst.ID),
		Status: 404, ContentType: "text/html", Body: "<html><body><h1>404 Not Found</h1>nginx</body></html>"})
	_, err = run.Plan(ctx)
	failsNamingAPIURL("gateway HTML 404, plan", err)
	failsNamingAPIURL("gateway HTML 404, apply -refresh-only", run.Refresh(ctx))
	failsNamingAPIURL("gateway HTML 404, apply", run.Apply(ctx))

	e.ClearFaults()
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("right api_url, no fault: changes %v, err %v\n%s", changes, err, run.Stderr)
	}
	if n := len(e.Writes()); n != len(names) {
		t.Fatalf("%d writes, want only the %d creates", n, len(names))
	}
}

// TestAccPostgreSQL_interruptedCreate sends SIGINT to terraform (Ctrl-C)
// while the create waits for ITCare. The instance stays in the state, not
// tainted; the next apply waits for the create's action and adopts the
// instance: one create POST in all, no DELETE, and an empty plan after.
func TestAccPostgreSQL_interruptedCreate(t *testing.T) {
	e := acctest.NewEmulatorWith(t, emulator.Config{ActionDuration: 4 * time.Second})
	name := acctest.RandomName("pgaccintr")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{
		"extensions": `[{ database = "postgres", name = "pg_trgm" }]`,
	})), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	interruptCreate(ctx, t, e, run)

	if err := run.Apply(ctx); err != nil {
		t.Fatalf("apply after the interrupt: %v\n%s", err, run.Stderr)
	}
	var posts, deletes int
	for _, w := range e.Writes() {
		switch {
		case w.Method == "POST" && w.Path == "/itcare/databases/postgresql":
			posts++
		case w.Method == "DELETE":
			deletes++
		}
	}
	if posts != 1 || deletes != 0 {
		t.Fatalf("%d create POST and %d DELETE, want 1 and 0", posts, deletes)
	}
	if inst, ok := e.InstanceByName(name); !ok || inst.Status != "ACTIVE" {
		t.Fatalf("instance %+v, found %v", inst, ok)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("plan after adoption: changes %v, err %v\n%s", changes, err, run.Stderr)
	}
}

// TestAccPostgreSQL_interruptedCreateFails: when the create's action of an
// interrupted apply ends in ERROR, the next plan replaces the instance and
// says why.
func TestAccPostgreSQL_interruptedCreateFails(t *testing.T) {
	e := acctest.NewEmulatorWith(t, emulator.Config{ActionDuration: 4 * time.Second})
	name := acctest.RandomName("pgaccintf")
	e.AddFault(emulator.Fault{Kind: "action_error", InstanceName: name, Operation: "create", Count: 1, Message: "no capacity left in EB-QA"})
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	interruptCreate(ctx, t, e, run)

	run.Stdout.Reset()
	changes, err := run.Plan(ctx)
	if err != nil || !changes {
		t.Fatalf("plan after the failed create: changes %v, err %v\n%s", changes, err, run.Stderr)
	}
	out := strings.Join(strings.Fields(run.Stdout.String()), " ")
	for _, want := range []string{"must be replaced", "Will Be Replaced", "no capacity left in EB-QA"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, run.Stdout)
		}
	}
}

// interruptCreate applies run's configuration and sends SIGINT to
// terraform once ITCare is creating the instance; the instance must then
// be in the state, not tainted.
func interruptCreate(ctx context.Context, t *testing.T, e *acctest.Emulator, run *acctest.TerraformRun) {
	t.Helper()
	applyCtx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	go interruptWhenCreating(applyCtx, e, interrupt)
	if err := run.Apply(applyCtx); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	st, err := run.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Values == nil || len(st.Values.RootModule.Resources) != 1 {
		t.Fatalf("after the interrupt the state holds no instance:\n%s", run.Stderr)
	}
	if r := st.Values.RootModule.Resources[0]; r.Tainted || r.AttributeValues["id"] == nil {
		t.Fatalf("after the interrupt: tainted %v, id %v", r.Tainted, r.AttributeValues["id"])
	}
}

// TestAccPostgreSQL_passwordSwitchRefused: an instance created with
// adm_password_wo cannot switch to adm_password, whose value Terraform
// could not check: the plan is refused and nothing is sent.
func TestAccPostgreSQL_passwordSwitchRefused(t *testing.T) {
	acctest.SkipUnlessCLI(t, acctest.WriteOnlyArguments)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccpwsw")
	w := &writeCounter{e: e}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				PreConfig: w.mark,
				Config: e.Config(pgHCL(name, map[string]string{
					"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": `"An0ther!Passw0rd"`,
				})),
				ExpectError: regexp.MustCompile(`(?s)Administrator Password Cannot Change.*adm_password_wo`),
			},
			{PreConfig: noWrites(t, w), Config: e.Config(pgHCL(name, nil)), PlanOnly: true},
		},
	})
}

// noWrites is a PreConfig that fails the test if anything was written
// since w.mark.
func noWrites(t *testing.T, w *writeCounter) func() {
	return func() {
		if err := w.expect()(nil); err != nil {
			t.Error(err)
		}
	}
}

// interruptWhenCreating sends Ctrl-C once ITCare is creating an instance.
func interruptWhenCreating(ctx context.Context, e *acctest.Emulator, interrupt func()) {
	interruptWhen(ctx, interrupt, func() bool {
		for _, a := range e.Actions() {
			if a.Process == "POSTGRESQL_CREATE" && a.Status == "IN_PROGRESS" {
				return true
			}
		}
		return false
	})
}

// interruptWhen sends Ctrl-C (interrupt cancels terraform's context, and
// terraform-exec sends SIGINT) half a second after sent first holds, so
// that the provider is waiting for what it sent.
func interruptWhen(ctx context.Context, interrupt func(), sent func() bool) {
	for ctx.Err() == nil {
		if sent() {
			time.Sleep(500 * time.Millisecond)
			interrupt()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAccPostgreSQL_interruptedCreateWithRestore: a create interrupted
// before its restore ran stays tainted, as one that timed out: recording
// it untainted would record a restore that never happened.
func TestAccPostgreSQL_interruptedCreateWithRestore(t *testing.T) {
	e := acctest.NewEmulatorWith(t, emulator.Config{ActionDuration: 4 * time.Second})
	src, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgaccisrc"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE", "backupEnabled": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateInstance(src.ID, map[string]any{"creationTime": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(acctest.RandomName("pgaccirst"), map[string]string{
		"restore": fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "AFTER" }`, src.ID, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)),
	})), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	applyCtx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	go interruptWhenCreating(applyCtx, e, interrupt)
	if err := run.Apply(applyCtx); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	st, err := run.Show(ctx)
	if err != nil || st.Values == nil || len(st.Values.RootModule.Resources) != 1 {
		t.Fatalf("after the interrupt the state holds no instance: %v\n%s", err, run.Stderr)
	}
	if r := st.Values.RootModule.Resources[0]; !r.Tainted {
		t.Fatal("a create interrupted before its restore is recorded untainted")
	}
}
