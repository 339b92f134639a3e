package provider

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// fakePrivate is private state held in memory.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, k string) ([]byte, diag.Diagnostics) { return p[k], nil }

func (p fakePrivate) SetKey(_ context.Context, k string, v []byte) diag.Diagnostics {
	if len(v) == 0 {
		delete(p, k)
	} else {
		p[k] = v
	}
	return nil
}

func TestPendingActionPrivateState(t *testing.T) {
	ctx := context.Background()
	p := fakePrivate{}
	if got, d := getPendingAction(ctx, p); got != nil || d.HasError() {
		t.Fatalf("empty private state: %v %v", got, d)
	}
	want := &pendingAction{ActionID: 1200007, Operation: itcare.OpInstallExtension, Database: "app", Extensions: []string{"citext", "hstore"}}
	if d := setPendingAction(ctx, p, want); d.HasError() {
		t.Fatal(d)
	}
	got, _ := getPendingAction(ctx, p)
	if got == nil || !reflect.DeepEqual(*got, *want) {
		t.Fatalf("round trip %+v, want %+v", got, want)
	}
	if !got.matches(operation{Name: itcare.OpInstallExtension, Database: "app"}) || got.matches(operation{Name: itcare.OpInstallExtension, Database: "web"}) {
		t.Error("a pending install matches by database")
	}
	_ = setPendingAction(ctx, p, nil)
	if got, _ := getPendingAction(ctx, p); got != nil || len(p) != 0 {
		t.Errorf("not cleared: %+v %v", got, p)
	}
	p[pendingActionKey] = []byte(`{"unexpected": true}`)
	if got, _ := getPendingAction(ctx, p); got != nil {
		t.Errorf("an unreadable record is ignored, got %+v", got)
	}
}

func installOp(db string, names ...string) operation {
	opts := itcare.InstallExtensionOptions{DBName: db}
	for _, n := range names {
		opts.ExtensionsList = append(opts.ExtensionsList, itcare.ExtensionName{Name: n})
	}
	return operation{Name: itcare.OpInstallExtension, Database: db, Options: opts}
}

func TestPendingActionMatches(t *testing.T) {
	resize := operation{Name: itcare.OpResize, Options: itcare.ResizeOptions{Sizing: "4cpu8gb"}}
	cases := []struct {
		name    string
		pending pendingAction
		op      operation
		want    bool
	}{
		{"same operation", *pendingFor(resize, 7), resize, true},
		{"other operation", *pendingFor(resize, 7), operation{Name: itcare.OpStop}, false},
		{"install, same database and extensions", *pendingFor(installOp("app", "citext", "hstore"), 7), installOp("app", "hstore", "citext"), true},
		{"install, fewer extensions than the action installs", *pendingFor(installOp("app", "citext", "hstore"), 7), installOp("app", "hstore"), true},
		{"install, an extension the action does not install", *pendingFor(installOp("app", "citext"), 7), installOp("app", "citext", "hstore"), false},
		{"install, other database", *pendingFor(installOp("app", "citext"), 7), installOp("web", "citext"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.pending.matches(c.op); got != c.want {
				t.Errorf("%+v matches %s = %v, want %v", c.pending, c.op.label(), got, c.want)
			}
		})
	}
}

func TestPendingFor(t *testing.T) {
	got := pendingFor(installOp("app", "citext", "hstore"), 12)
	want := &pendingAction{ActionID: 12, Operation: itcare.OpInstallExtension, Database: "app", Extensions: []string{"citext", "hstore"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("install: %+v, want %+v", got, want)
	}
	got = pendingFor(operation{Name: itcare.OpResize, Options: itcare.ResizeOptions{Sizing: "4cpu8gb"}}, 13)
	want = &pendingAction{ActionID: 13, Operation: itcare.OpResize}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resize: %+v, want %+v", got, want)
	}
}

func TestTrackPendingExtensions(t *testing.T) {
	ctx := context.Background()
	null := types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	cases := []struct {
		name    string
		tracked types.Set
		pending *pendingAction
		want    []string // nil: tracked comes back unchanged
	}{
		{name: "no pending action", tracked: extSet(t, "app/hstore")},
		{name: "pending resize", tracked: extSet(t, "app/hstore"), pending: &pendingAction{ActionID: 1, Operation: itcare.OpResize}},
		{name: "install without its extensions", tracked: null, pending: &pendingAction{ActionID: 1, Operation: itcare.OpInstallExtension, Database: "app"}},
		{name: "install on a state without extensions", tracked: null,
			pending: pendingFor(installOp("postgres", "pg_trgm"), 1), want: []string{"postgres/pg_trgm"}},
		{name: "install added to the tracked ones", tracked: extSet(t, "app/hstore"),
			pending: pendingFor(installOp("web", "citext"), 1), want: []string{"app/hstore", "web/citext"}},
		{name: "extension already tracked", tracked: extSet(t, "app/hstore"),
			pending: pendingFor(installOp("app", "hstore", "citext"), 1), want: []string{"app/citext", "app/hstore"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, d := trackPendingExtensions(ctx, c.tracked, c.pending)
			if d.HasError() {
				t.Fatal(d)
			}
			if c.want == nil {
				if !got.Equal(c.tracked) {
					t.Errorf("got %s, want it unchanged: %s", got, c.tracked)
				}
				return
			}
			if keys := extensionKeys(t, got); !slices.Equal(keys, c.want) {
				t.Errorf("got %v, want %v", keys, c.want)
			}
		})
	}
}

func TestTargetReached(t *testing.T) {
	pg := &itcare.PostgreSQL{
		Status: "ACTIVE", NodeSizing: "4cpu8gb", Version: "16.2", Topology: "ha",
		MonitoringEnabled: true, MonitoringOnCallEnabled: false,
		PatchParty: &itcare.PatchParty{Excluded: true, ExclusionReason: "freeze", PatchGroup: "g1"},
	}
	dbs := []itcare.Database{{Name: "app", Extensions: []itcare.DatabaseExtension{{Name: "hstore"}, {Name: "citext"}}}}
	stopped := *pg
	stopped.Status = "STOPPED"
	starting := *pg
	starting.Status = "STARTING"
	noPatchParty := *pg
	noPatchParty.PatchParty = nil
	pp := func(u itcare.PatchPartyUpdate) operation {
		return operation{Name: itcare.OpUpdatePatchParty, Options: itcare.PatchPartyOptions{PatchParty: u}}
	}
	cases := []struct {
		name string
		o    operation
		pg   *itcare.PostgreSQL
		want bool
	}{
		{"start, running", operation{Name: itcare.OpStart}, pg, true},
		{"start, stopped", operation{Name: itcare.OpStart}, &stopped, false},
		{"start, transitional status", operation{Name: itcare.OpStart}, &starting, false},
		{"stop, stopped", operation{Name: itcare.OpStop}, &stopped, true},
		{"stop, running", operation{Name: itcare.OpStop}, pg, false},
		{"resize done", operation{Name: itcare.OpResize, Options: itcare.ResizeOptions{Sizing: "4CPU8GB"}}, pg, true},
		{"resize not done", operation{Name: itcare.OpResize, Options: itcare.ResizeOptions{Sizing: "8cpu16gb"}}, pg, false},
		{"upgrade done (minor version ignored)", operation{Name: itcare.OpUpgrade, Options: itcare.UpgradeOptions{TargetVersion: "16"}}, pg, true},
		{"upgrade not done", operation{Name: itcare.OpUpgrade, Options: itcare.UpgradeOptions{TargetVersion: "17"}}, pg, false},
		{"enable_ha done", operation{Name: itcare.OpEnableHA, Options: itcare.EnableHAOptions{ReplicationLag: 10}}, pg, true},
		{"enable_ha not done", operation{Name: itcare.OpEnableHA, Options: itcare.EnableHAOptions{ReplicationLag: 10}}, &itcare.PostgreSQL{Topology: "STANDALONE"}, false},
		{"monitoring done", operation{Name: itcare.OpUpdateMonitoring, Options: itcare.MonitoringOptions{State: true}}, pg, true},
		{"monitoring, on-call differs", operation{Name: itcare.OpUpdateMonitoring, Options: itcare.MonitoringOptions{State: true, OnCall: true}}, pg, false},
		{"patch party done", pp(itcare.PatchPartyUpdate{Excluded: true, ExclusionReason: "freeze"}), pg, true},
		{"patch party, other group", pp(itcare.PatchPartyUpdate{Excluded: true, PatchGroup: "g2"}), pg, false},
		{"patch party not reported", pp(itcare.PatchPartyUpdate{}), &noPatchParty, false},
		{"install done", installOp("app", "citext", "hstore"), pg, true},
		{"install, one missing", installOp("app", "citext", "pg_trgm"), pg, false},
		{"install, other database", installOp("web", "citext"), pg, false},
		{"install without extensions", installOp("app"), pg, false},
		{"no instance", operation{Name: itcare.OpStart}, nil, false},
		{"unknown operation", operation{Name: "restart"}, pg, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := targetReached(c.o, c.pg, dbs); got != c.want {
				t.Errorf("targetReached(%s) = %v, want %v", c.o.label(), got, c.want)
			}
		})
	}
}

func TestRunningActionOf(t *testing.T) {
	at := func(minute int) *itcare.Time {
		return &itcare.Time{Time: time.Date(2025, 1, 1, 10, minute, 0, 0, time.UTC)}
	}
	actions := []itcare.Action{
		{ID: 1, Status: "IN_PROGRESS", Process: "POSTGRESQL_RESIZE", SubmittedAt: at(1)},
		{ID: 2, Status: "IN_PROGRESS", Process: "POSTGRESQL_RESIZE", SubmittedAt: at(5)},
		{ID: 3, Status: "SUCCESS", Process: "POSTGRESQL_RESIZE", SubmittedAt: at(9)},
		{ID: 4, Status: "IN_PROGRESS", Process: "POSTGRESQL_RESTART", SubmittedAt: at(9)},
		{ID: 5, Status: "IN_PROGRESS", Process: "POSTGRESQL_INSTALL_EXTENSION"},
		{ID: 6, Status: "IN_PROGRESS", Process: "POSTGRESQL_INSTALL_EXTENSION"},
		{ID: 7, Status: "IN_PROGRESS", Process: ""},
		{ID: 0, Status: "IN_PROGRESS", Process: "POSTGRESQL_STOP"},
		{ID: 8, Status: "IN_PROGRESS", Process: "postgresql_update_monitoring"},
	}
	cases := []struct {
		op   string
		want int64
	}{
		{itcare.OpResize, 2},           // the most recent running one, not the ended one
		{itcare.OpStart, 0},            // RESTART is not START
		{itcare.OpInstallExtension, 6}, // no dates: the highest id
		{itcare.OpStop, 0},             // an action without an id cannot be followed
		{itcare.OpUpdateMonitoring, 8}, // case does not matter
		{itcare.OpUpgrade, 0},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			var got int64
			if a := runningActionOf(actions, operation{Name: c.op}); a != nil {
				got = a.ID
			}
			if got != c.want {
				t.Errorf("action %d, want %d", got, c.want)
			}
		})
	}
}
