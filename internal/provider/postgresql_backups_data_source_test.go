package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// backupsAsState is an instance's backupPolicyDetails as the
// itcare_postgresql_backups data source records it, sorted as it sorts
// them; nulls where the API leaves a value out.
func backupsAsState(in emulator.Instance) (backups, policies []any) {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	sizeOrNull := func(n int64) any {
		if n == 0 {
			return nil
		}
		return n
	}
	b := slices.Clone(in.BackupPolicyDetails.Backups)
	slices.SortFunc(b, func(x, y emulator.Backup) int { return int(x.ID - y.ID) })
	for _, x := range b {
		backups = append(backups, map[string]any{
			"id": x.ID, "type": orNull(x.Type), "last_backup_at": stateDate(x.BackupLastDate), "size": sizeOrNull(x.BackupSize),
		})
	}
	p := slices.Clone(in.BackupPolicyDetails.Policies)
	slices.SortFunc(p, func(x, y emulator.BackupPolicy) int { return strings.Compare(x.PolicyID, y.PolicyID) })
	for _, x := range p {
		policies = append(policies, map[string]any{
			"policy_id": orNull(x.PolicyID), "name": orNull(x.Name), "label": orNull(x.Label), "type": orNull(x.Type),
			"scope": orNull(x.Scope), "start_time": orNull(x.StartTime), "timezone": orNull(x.Timezone),
			"duration_hours": sizeOrNull(int64(x.DurationInHours)), "replication": x.Replication,
			"last_backup_at": stateDate(x.BackupLastDate), "size": sizeOrNull(x.BackupSize),
		})
	}
	return backups, policies
}

// expectEmulatorBackups checks the data source at addr against what the
// emulator's API shows of the instance named name when the check runs.
func expectEmulatorBackups(e *acctest.Emulator, addr, name string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("backups"), fromInstance(e, name, "backups", func(in emulator.Instance) any {
			b, _ := backupsAsState(in)
			return b
		})),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("policies"), fromInstance(e, name, "policies", func(in emulator.Instance) any {
			_, p := backupsAsState(in)
			return p
		})),
	}
}

// backupsAgo dates every backup of an instance d back, as if backups
// stopped then (backupStatus false, so that the emulator takes no new
// one), or moves them to d from now with a negative d.
func backupsAgo(t *testing.T, e *acctest.Emulator, id int64, d time.Duration, stop bool) {
	t.Helper()
	in, ok := e.Instance(id)
	if !ok {
		t.Fatalf("no instance %d", id)
	}
	at := time.Now().Add(-d).UTC().Format("2006-01-02T15:04:05.000Z")
	details := in.BackupPolicyDetails
	for i := range details.Backups {
		details.Backups[i].BackupLastDate = &at
		details.Backups[i].BackupSize += 1 << 20
	}
	for i := range details.Policies {
		details.Policies[i].BackupLastDate = &at
		details.Policies[i].BackupSize += 1 << 20
	}
	changes := map[string]any{"backupPolicyDetails": details}
	if stop {
		changes["backupStatus"] = false
	}
	if err := e.UpdateInstance(id, changes); err != nil {
		t.Fatal(err)
	}
}

func TestAccPostgreSQLBackupsDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	both, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgdsbkp"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
		"dbBackupPolicyId": "PG-PITR-DAILY", "serverBackupPolicyId": "SRV-WEEKLY",
	})
	if err != nil {
		t.Fatal(err)
	}
	none, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgdsnobkp"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE", "backupEnabled": false,
	})
	if err != nil {
		t.Fatal(err)
	}
	attr := tfjsonpath.New[string]
	checks := append(expectEmulatorBackups(e, "data.itcare_postgresql_backups.both", both.Name),
		statecheck.ExpectKnownValue("data.itcare_postgresql_backups.both", attr("backups"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.itcare_postgresql_backups.both", attr("policies"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.ObjectPartial(map[string]knownvalue.Check{"policy_id": knownvalue.StringExact("PG-PITR-DAILY"), "last_backup_at": knownvalue.NotNull()}),
			knownvalue.ObjectPartial(map[string]knownvalue.Check{"policy_id": knownvalue.StringExact("SRV-WEEKLY"), "last_backup_at": knownvalue.NotNull()}),
		})),
		statecheck.ExpectKnownValue("data.itcare_postgresql_backups.none", attr("backups"), knownvalue.ListExact([]knownvalue.Check{})),
		statecheck.ExpectKnownValue("data.itcare_postgresql_backups.none", attr("policies"), knownvalue.ListExact([]knownvalue.Check{})),
	)
	checks = append(checks, expectEmulatorBackups(e, "data.itcare_postgresql_backups.none", none.Name)...)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_backups" "both" {
  instance_id = %q
}

data "itcare_postgresql_backups" "none" {
  instance_id = %q
}
`, fmt.Sprint(both.ID), fmt.Sprint(none.ID))),
				ConfigStateChecks: checks,
			},
			{
				// A backup taken since: the data source reads its date.
				PreConfig: func() { backupsAgo(t, e, both.ID, -time.Second, false) },
				Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_backups" "both" {
  instance_id = %q
}
`, fmt.Sprint(both.ID))),
				ConfigStateChecks: expectEmulatorBackups(e, "data.itcare_postgresql_backups.both", both.Name),
			},
		},
	})
}

// TestAccPostgreSQLBackupsDataSource_example runs the documented example:
// its check warns about an instance whose last backup is more than a day
// old, or that has none, and stays quiet otherwise; its output is what the
// emulator shows.
func TestAccPostgreSQLBackupsDataSource_example(t *testing.T) {
	e := acctest.NewEmulator(t)
	example, err := os.ReadFile("../../examples/data-sources/itcare_postgresql_backups/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	const checkWarning = "Check block assertion failed"
	ctx := context.Background()
	run := func(name string) (*acctest.TerraformRun, []string) {
		t.Helper()
		hcl := strings.Replace(string(example), `"pgapp01"`, fmt.Sprintf("%q", name), 1)
		if hcl == string(example) {
			t.Fatal(`the example no longer looks its instance up as "pgapp01"`)
		}
		r := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.ProviderConfig()+hcl, nil)
		var found []string
		for _, w := range planWarningsJSON(t, r) {
			if strings.HasPrefix(w, checkWarning) {
				found = append(found, w)
			}
		}
		return r, found
	}
	seed := func(prefix string, backups bool) emulator.Instance {
		t.Helper()
		in, err := e.SeedInstance(map[string]any{
			"name": acctest.RandomName(prefix), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
			"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE", "backupEnabled": backups,
		})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	fresh := seed("pgexbkpok", true)
	r, warnings := run(fresh.Name)
	if len(warnings) != 0 {
		t.Errorf("an instance backed up at its creation: %q", warnings)
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("apply: %v\n%s", err, r.Stderr)
	}
	outputs, err := r.Output(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var byPolicy map[string]string
	if err := json.Unmarshal(outputs["last_backup_by_policy"].Value, &byPolicy); err != nil {
		t.Fatal(err)
	}
	view, _ := e.InstanceView(fresh.ID)
	want := map[string]string{}
	for _, p := range view.BackupPolicyDetails.Policies {
		want[p.PolicyID] = fmt.Sprint(stateDate(p.BackupLastDate))
	}
	if fmt.Sprint(byPolicy) != fmt.Sprint(want) || len(want) == 0 {
		t.Errorf("output last_backup_by_policy = %v, the emulator shows %v", byPolicy, want)
	}

	stale := seed("pgexbkpold", true)
	backupsAgo(t, e, stale.ID, 26*time.Hour, true)
	if _, warnings := run(stale.Name); len(warnings) != 1 || !strings.Contains(warnings[0], stale.Name+" has no backup from the last 24 hours (last backup: 20") {
		t.Errorf("backups stopped 26 hours ago: %q", warnings)
	}

	never := seed("pgexbkpnone", false)
	if _, warnings := run(never.Name); len(warnings) != 1 || !strings.Contains(warnings[0], "(last backup: none)") {
		t.Errorf("an instance without backups: %q", warnings)
	}
}
