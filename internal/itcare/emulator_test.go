package itcare_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// TestAgainstEmulator runs the provider's whole life cycle of an instance
// through the client against the emulator, which reads the same
// documentation independently.
func TestAgainstEmulator(t *testing.T) {
	s, err := emulator.New(emulator.Config{ActionDuration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	c, err := itcare.NewClient(itcare.Config{
		APIURL: s.APIURL(), TokenURL: s.TokenURL(), ClientID: s.ClientID(), ClientSecret: s.ClientSecret(),
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	waitOpts := itcare.WaitOptions{FirstPoll: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond}

	// run(what)(write) waits for the action of a write, if it has one.
	run := func(what string) func(*itcare.Action, error) *itcare.Action {
		return func(a *itcare.Action, err error) *itcare.Action {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if a == nil {
				return nil
			}
			done, err := c.WaitForAction(ctx, a.ID, waitOpts)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return done
		}
	}
	// patch sends an operation the way the provider does.
	patch := func(id int64, op string, opts any) (*itcare.Action, error) {
		return c.PatchPostgreSQL(ctx, id, itcare.Operation{Operation: op, Options: opts})
	}
	get := func(id int64) *itcare.PostgreSQL {
		t.Helper()
		p, err := c.GetPostgreSQL(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	yes := true
	create := func(name string) *itcare.PostgreSQL {
		t.Helper()
		a, err := c.CreatePostgreSQL(ctx, itcare.CreatePostgreSQLRequest{
			Name: name, Area: "EB-QA", NodeSizing: "2cpu4gb", DiskSize: 40, AdmPassword: "Str0ng!Passw0rd",
			PostgreVersion: "15", ServiceID: 1001, NetworkID: 2001, Topology: "STANDALONE", Trigram: "dem",
			AllowedReplicationLag: 10, BackupEnabled: &yes,
		})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		var id int64 // a nil action is settled by the lookup by name
		if a != nil {
			id = a.InternalID
		}
		run("create "+name)(a, nil)
		if id == 0 {
			found, err := c.FindPostgreSQLByName(ctx, name)
			if err != nil || len(found) != 1 {
				t.Fatalf("find %s: %v, %v", name, found, err)
			}
			id = found[0].ID
		}
		p := get(id)
		if p.Name != name {
			t.Fatalf("created %+v", p)
		}
		return p
	}

	source := create("pgsource01")
	// A day old: the restore point below is after its creation.
	if err := s.UpdateInstance(source.ID, map[string]any{"creationTime": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	db := create("pgdemo01")
	id := db.ID

	if found, err := c.FindPostgreSQLByName(ctx, "pgdemo01"); err != nil || len(found) != 1 || found[0].ID != id {
		t.Errorf("FindPostgreSQLByName = %+v, %v", found, err)
	}
	if d := db.BackupPolicyDetails; d == nil || len(d.Policies) == 0 || len(d.Backups) == 0 || d.Backups[0].BackupLastDate == nil ||
		d.Backups[0].BackupSize <= 0 || d.Policies[0].PolicyID == "" {
		t.Errorf("backups of a new instance = %+v", d)
	}
	if db.ReleasedAt == nil || db.EndOfSalesAt == nil || db.ExtendedSupportAt == nil || db.InternalResourceID == 0 {
		t.Errorf("lifecycle dates and internalResourceId = %v %v %v %d", db.ReleasedAt, db.EndOfSalesAt, db.ExtendedSupportAt, db.InternalResourceID)
	}

	// A second write while an action runs is a conflict.
	a, err := patch(id, itcare.OpResize, itcare.ResizeOptions{Sizing: "4cpu8gb"})
	if _, err2 := patch(id, itcare.OpStop, nil); !itcare.IsConflict(err2) {
		t.Errorf("write during an action: %v, want a conflict", err2)
	}
	run("resize")(a, err)
	if p := get(id); p.NodeSizing != "4cpu8gb" {
		t.Errorf("after resize nodeSizing = %q", p.NodeSizing)
	}

	running := get(id).Status
	run("stop")(patch(id, itcare.OpStop, nil))
	if p := get(id); p.Status == running {
		t.Errorf("status after stop = %q", p.Status)
	}
	run("start")(patch(id, itcare.OpStart, nil))
	if p := get(id); p.Status != running {
		t.Errorf("status after start = %q, want %q", p.Status, running)
	}

	run("update_monitoring")(patch(id, itcare.OpUpdateMonitoring, itcare.MonitoringOptions{State: true, OnCall: true}))
	if p := get(id); !p.MonitoringEnabled || !p.MonitoringOnCallEnabled {
		t.Errorf("monitoring = %v, on call = %v", p.MonitoringEnabled, p.MonitoringOnCallEnabled)
	}

	run("update_patch_party")(patch(id, itcare.OpUpdatePatchParty, itcare.PatchPartyOptions{PatchParty: itcare.PatchPartyUpdate{Excluded: true, ExclusionReason: "patched by the team"}}))
	if p := get(id); p.PatchParty == nil || !p.PatchParty.Excluded || p.PatchParty.ExcludedBy == "" || p.PatchParty.ExclusionDate == nil {
		t.Errorf("patch party = %+v", p.PatchParty)
	}

	exts, err := c.GetPostgreSQLExtensions(ctx, id)
	if err != nil || len(exts) == 0 {
		t.Fatalf("extensions = %v, %v", exts, err)
	}
	dbs, err := c.GetPostgreSQLDatabases(ctx, id)
	if err != nil || len(dbs) == 0 {
		t.Fatalf("databases = %v, %v", dbs, err)
	}
	ext := exts[len(exts)-1].Name
	run("install_extension")(patch(id, itcare.OpInstallExtension, itcare.InstallExtensionOptions{DBName: dbs[0].Name, ExtensionsList: []itcare.ExtensionName{{Name: ext}}}))
	dbs, err = c.GetPostgreSQLDatabases(ctx, id)
	if err != nil || !slices.ContainsFunc(dbs[0].Extensions, func(e itcare.DatabaseExtension) bool { return e.Name == ext }) {
		t.Errorf("databases after install = %+v, %v", dbs, err)
	}

	run("restore")(patch(id, itcare.OpRestore, itcare.RestoreOptions{
		SourceID: source.ID, Stop: "BEFORE", Timestamp: time.Now().Add(-time.Second).Format("2006-01-02T15:04:05.000-07:00"),
	}))

	versions, err := c.GetPostgreSQLVersions(ctx, id)
	if err != nil || len(versions) == 0 {
		t.Fatalf("versions = %v, %v", versions, err)
	}
	target := slices.Max(versions)
	run("upgrade")(patch(id, itcare.OpUpgrade, itcare.UpgradeOptions{TargetVersion: strconv.FormatInt(target, 10), ChangeReference: "RFC 1234"}))
	if p := get(id); p.Version != strconv.FormatInt(target, 10) {
		t.Errorf("version after upgrade = %q, want %d", p.Version, target)
	}

	run("enable_ha")(patch(id, itcare.OpEnableHA, itcare.EnableHAOptions{ReplicationLag: 50}))
	if p := get(id); p.Topology != "HA" {
		t.Errorf("topology after enable_ha = %q", p.Topology)
	}

	nodes, err := c.GetPostgreSQLNodes(ctx, id)
	if err != nil || len(nodes) < 2 {
		t.Errorf("nodes of the HA instance = %d, %v", len(nodes), err)
	}
	for _, n := range nodes {
		if n.StorageInformation == nil || len(n.StorageInformation.FileSystems) == 0 || n.StorageInformation.FileSystems[0].MountingPoint == "" {
			t.Errorf("file systems of node %s = %+v", n.Name, n.StorageInformation)
		}
	}
	if nets, err := c.GetPostgreSQLNetworks(ctx, id); err != nil || len(nets) == 0 {
		t.Errorf("networks = %v, %v", nets, err)
	}

	for _, p := range []*itcare.PostgreSQL{db, source} {
		run("delete")(c.DeletePostgreSQL(ctx, p.ID))
		if _, err := c.GetPostgreSQL(ctx, p.ID); !itcare.IsNotFound(err) {
			t.Errorf("read after delete: %v, want not found", err)
		}
	}
}

// TestWrongAPIURLNeverLosesAnInstance points a client at the emulator
// without the /itcare suffix: the emulator answers its documented JSON 404
// for the unknown path, which must not read as "the instance is gone".
func TestWrongAPIURLNeverLosesAnInstance(t *testing.T) {
	s := startEmulator(t)
	ctx := context.Background()
	good := emulatorClient(t, s, 0)
	a, err := good.CreatePostgreSQL(ctx, createRequest("pgwrongurl01", "Str0ng!Passw0rd"))
	if err != nil || a == nil || a.InternalID == 0 {
		t.Fatalf("create: %+v, %v", a, err)
	}

	wrong, err := itcare.NewClient(itcare.Config{
		APIURL: strings.TrimSuffix(s.APIURL(), "/itcare"), TokenURL: s.TokenURL(), ClientID: s.ClientID(), ClientSecret: s.ClientSecret(),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.GetPostgreSQL(ctx, a.InternalID)
	var endpointErr *itcare.EndpointError
	if itcare.IsNotFound(err) || !errors.As(err, &endpointErr) {
		t.Fatalf("read through a wrong API URL: %v, want an *EndpointError", err)
	}
	if _, err := good.GetPostgreSQL(ctx, a.InternalID); err != nil {
		t.Errorf("read through the right API URL: %v", err)
	}
	if _, err := good.GetPostgreSQL(ctx, a.InternalID+1000); !itcare.IsNotFound(err) {
		t.Errorf("read of an unknown id: %v, want not found", err)
	}
}
