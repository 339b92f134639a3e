package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
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

// seedRestoreSource seeds an ACTIVE, backed-up instance created a day ago,
// so that a restore point an hour or two ago is after its creation.
func seedRestoreSource(t *testing.T, e *acctest.Emulator, version string) int64 {
	t.Helper()
	src, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgaccsrc"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": version, "topology": "STANDALONE",
		"allowedReplicationLag": 10, "backupEnabled": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateInstance(src.ID, map[string]any{"creationTime": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	return src.ID
}

// restoresAccepted returns the restore requests the emulator accepted.
func restoresAccepted(e *acctest.Emulator) []emulator.RequestRecord {
	var out []emulator.RequestRecord
	for _, r := range e.Requests() {
		if r.Method == http.MethodPatch && r.Operation == itcare.OpRestore && r.Status == http.StatusAccepted {
			out = append(out, r)
		}
	}
	return out
}

// restoreBodies returns the options of the restores the emulator accepted.
func restoreBodies(t *testing.T, e *acctest.Emulator) []itcare.RestoreOptions {
	t.Helper()
	var out []itcare.RestoreOptions
	for _, r := range restoresAccepted(e) {
		var body struct {
			Options itcare.RestoreOptions `json:"options"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("restore body %q: %v", r.Body, err)
		}
		out = append(out, body.Options)
	}
	return out
}

// expectRestores checks the restores sent since mark, and that nothing
// else was written.
func expectRestores(t *testing.T, e *acctest.Emulator, w *writeCounter, source int64, points ...time.Time) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := make([]string, len(points))
		for i := range points {
			want[i] = "PATCH /itcare/databases/postgresql/"
		}
		if err := w.expect(want...)(nil); err != nil {
			return err
		}
		all := restoreBodies(t, e)
		got := all[len(all)-len(points):]
		for i, p := range points {
			ts, err := itcare.ParseTime(got[i].Timestamp)
			if err != nil || got[i].SourceID != source || !ts.Equal(p) || got[i].Stop != "BEFORE" {
				return fmt.Errorf("restore %d sent %+v, want source %d, timestamp %s, stop BEFORE", i, got[i], source, p.Format(time.RFC3339))
			}
		}
		return nil
	}
}

// TestAccPostgreSQL_restoreInPlace: on an existing instance, a new restore
// block is an update in place that sends one restore and waits for it;
// another timestamp restores again; the same instant written otherwise and
// removing the block send nothing.
func TestAccPostgreSQL_restoreInPlace(t *testing.T) {
	e := acctest.NewEmulator(t)
	source := seedRestoreSource(t, e, "15")
	name := acctest.RandomName("pgaccinplace")
	w := &writeCounter{e: e}
	lastNight := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	earlier := lastNight.Add(-time.Hour)
	withRestore := func(ts string) string {
		return e.Config(pgHCL(name, map[string]string{
			"restore": fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "BEFORE" }`, source, ts),
		}))
	}
	inPlace := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				PreConfig:        w.mark,
				Config:           withRestore(lastNight.Format(time.RFC3339)),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"restore": knownvalue.ObjectExact(map[string]knownvalue.Check{
					"source_id": knownvalue.Int64Exact(source), "timestamp": knownvalue.StringExact(lastNight.Format(time.RFC3339)),
					"stop": knownvalue.StringExact("BEFORE"),
				})}),
				Check: expectRestores(t, e, w, source, lastNight),
			},
			{
				PreConfig:        w.mark,
				Config:           withRestore(earlier.Format(time.RFC3339)),
				ConfigPlanChecks: inPlace,
				Check:            expectRestores(t, e, w, source, earlier),
			},
			{
				// The same instant, written with an offset: nothing sent.
				PreConfig:        w.mark,
				Config:           withRestore(earlier.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.000-07:00")),
				ConfigPlanChecks: inPlace,
				Check:            w.expect(),
			},
			{
				// Removing the block stops recording it: nothing sent.
				PreConfig:        w.mark,
				Config:           e.Config(pgHCL(name, nil)),
				ConfigPlanChecks: inPlace,
				Check:            w.expect(),
			},
		},
	})
}

// TestAccPostgreSQL_restoreInPlaceWarns: the plan of a restore into an
// existing instance says that its data will be overwritten.
func TestAccPostgreSQL_restoreInPlaceWarns(t *testing.T) {
	skipUnlessAcc(t)
	acctest.PreCheck(t)
	e := acctest.NewEmulator(t)
	source := seedRestoreSource(t, e, "15")
	name := acctest.RandomName("pgaccwarn")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, run.Stderr)
	}
	t.Cleanup(func() { _ = run.Destroy(context.Background()) })
	point := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{
		"restore": fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "BEFORE" }`, source, point),
	})))
	warnings := strings.Join(planWarningsJSON(t, run), "\n")
	want := fmt.Sprintf("Restore Overwrites Data: Restoring the PostgreSQL instance %q", name)
	if !strings.Contains(warnings, want) || !strings.Contains(warnings, fmt.Sprintf("the instance %d's data as of %s", source, point)) {
		t.Errorf("no overwrite warning naming the source and the point; warnings:\n%s", warnings)
	}
}

// TestAccPostgreSQL_restoreInPlaceChecks: every rule of the reference page
// that the API lets the plan check refuses a restore into an existing
// instance before anything is written.
func TestAccPostgreSQL_restoreInPlaceChecks(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacccheck")
	good := seedRestoreSource(t, e, "15")
	otherVersion := seedRestoreSource(t, e, "14")
	stopped := seedRestoreSource(t, e, "15")
	if err := e.UpdateInstance(stopped, map[string]any{"status": emulator.StatusStopped}); err != nil {
		t.Fatal(err)
	}
	notBackedUp := seedRestoreSource(t, e, "15")
	if err := e.UpdateInstance(notBackedUp, map[string]any{"backupStatus": false}); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	restore := func(source any, ts string) string {
		return e.Config(pgHCL(name, map[string]string{
			"restore": fmt.Sprintf(`{ source_id = %v, timestamp = %q, stop = "BEFORE" }`, source, ts),
		}))
	}
	w := &writeCounter{e: e}
	refused := func(cfg, pattern string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(pattern)}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil)), Check: func(*terraform.State) error { w.mark(); return nil }},
			refused(restore(999999, hourAgo), `(?s)Restore Source Not Found.*999999`),
			refused(restore(stopped, hourAgo), `(?s)Restore Source Not Active.*ACTIVE`),
			refused(restore(otherVersion, hourAgo), `(?s)Restore Source Version Differs.*PostgreSQL 14`),
			refused(restore(notBackedUp, hourAgo), `(?s)Restore Source Not Backed Up`),
			refused(restore(good, time.Now().Add(-8*24*time.Hour).UTC().Format(time.RFC3339)), `(?s)Restore Point Too Old.*7\s+days`),
			refused(restore(good, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), `(?s)Restore Point In The Future`),
			{
				// Nothing was written by any of the refused plans.
				Config: e.Config(pgHCL(name, nil)),
				Check:  w.expect(),
			},
		},
	})
}

// TestAccPostgreSQL_restoreInPlaceResumed: a restore whose wait timed out
// is recorded in private state; the next refresh waits for its action and
// records the restore, and no second restore is ever sent.
func TestAccPostgreSQL_restoreInPlaceResumed(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	source := seedRestoreSource(t, e, "15")
	name := acctest.RandomName("pgaccresumed")
	point := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cfg := e.Config(pgHCL(name, map[string]string{
		"timeouts": `{ update = "3s" }`,
		"restore":  fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "BEFORE" }`, source, point),
	}))
	restores := func() int { return len(restoreBodies(t, e)) }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, map[string]string{"timeouts": `{ update = "3s" }`}))},
			{
				PreConfig: func() {
					e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: itcare.OpRestore, Count: 1})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Error Updating PostgreSQL Instance.*timeouts\.update.*next\s+refresh\s+or\s+apply\s+waits\s+for\s+it`),
			},
			{
				PreConfig: func() {
					if n := restores(); n != 1 {
						t.Errorf("%d restores while the action hung, want 1", n)
					}
					e.ClearFaults()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := restores(); n != 1 {
						return fmt.Errorf("%d restore requests, want exactly 1", n)
					}
					return nil
				},
			},
		},
	})
}

// TestAccPostgreSQL_restoreInPlaceInterrupted: Ctrl-C while a restore in
// place runs records its action; the next apply waits for it and records
// the restore, and no second restore is ever sent (it would overwrite what
// was written since).
func TestAccPostgreSQL_restoreInPlaceInterrupted(t *testing.T) {
	skipUnlessAcc(t)
	acctest.PreCheck(t)
	e := acctest.NewEmulatorWith(t, emulator.Config{ActionDuration: 4 * time.Second})
	source := seedRestoreSource(t, e, "15")
	name := acctest.RandomName("pgaccrstint")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, run.Stderr)
	}
	t.Cleanup(func() { _ = run.Destroy(context.Background()) })
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{
		"restore": fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "BEFORE" }`, source, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)),
	})))
	applyCtx, interrupt := context.WithCancel(ctx)
	// Not restoreBodies: its t.Fatalf must not run outside the test's goroutine.
	go interruptWhen(applyCtx, interrupt, func() bool { return len(restoresAccepted(e)) > 0 })
	if err := run.Apply(applyCtx); err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	interrupt()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("apply after the interrupt: %v\n%s", err, run.Stderr)
	}
	if n := len(restoreBodies(t, e)); n != 1 {
		t.Errorf("%d restores sent, want exactly 1", n)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Errorf("plan after the restore: changes %v, err %v\n%s", changes, err, run.Stderr)
	}
}
