package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBackupPolicyLastRun(t *testing.T) {
	daily := BackupPolicy{StartTime: "22:00", Timezone: "Europe/Paris", Frequencies: map[string]any{"daily": true}}
	weekly := BackupPolicy{StartTime: "01:00", Timezone: "Europe/Paris", Frequencies: map[string]any{"weekly": "SUNDAY"}}
	for _, tc := range []struct {
		name   string
		policy BackupPolicy
		now    string
		want   string // "" for none
	}{
		{"daily, after today's start (summer time)", daily, "2025-07-10T21:30:00Z", "2025-07-10T20:00:00Z"},
		{"daily, before today's start: yesterday's", daily, "2025-07-10T19:59:59Z", "2025-07-09T20:00:00Z"},
		{"daily, at the start", daily, "2025-07-10T20:00:00Z", "2025-07-10T20:00:00Z"},
		{"daily, winter time", daily, "2025-01-10T23:00:00Z", "2025-01-10T21:00:00Z"},
		{"daily, the day clocks go back", daily, "2025-10-26T22:00:00Z", "2025-10-26T21:00:00Z"},
		{"weekly on Sunday, from a Wednesday", weekly, "2025-07-09T12:00:00Z", "2025-07-05T23:00:00Z"},
		{"weekly on Sunday, on the Sunday before the start", weekly, "2025-07-05T22:00:00Z", "2025-06-28T23:00:00Z"},
		{"unknown zone and start: midnight UTC", BackupPolicy{StartTime: "soon", Timezone: "Mars/Olympus"}, "2025-07-10T12:00:00Z", "2025-07-10T00:00:00Z"},
		{"no zone: UTC", BackupPolicy{StartTime: "03:15"}, "2025-07-10T03:00:00Z", "2025-07-09T03:15:00Z"},
		{"a weekday that is not one", BackupPolicy{StartTime: "01:00", Frequencies: map[string]any{"weekly": "SOMEDAY"}}, "2025-07-10T12:00:00Z", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.policy.lastRun(mustTime(t, tc.now))
			switch {
			case tc.want == "" && ok:
				t.Errorf("lastRun = %s, want none", got)
			case tc.want != "" && (!ok || !got.Equal(mustTime(t, tc.want))):
				t.Errorf("lastRun = %s, %v; want %s", got.UTC(), ok, tc.want)
			}
		})
	}
}

// A seeded instance is backed up at once; its backups then follow the
// schedule whenever the state is read, keep a later date set out of band,
// and stop when backups are turned off.
func TestBackupsFollowTheClock(t *testing.T) {
	e := newEnv(t, testDuration)
	in := e.seed(with(validCreate("pgbackups01"), "serverBackupPolicyId", "SRV-WEEKLY"))
	d := in.BackupPolicyDetails
	if len(d.Policies) != 2 || len(d.Backups) != 2 {
		t.Fatalf("backup details %+v", d)
	}
	created := mustAPITime(t, in.CreationTime)
	wantBytes := int64(3) * emptyDatabaseBytes // postgres, template0 and template1
	for i, p := range d.Policies {
		b := d.Backups[i]
		if b.ID != in.ID*10+int64(i)+1 || b.Type != p.Type || b.BackupLastDate == nil || p.BackupLastDate == nil ||
			!mustAPITime(t, *b.BackupLastDate).Equal(created) || *p.BackupLastDate != *b.BackupLastDate {
			t.Errorf("first backup of %s: backup %+v, policy date %v; want the creation time %s", p.PolicyID, b, p.BackupLastDate, in.CreationTime)
		}
		want := wantBytes
		if p.Scope == "SERVER" {
			want += systemBytes
		}
		if b.BackupSize != want || p.BackupSize != want {
			t.Errorf("size of %s: backup %d, policy %d; want %d", p.PolicyID, b.BackupSize, p.BackupSize, want)
		}
	}

	// Eight days later (the dates moved back, the creation too): each
	// policy's last scheduled run, daily or weekly, is its last backup.
	old := time.Now().Add(-8 * 24 * time.Hour).UTC().Format(apiTimeLayout)
	stale := BackupPolicyDetails{Policies: d.Policies, Backups: d.Backups}
	for i := range stale.Policies {
		stale.Policies[i].BackupLastDate, stale.Backups[i].BackupLastDate = strPtr(old), strPtr(old)
	}
	if err := e.srv.UpdateInstance(in.ID, map[string]any{"creationTime": old, "backupPolicyDetails": stale}); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	got := e.readBackups(in.ID)
	after := time.Now()
	for i, p := range got.Policies {
		// A run may fall between the two instants.
		run, _ := p.lastRun(before)
		later, _ := p.lastRun(after)
		if p.BackupLastDate == nil || (!mustAPITime(t, *p.BackupLastDate).Equal(run) && !mustAPITime(t, *p.BackupLastDate).Equal(later)) ||
			*got.Backups[i].BackupLastDate != *p.BackupLastDate {
			t.Errorf("%s after eight days: policy %v, backup %v; want the last run %s", p.PolicyID, p.BackupLastDate, got.Backups[i].BackupLastDate, run.UTC())
		}
	}

	// A later date set out of band (a backup made by hand) stays.
	fresh := time.Now().UTC().Truncate(time.Millisecond).Format(apiTimeLayout)
	got.Policies[0].BackupLastDate, got.Backups[0].BackupLastDate = strPtr(fresh), strPtr(fresh)
	if err := e.srv.UpdateInstance(in.ID, map[string]any{"backupPolicyDetails": got}); err != nil {
		t.Fatal(err)
	}
	if again := e.readBackups(in.ID); *again.Policies[0].BackupLastDate != fresh || *again.Backups[0].BackupLastDate != fresh {
		t.Errorf("a later date set out of band: %v, %v; want %s", again.Policies[0].BackupLastDate, again.Backups[0].BackupLastDate, fresh)
	}

	// With backups off, nothing moves.
	stale.Policies[0].BackupLastDate, stale.Backups[0].BackupLastDate = strPtr(old), strPtr(old)
	if err := e.srv.UpdateInstance(in.ID, map[string]any{"backupStatus": false, "backupPolicyDetails": stale}); err != nil {
		t.Fatal(err)
	}
	if off := e.readBackups(in.ID); *off.Policies[0].BackupLastDate != old || *off.Backups[0].BackupLastDate != old {
		t.Errorf("backups off: %v, %v; want %s kept", off.Policies[0].BackupLastDate, off.Backups[0].BackupLastDate, old)
	}
}

// An instance created through the API has no backup until its create
// ends, then one dated at its end; one created without backups has none.
func TestBackupsOfACreatedInstance(t *testing.T) {
	e := newEnv(t, testDuration)
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("pgbackups02")), 202)
	id := int64(r.obj()["internalId"].(float64))
	if d := e.readBackups(id); len(d.Backups) != 0 || len(d.Policies) != 1 || d.Policies[0].BackupLastDate != nil {
		t.Errorf("backups while creating: %+v", d)
	}
	a := e.waitAction(r.actionID())
	d := e.readBackups(id)
	if len(d.Backups) != 1 || d.Backups[0].BackupLastDate == nil || *d.Backups[0].BackupLastDate != a["completedAt"] {
		t.Errorf("backups after the create: %+v, want one at %v", d, a["completedAt"])
	}

	r = e.mustStatus(e.call("POST", "/itcare/databases/postgresql", with(validCreate("pgbackups03"), "backupEnabled", false)), 202)
	e.waitAction(r.actionID())
	if d := e.readBackups(int64(r.obj()["internalId"].(float64))); len(d.Backups) != 0 || len(d.Policies) != 0 {
		t.Errorf("an instance without backups: %+v", d)
	}
}

func TestNodeStorage(t *testing.T) {
	mem := nodeStorage(40, 0)
	if len(mem.FileSystems) != 2 || mem.FileSystems[1].MountingPoint != "/var/lib/postgresql" || mem.FileSystems[1].SizeOf != 40 || mem.FileSystems[1].Free != 36 {
		t.Errorf("memory layout %+v", mem)
	}
	for _, tc := range []struct{ bytes, free int64 }{{30 * mib, 39}, {gib, 39}, {gib + 1, 38}, {100 * gib, 0}} {
		if got := nodeStorage(40, tc.bytes).FileSystems[1].Free; got != tc.free {
			t.Errorf("free with %d bytes of databases = %d, want %d", tc.bytes, got, tc.free)
		}
	}
}

func mustAPITime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := parseAPITime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// readBackups reads an instance's backup details through the API.
func (e *env) readBackups(id int64) BackupPolicyDetails {
	e.t.Helper()
	var in Instance
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id), nil), 200).raw, &in); err != nil {
		e.t.Fatal(err)
	}
	return in.BackupPolicyDetails
}
