package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// TestAccPostgreSQL_stoppedInstanceChanges: an extension added to, and an
// upgrade of, an instance that is and stays stopped apply (ITCare runs
// them only on a running instance: the update starts it, runs them and
// stops it again), and the plan after is empty.
func TestAccPostgreSQL_stoppedInstanceChanges(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccstopped")
	stopped := map[string]string{"power_state": `"stopped"`}
	changed := map[string]string{"power_state": `"stopped"`, "extensions": `[{ database = "postgres", name = "pg_trgm" }]`,
		"version": `"16"`, "allow_major_version_upgrade": "true"}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, stopped))},
			inPlaceStep(e, pgHCL(name, changed), map[string]knownvalue.Check{
				"power_state": knownvalue.StringExact("stopped"), "status": knownvalue.StringExact("STOPPED"), "version": knownvalue.StringExact("16"),
			},
				`{"operation":"start"}`,
				`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`,
				`{"operation":"install_extension","options":{"dbname":"postgres","extensions_list":[{"name":"pg_trgm"}]}}`,
				`{"operation":"stop"}`),
		},
	})
}

// TestAccPostgreSQL_promiseWarnings reads the plan's warnings from
// terraform plan -json: the start and stop around a change on a stopped
// instance, and the restart an extension's install causes, are said.
func TestAccPostgreSQL_promiseWarnings(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccwarn")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{"power_state": `"stopped"`})), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{
		"power_state": `"stopped"`, "extensions": `[{ database = "postgres", name = "pgaudit" }]`,
	})))
	warnings := planWarningsJSON(t, run)
	for _, want := range []string{
		"Stopped Instance Started for the Change: ITCare runs install_extension only on a running instance",
		"Extension Install Restarts PostgreSQL: Installing pgaudit restarts PostgreSQL",
	} {
		found := false
		for _, w := range warnings {
			found = found || strings.HasPrefix(w, want)
		}
		if !found {
			t.Errorf("no warning %q in %q", want, warnings)
		}
	}
	for _, w := range warnings {
		if strings.HasPrefix(w, "Stop Causes Downtime") {
			t.Errorf("an instance that stays stopped gets a downtime warning: %q", w)
		}
	}
}

// planWarningsJSON runs terraform plan -json and returns each warning as
// "summary: detail" (the human output folds warnings sharing a summary).
func planWarningsJSON(t *testing.T, run *acctest.TerraformRun) []string {
	t.Helper()
	var plan bytes.Buffer
	if _, err := run.PlanJSON(context.Background(), &plan); err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, run.Stderr)
	}
	var warnings []string
	sc := bufio.NewScanner(&plan)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Type == "diagnostic" && msg.Diagnostic.Severity == "warning" {
			warnings = append(warnings, msg.Diagnostic.Summary+": "+strings.Join(strings.Fields(msg.Diagnostic.Detail), " "))
		}
	}
	return warnings
}

// writeMain replaces run's configuration.
func writeMain(t *testing.T, run *acctest.TerraformRun, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAccPostgreSQL_extensionAlreadyInstalled: an extension installed by
// other means, then added to the configuration, is recorded without an
// install_extension; the plan says so, and the plan after is empty.
func TestAccPostgreSQL_extensionAlreadyInstalled(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccinst")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	inst, _ := e.InstanceByName(name)
	if err := e.UpdateInstance(inst.ID, map[string]any{"databases": []any{
		map[string]any{"name": "postgres", "extensions": []any{
			map[string]any{"name": "plpgsql", "schema": "pg_catalog", "version": "1.0"},
			map[string]any{"name": "pg_trgm", "schema": "public", "version": "1.6"},
		}},
	}}); err != nil {
		t.Fatal(err)
	}
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{
		"extensions": `[{ database = "postgres", name = "pg_trgm" }]`,
	})))
	warnings := planWarningsJSON(t, run)
	if !slices.ContainsFunc(warnings, func(w string) bool {
		return strings.HasPrefix(w, "Extensions Already Installed: pg_trgm in database postgres is already installed")
	}) {
		t.Errorf("no Extensions Already Installed warning in %q", warnings)
	}
	before := len(e.Writes())
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("apply: %v\n%s", err, run.Stderr)
	}
	if got := e.Writes()[before:]; len(got) != 0 {
		t.Errorf("the apply sent %+v, want nothing", got)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("plan after: changes %v, err %v\n%s", changes, err, run.Stdout)
	}
}

// TestAccPostgreSQL_deletionInProgressShown: after a delete that timed out
// while ITCare still deletes, the refresh records the real status and
// warns that the instance is being deleted.
func TestAccPostgreSQL_deletionInProgressShown(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccdeleting")
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{"timeouts": `{ delete = "2s" }`})), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: "delete", Count: 1})
	if err := run.Destroy(ctx); err == nil {
		t.Fatal("the destroy of a hung delete succeeded")
	}
	warnings := planWarningsJSON(t, run)
	if !slices.ContainsFunc(warnings, func(w string) bool {
		return strings.HasPrefix(w, "PostgreSQL Instance Being Deleted: ITCare is deleting")
	}) {
		t.Errorf("no Being Deleted warning in %q", warnings)
	}
	if err := run.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := run.Show(ctx)
	if err != nil || st.Values == nil || len(st.Values.RootModule.Resources) != 1 {
		t.Fatalf("state: %v", err)
	}
	if got := st.Values.RootModule.Resources[0].AttributeValues["status"]; got != "DELETING" {
		t.Errorf("status in the state %v, want DELETING", got)
	}
	e.ClearFaults()
}

// TestAccPostgreSQL_replacementCauseNamed: removing allowed_replication_lag
// after a switch to HA replaces the instance; the plan names that
// attribute as the cause, beside what the new instance lacks.
func TestAccPostgreSQL_replacementCauseNamed(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacccause")
	ha := map[string]string{"topology": `"HA"`, "allowed_replication_lag": "50"}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, nil)), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, ha)))
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("enable HA: %v\n%s", err, run.Stderr)
	}
	writeMain(t, run, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{"topology": `"HA"`})))
	_, err := run.Plan(ctx)
	if err == nil {
		t.Fatal("the plan of a replacement whose new instance lacks node_prefix passed")
	}
	text := strings.Join(strings.Fields(err.Error()+" "+run.Stdout.String()), " ")
	for _, want := range []string{"PostgreSQL Instance Will Be Replaced", "because allowed_replication_lag cannot change in place", "node_prefix"} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q:\n%s", want, text)
		}
	}
}

// TestAccPostgreSQL_passwordGuardNotBypassedThroughNull: a password
// attribute removed, applied, then set again with another value is refused
// like any password change ITCare cannot make, for adm_password_wo_version
// and for adm_password alike; removing it sends nothing.
func TestAccPostgreSQL_passwordGuardNotBypassedThroughNull(t *testing.T) {
	for _, c := range []struct {
		name             string
		created, removed map[string]string
		setAgain         map[string]string
		attr             string
	}{
		{"adm_password_wo_version", nil,
			map[string]string{"adm_password_wo_version": ""},
			map[string]string{"adm_password_wo": `"An0ther!Passw0rd"`, "adm_password_wo_version": "2"}, "adm_password_wo_version"},
		{"adm_password",
			map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": `"Str0ng!Passw0rd"`},
			map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": ""},
			map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": `"An0ther!Passw0rd"`}, "adm_password"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.HasPrefix(c.attr, "adm_password_wo") {
				acctest.SkipUnlessCLI(t, acctest.WriteOnlyArguments)
			}
			e := acctest.NewEmulator(t)
			name := acctest.RandomName("pgaccpwnull")
			w := &writeCounter{e: e}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             e.CheckDestroy,
				Steps: []resource.TestStep{
					{Config: e.Config(pgHCL(name, c.created))},
					{PreConfig: w.mark, Config: e.Config(pgHCL(name, c.removed)), Check: w.expect()},
					{
						Config:      e.Config(pgHCL(name, c.setAgain)),
						ExpectError: regexp.MustCompile(`(?s)Administrator Password Cannot Change.*` + c.attr + `.*cannot\s+be\s+set\s+again`),
					},
					{PreConfig: noWrites(t, w), Config: e.Config(pgHCL(name, c.removed)), PlanOnly: true},
				},
			})
		})
	}
}

// TestAccPostgreSQL_raisedTimeoutShownAtPlan: after an update timed out,
// a raised timeouts.update is the one the plan says the apply will wait
// with; the refresh says its own wait used the recorded one.
func TestAccPostgreSQL_raisedTimeoutShownAtPlan(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacctmo")
	cfg := func(timeout string) string {
		return acctest.RequiredProviders() + e.Config(pgHCL(name, map[string]string{
			"version": `"16"`, "allow_major_version_upgrade": "true", "timeouts": fmt.Sprintf(`{ update = %q }`, timeout),
		}))
	}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, map[string]string{"timeouts": `{ update = "2s" }`})), nil)
	ctx := context.Background()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	e.AddFault(emulator.Fault{Kind: emulator.FaultActionHang, InstanceName: name, Operation: "upgrade", Count: 1})
	writeMain(t, run, cfg("2s"))
	if err := run.Apply(ctx); err == nil {
		t.Fatal("the hung upgrade did not time out")
	}
	writeMain(t, run, cfg("7m"))
	warnings := planWarningsJSON(t, run)
	for _, want := range []string{
		"Apply Waits for a Running ITCare Action: ITCare action",
		"up to 7m as the configuration's timeouts say",
		"the refresh waited 2s for it, the timeout recorded by the last apply",
	} {
		if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no warning saying %q in %q", want, warnings)
		}
	}
	e.ClearFaults()
}

// TestAccPostgreSQL_readModelPlansEmpty: with the read model's lifecycle
// dates, internal id and exclusion fields on the resource, and a resource
// and an output that use them, the plan after apply is empty; when backups
// move on (a new backup taken out of band, then backups stopped with their
// dates two days back) the plan stays empty, since backup dates are only on
// the itcare_postgresql_backups data source, which reads them anew.
func TestAccPostgreSQL_readModelPlansEmpty(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccbkpplan")
	cfg := e.Config(pgHCL(name, map[string]string{"patch_party": `{ excluded = true, exclusion_reason = "month-end freeze" }`}) + `
data "itcare_postgresql_backups" "db" {
  instance_id = itcare_postgresql.db.id
}

resource "terraform_data" "inventory" {
  input = {
    released_at          = itcare_postgresql.db.released_at
    end_of_sales_at      = itcare_postgresql.db.end_of_sales_at
    extended_support_at  = itcare_postgresql.db.extended_support_at
    internal_resource_id = itcare_postgresql.db.internal_resource_id
    excluded_by          = itcare_postgresql.db.patch_party.excluded_by
    exclusion_date       = itcare_postgresql.db.patch_party.exclusion_date
  }
}

output "lifecycle" {
  value = terraform_data.inventory.output
}
`)
	id := func() int64 {
		n, err := instanceID(e, name)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	unchanged := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionNoop),
			plancheck.ExpectEmptyPlan(),
		},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
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
				ConfigStateChecks: append(expectEmulatorBackups(e, "data.itcare_postgresql_backups.db", name),
					expectValues(pgAddr, withChecks(lifecycleChecks(e, name), map[string]knownvalue.Check{
						"patch_party": knownvalue.ObjectPartial(exclusionChecks(e, name)),
					}))...),
			},
			{
				PreConfig:         func() { backupsAgo(t, e, id(), -time.Second, false) },
				Config:            cfg,
				ConfigPlanChecks:  unchanged,
				ConfigStateChecks: expectEmulatorBackups(e, "data.itcare_postgresql_backups.db", name),
			},
			{
				PreConfig: func() { backupsAgo(t, e, id(), 48*time.Hour, true) },
				Config:    cfg,
				// backup_status changes with them: a read-only value, recorded
				// by the refresh without a planned change.
				ConfigPlanChecks: unchanged,
				ConfigStateChecks: append(expectEmulatorBackups(e, "data.itcare_postgresql_backups.db", name),
					statecheck.ExpectKnownValue(pgAddr, tfjsonpath.New("backup_status"), knownvalue.Bool(false))),
			},
		},
	})
}
