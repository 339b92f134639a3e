package provider

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// opLine renders an operation as "name <options JSON>" for comparisons.
func opLine(t *testing.T, o operation) string {
	t.Helper()
	b, err := json.Marshal(o.request())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPlanOperations(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name    string
		prior   func(*postgresqlResourceModel)
		edit    func(*postgresqlResourceModel)
		want    []string
		settles [][]string
	}{
		{name: "no change", edit: func(m *postgresqlResourceModel) {}},
		{name: "provider-side only", edit: func(m *postgresqlResourceModel) {
			m.DeletionProtection = types.BoolValue(false)
			m.AllowMajorVersionUpgrade = types.BoolValue(true)
			m.ChangeReference = types.StringValue("RFC9")
			m.AdmPasswordWOVersion = types.Int64Value(3)
		}},
		{name: "resize", edit: func(m *postgresqlResourceModel) { m.NodeSizing = types.StringValue("4cpu8gb") },
			want:    []string{`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`},
			settles: [][]string{{"node_sizing"}}},
		{name: "upgrade carries the change reference", edit: func(m *postgresqlResourceModel) {
			m.Version, m.ChangeReference = types.StringValue("16"), types.StringValue("RFC 1234")
		}, want: []string{`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"RFC 1234"}}`},
			settles: [][]string{{"version"}}},
		{name: "upgrade without change reference", edit: func(m *postgresqlResourceModel) { m.Version = types.StringValue("16") },
			want: []string{`{"operation":"upgrade","options":{"targetVersion":"16"}}`}},
		{name: "lower version is a replacement, not an operation", edit: func(m *postgresqlResourceModel) { m.Version = types.StringValue("14") }},
		{name: "enable HA with the planned lag", edit: func(m *postgresqlResourceModel) {
			m.Topology, m.AllowedReplicationLag, m.ChangeReference = types.StringValue("HA"), types.Int64Value(50), types.StringValue("000")
		}, want: []string{`{"operation":"enable_ha","options":{"replicationLag":50,"changeReference":"000"}}`},
			settles: [][]string{{"topology", "allowed_replication_lag"}}},
		{name: "monitoring off sends both flags", edit: func(m *postgresqlResourceModel) { m.MonitoringEnabled = types.BoolValue(false) },
			want:    []string{`{"operation":"update_monitoring","options":{"state":false,"on_call":false}}`},
			settles: [][]string{{"monitoring_enabled", "on_call_supervision"}}},
		{name: "on-call on sends both flags", edit: func(m *postgresqlResourceModel) { m.OnCallSupervision = types.BoolValue(true) },
			want: []string{`{"operation":"update_monitoring","options":{"state":true,"on_call":true}}`}},
		{name: "both monitoring flags in one call", edit: func(m *postgresqlResourceModel) {
			m.MonitoringEnabled, m.OnCallSupervision = types.BoolValue(false), types.BoolValue(true)
		}, want: []string{`{"operation":"update_monitoring","options":{"state":false,"on_call":true}}`}},
		{name: "unknown monitoring is no change", edit: func(m *postgresqlResourceModel) { m.MonitoringEnabled = types.BoolUnknown() }},
		{name: "exclusion from the patch party", edit: func(m *postgresqlResourceModel) {
			m.PatchParty = patchPartyValue(t, &yes, "3", "legacy")
		}, want: []string{`{"operation":"update_patch_party","options":{"patchParty":{"excluded":true,"exclusionReason":"legacy"}}}`},
			settles: [][]string{{"patch_party"}}},
		{name: "new patch group", edit: func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &no, "2", "") },
			want: []string{`{"operation":"update_patch_party","options":{"patchParty":{"excluded":false,"patchGroup":"2"}}}`}},
		{name: "inclusion drops the reason", prior: func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &yes, "3", "legacy") },
			edit: func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &no, "3", "legacy") },
			want: []string{`{"operation":"update_patch_party","options":{"patchParty":{"excluded":false}}}`}},
		{name: "unchanged patch party", edit: func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &no, "3", "") }},
		{name: "extensions: one call per database, sorted", edit: func(m *postgresqlResourceModel) {
			m.Extensions = extSet(t, "web/pg_trgm", "app/pgcrypto", "app/hstore")
		}, want: []string{
			`{"operation":"install_extension","options":{"dbname":"app","extensions_list":[{"name":"hstore"},{"name":"pgcrypto"}]}}`,
			`{"operation":"install_extension","options":{"dbname":"web","extensions_list":[{"name":"pg_trgm"}]}}`,
		}, settles: [][]string{{"extensions"}, {"extensions"}}},
		{name: "only added extensions are installed", prior: func(m *postgresqlResourceModel) { m.Extensions = extSet(t, "app/hstore", "app/citext") },
			edit: func(m *postgresqlResourceModel) { m.Extensions = extSet(t, "app/hstore", "app/pg_trgm") },
			want: []string{`{"operation":"install_extension","options":{"dbname":"app","extensions_list":[{"name":"pg_trgm"}]}}`}},
		{name: "removed extensions need no call", prior: func(m *postgresqlResourceModel) { m.Extensions = extSet(t, "app/hstore") },
			edit: func(m *postgresqlResourceModel) { m.Extensions = extSet(t) }},
		{name: "stop", edit: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			want: []string{`{"operation":"stop"}`}, settles: [][]string{{"power_state"}}},
		{name: "start", prior: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			edit: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("running") },
			want: []string{`{"operation":"start"}`}, settles: [][]string{{"power_state"}}},
		{name: "everything at once, in the documented order", edit: func(m *postgresqlResourceModel) {
			m.PowerState = types.StringValue("stopped")
			m.Extensions = extSet(t, "app/hstore")
			m.PatchParty = patchPartyValue(t, &yes, "3", "legacy")
			m.MonitoringEnabled = types.BoolValue(false)
			m.Topology = types.StringValue("HA")
			m.NodeSizing = types.StringValue("4cpu8gb")
			m.Version = types.StringValue("16")
		}, want: []string{
			`{"operation":"upgrade","options":{"targetVersion":"16"}}`,
			`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`,
			`{"operation":"enable_ha","options":{"replicationLag":10}}`,
			`{"operation":"update_monitoring","options":{"state":false,"on_call":false}}`,
			`{"operation":"update_patch_party","options":{"patchParty":{"excluded":true,"exclusionReason":"legacy"}}}`,
			`{"operation":"install_extension","options":{"dbname":"app","extensions_list":[{"name":"hstore"}]}}`,
			`{"operation":"stop"}`,
		}},
		{name: "start comes before everything", prior: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			edit: func(m *postgresqlResourceModel) {
				m.PowerState = types.StringValue("running")
				m.NodeSizing = types.StringValue("4cpu8gb")
				m.Version = types.StringValue("16")
			}, want: []string{
				`{"operation":"start"}`,
				`{"operation":"upgrade","options":{"targetVersion":"16"}}`,
				`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`,
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prior := existingModel(t)
			if c.prior != nil {
				c.prior(&prior)
			}
			plan := prior
			c.edit(&plan)
			ops := mustPlanOperations(t, prior, plan)
			var got []string
			for _, o := range ops {
				got = append(got, opLine(t, o))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("operations\n got %q\nwant %q", got, c.want)
			}
			for i, s := range c.settles {
				if i < len(ops) && !slices.Equal(ops[i].spec().settles, s) {
					t.Errorf("operation %d settles %v, want %v", i, ops[i].spec().settles, s)
				}
			}
		})
	}
}

func TestOperationsPartialProgress(t *testing.T) {
	ctx := context.Background()
	prior := existingModel(t)
	prior.Extensions = extSet(t, "app/hstore", "app/citext")
	plan := prior
	plan.Version = types.StringValue("16")
	plan.NodeSizing = types.StringValue("4cpu8gb")
	plan.MonitoringEnabled = types.BoolValue(false)
	plan.Extensions = extSet(t, "app/hstore", "app/pg_trgm", "web/pgcrypto")
	plan.DeletionProtection = types.BoolValue(false)
	plan.ChangeReference = types.StringValue("RFC-7")
	ops := mustPlanOperations(t, prior, plan)
	if len(ops) != 5 {
		t.Fatalf("operations %v", ops)
	}

	next, d := stateBeforeOperations(ctx, prior, plan, ops)
	if d.HasError() {
		t.Fatal(d)
	}
	if !next.Version.Equal(prior.Version) || !next.NodeSizing.Equal(prior.NodeSizing) || !next.MonitoringEnabled.Equal(prior.MonitoringEnabled) {
		t.Errorf("operation-settled values moved before any operation ran: %s %s %s", next.Version, next.NodeSizing, next.MonitoringEnabled)
	}
	if next.DeletionProtection.ValueBool() || next.ChangeReference.ValueString() != "RFC-7" {
		t.Errorf("provider-side values not recorded: %s %s", next.DeletionProtection, next.ChangeReference)
	}
	if got := extensionKeys(t, next.Extensions); !slices.Equal(got, []string{"app/hstore"}) {
		t.Errorf("before any install, extensions %v, want the kept one only (citext dropped)", got)
	}

	// upgrade and resize succeed, update_monitoring fails.
	var done []string
	for _, o := range ops[:2] {
		if d := settle(ctx, &next, prior, plan, o, done); d.HasError() {
			t.Fatal(d)
		}
	}
	if next.Version.ValueString() != "16" || next.NodeSizing.ValueString() != "4cpu8gb" || !next.MonitoringEnabled.ValueBool() {
		t.Errorf("after two operations: version %s, sizing %s, monitoring %s", next.Version, next.NodeSizing, next.MonitoringEnabled)
	}
	if left := mustPlanOperations(t, next, plan); len(left) != 3 || left[0].Name != itcare.OpUpdateMonitoring {
		t.Errorf("the next plan would run %v, want update_monitoring and the two installs", left)
	}

	// The first install succeeds, the second fails.
	_ = settle(ctx, &next, prior, plan, ops[2], done)
	done = append(done, "app")
	_ = settle(ctx, &next, prior, plan, ops[3], done)
	if got := extensionKeys(t, next.Extensions); !slices.Equal(got, []string{"app/hstore", "app/pg_trgm"}) {
		t.Errorf("after the app install, extensions %v", got)
	}
	done = append(done, "web")
	_ = settle(ctx, &next, prior, plan, ops[4], done)
	if !next.Extensions.Equal(plan.Extensions) {
		t.Errorf("all installed: %s, want the planned set", next.Extensions)
	}
	if left := mustPlanOperations(t, next, plan); len(left) != 0 {
		t.Errorf("nothing should be left, got %v", left)
	}
}

func TestSettledExtensionsKeepsNullPrior(t *testing.T) {
	ctx := context.Background()
	prior := types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	got, d := settledExtensions(ctx, prior, extSet(t, "app/hstore"), nil)
	if d.HasError() || !got.IsNull() {
		t.Errorf("nothing installed on a state without extensions: %s, want null", got)
	}
}

func extensionKeys(t *testing.T, s types.Set) []string {
	t.Helper()
	var out []string
	for _, e := range must(extensionsFromSet(context.Background(), s))(t) {
		out = append(out, e.db+"/"+e.name)
	}
	slices.Sort(out)
	return out
}

func TestPlanWarnings(t *testing.T) {
	ctx := context.Background()
	prior := existingModel(t)
	prior.ID = types.StringValue("500061854")
	prior.Extensions = extSet(t, "app/hstore", "app/citext")
	plan := prior
	plan.NodeSizing = types.StringValue("4cpu8gb")
	plan.Version = types.StringValue("16")
	plan.Topology = types.StringValue("HA")
	plan.PowerState = types.StringValue("stopped")
	plan.MonitoringEnabled = types.BoolValue(false)
	plan.Extensions = extSet(t, "app/hstore")
	d := planWarnings(ctx, prior, plan, mustPlanOperations(t, prior, plan))
	if d.HasError() {
		t.Fatal(d)
	}
	want := map[string]string{
		"version":     `Upgrading the PostgreSQL instance "pgunit01" (id 500061854) from PostgreSQL 15 to 16 causes downtime`,
		"node_sizing": "from 2cpu4gb to 4cpu8gb causes downtime",
		"topology":    "from STANDALONE to HA causes downtime",
		"power_state": "Stopping the PostgreSQL instance",
		"extensions":  "citext in database app stay installed",
	}
	got := map[string]string{}
	for _, w := range d.Warnings() {
		if pw, ok := w.(diag.DiagnosticWithPath); ok {
			got[pw.Path().String()] = w.Summary() + ": " + w.Detail()
		}
	}
	if len(d.Warnings()) != len(want) {
		t.Errorf("%d warnings, want %d: %v", len(d.Warnings()), len(want), d)
	}
	for a, text := range want {
		if !strings.Contains(got[a], text) {
			t.Errorf("warning on %s = %q, want it to contain %q", a, got[a], text)
		}
	}
	summaries := map[string]bool{}
	for _, w := range d.Warnings() {
		summaries[w.Summary()] = true
	}
	if len(summaries) != len(want) {
		t.Errorf("warnings share summaries, which Terraform folds into one message: %v", summaries)
	}

	plan = prior
	plan.MonitoringEnabled = types.BoolValue(false)
	plan.PatchParty = patchPartyValue(t, nil, "2", "")
	if d := planWarnings(ctx, prior, plan, mustPlanOperations(t, prior, plan)); len(d) != 0 {
		t.Errorf("operations without downtime warned: %v", d)
	}
}

func TestMarkChangedByOperations(t *testing.T) {
	ctx := context.Background()
	yes, no := true, false
	prior := existingModel(t)
	prior.PatchParty = patchPartyValue(t, &yes, "1", "legacy")

	plan := prior
	plan.NodeSizing = types.StringValue("4cpu8gb")
	plan.Topology = types.StringValue("HA")
	plan.PatchParty = patchPartyValue(t, &no, "1", "legacy")
	cfg := patchPartyValue(t, &no, "", "")
	if d := markChangedByOperations(ctx, &plan, mustPlanOperations(t, prior, plan), cfg); d.HasError() {
		t.Fatal(d)
	}
	if !plan.Status.IsUnknown() || !plan.CPU.IsUnknown() || !plan.RAM.IsUnknown() || !plan.NodeCount.IsUnknown() || !plan.IPAddress.IsUnknown() {
		t.Errorf("values the operations change stay known: status %s cpu %s ram %s nodes %s ip %s", plan.Status, plan.CPU, plan.RAM, plan.NodeCount, plan.IPAddress)
	}
	if plan.ProductVersion.IsUnknown() || plan.Storage.IsUnknown() {
		t.Errorf("values no operation changes became unknown")
	}
	pp := plan.PatchParty.Attributes()
	if !pp["patch_group"].IsUnknown() || !pp["exclusion_reason"].IsNull() || !pp["patch_date"].IsUnknown() {
		t.Errorf("patch party %v: group unknown (HA), reason null (included again), date unknown", pp)
	}

	plan = prior
	if d := markChangedByOperations(ctx, &plan, nil, cfg); d.HasError() || plan.Status.IsUnknown() {
		t.Errorf("no operation, status %s", plan.Status)
	}
}

func TestFillUnknownFromRead(t *testing.T) {
	ctx := context.Background()
	m := existingModel(t)
	fresh := m
	fresh.CPU, fresh.Status, fresh.NodeSizing = types.Int64Value(4), types.StringValue("ACTIVE"), types.StringValue("4cpu8gb")
	fresh.PatchParty = patchPartyValue(t, nil, "", "")
	m.CPU, m.Status = types.Int64Unknown(), types.StringUnknown()
	m.NodeSizing = types.StringValue("2cpu4gb")
	attrs := m.PatchParty.Attributes()
	attrs["patch_tag"] = types.StringUnknown()
	m.PatchParty, _ = types.ObjectValue(patchPartyAttrTypes, attrs)

	fillUnknownFromRead(ctx, &m, fresh)
	if m.CPU.ValueInt64() != 4 || m.Status.ValueString() != "ACTIVE" {
		t.Errorf("unknowns not filled: cpu %s status %s", m.CPU, m.Status)
	}
	if m.NodeSizing.ValueString() != "2cpu4gb" {
		t.Errorf("a known value was overwritten: %s", m.NodeSizing)
	}
	if pp := m.PatchParty.Attributes(); !pp["patch_tag"].IsNull() || pp["patch_group"].(types.String).ValueString() != "3" {
		t.Errorf("patch party %v", pp)
	}
}

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

func TestCheckUpgradeTarget(t *testing.T) {
	prior := existingModel(t)
	plan := prior
	plan.Version = types.StringValue("16")
	if d := checkUpgradeTarget(prior, plan, []int64{16}); d.HasError() {
		t.Errorf("offered version refused: %v", d)
	}
	d := checkUpgradeTarget(prior, plan, []int64{})
	assertErrorPaths(t, d, []string{"version"})
	if !strings.Contains(d.Errors()[0].Detail(), "none (the instance runs the latest version") {
		t.Errorf("detail %q", d.Errors()[0].Detail())
	}
	prior.Version = types.StringValue("12")
	plan.Version = types.StringValue("15")
	d = checkUpgradeTarget(prior, plan, []int64{13, 14})
	assertErrorPaths(t, d, []string{"version"})
	if detail := d.Errors()[0].Detail(); !strings.Contains(detail, `are "13", "14"`) || !strings.Contains(detail, `revert it to "12"`) {
		t.Errorf("detail %q", detail)
	}
}

func TestCheckExtensionsOffered(t *testing.T) {
	ctx := context.Background()
	prior := existingModel(t)
	prior.Extensions = extSet(t, "app/legacy_ext")
	plan := prior
	plan.Extensions = extSet(t, "app/legacy_ext", "app/hstore", "web/nope", "app/nope")
	offered := []itcare.Extension{{Name: "pg_trgm"}, {Name: "hstore"}}
	d := checkExtensionsOffered(ctx, prior, plan, offered)
	assertErrorPaths(t, d, []string{"extensions"})
	if detail := d.Errors()[0].Detail(); !strings.Contains(detail, "does not offer nope.") || !strings.Contains(detail, "offers: hstore, pg_trgm") {
		t.Errorf("detail %q", detail)
	}
	plan.Extensions = extSet(t, "app/legacy_ext", "app/hstore")
	if d := checkExtensionsOffered(ctx, prior, plan, offered); d.HasError() {
		t.Errorf("an extension kept from the state is not checked again: %v", d)
	}
}

func TestCheckRestoreSource(t *testing.T) {
	now := time.Date(2025, 6, 20, 12, 0, 0, 0, time.UTC)
	rm := func(age time.Duration) restoreModel {
		return restoreModel{SourceID: types.Int64Value(42), Stop: types.StringValue("AFTER"),
			Timestamp: types.StringValue(now.Add(-age).Format(time.RFC3339))}
	}
	plan := nullModel()
	plan.Version = types.StringValue("15")
	src := func(env, version string, backup bool) *itcare.PostgreSQL {
		return &itcare.PostgreSQL{ID: 42, Name: "pgsrc", Environment: env, Version: version, BackupStatus: backup}
	}
	day := 24 * time.Hour
	cases := []struct {
		name  string
		rm    restoreModel
		src   *itcare.PostgreSQL
		paths []string
	}{
		{"recent, development", rm(time.Hour), src("DEVELOPMENT", "15", true), nil},
		{"8 days, development", rm(8 * day), src("DEVELOPMENT", "15", true), []string{"restore.timestamp"}},
		{"8 days, production", rm(8 * day), src("PRODUCTION", "15", true), nil},
		{"15 days is left to the static check", rm(15 * day), src("DEVELOPMENT", "15", true), nil},
		{"source without backup", rm(time.Hour), src("PRODUCTION", "15", false), []string{"restore.source_id"}},
		{"other version", rm(time.Hour), src("PRODUCTION", "14", true), []string{"restore.source_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertErrorPaths(t, checkRestoreSource(c.rm, plan, c.src, now), c.paths)
		})
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

// TestOperationSpecs keeps the operations table complete: every operation
// the client knows has a row, and every row names real attributes.
func TestOperationSpecs(t *testing.T) {
	clientOps := constantsWithPrefix(t, "../itcare/types.go", "Op")
	if len(clientOps) == 0 {
		t.Fatal("no Op* constant found in the client")
	}
	for _, name := range clientOps {
		if _, ok := operationSpecsByName[name]; !ok {
			t.Errorf("operation %q has no row in operationSpecs", name)
		}
	}
	if len(operationSpecsByName) != len(operationSpecs) {
		t.Errorf("operationSpecs has %d rows for %d names: a name is listed twice", len(operationSpecs), len(operationSpecsByName))
	}
	attrs := (&postgresqlResource{}).schemaAttributes(t)
	for _, s := range operationSpecs {
		for _, a := range s.settles {
			if _, ok := resourceFieldByAttribute[a]; !ok || !attrs[a] {
				t.Errorf("%s settles %q, which is not an attribute of the resource", s.name, a)
			}
		}
		if s.downtime != nil && !attrs[s.downtime.attr] {
			t.Errorf("%s warns on %q, which is not an attribute of the resource", s.name, s.downtime.attr)
		}
		if len(s.settles) == 0 && s.plan != nil {
			t.Errorf("%s is planned for updates but settles nothing: the state could never record it", s.name)
		}
	}
	if got := specOf("restart"); got.reached != nil || got.downtime != nil || len(got.settles) > 0 {
		t.Errorf("an unknown operation must know nothing, got %+v", got)
	}
}

// TestTemplatesNameEmittedSummaries keeps the docs' diagnostic summaries
// true: every Title Case phrase in italics, and every "Warning:" or
// "Error:" line of the templates, is a string the provider's code holds,
// and every downtime warning the docs name is one an operation emits.
func TestTemplatesNameEmittedSummaries(t *testing.T) {
	literals := stringLiterals(t, ".")
	downtime := map[string]bool{}
	for _, s := range operationSpecs {
		if s.downtime != nil {
			downtime[s.downtime.summary] = true
		}
	}
	titleCase := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*( ([A-Z][A-Za-z0-9]*|to|the|of|for|a|an|in|on|with|and|or|by|at|from|as))+$`)
	italic := regexp.MustCompile(`(?:^|[^*])\*([^*]+)\*(?:[^*]|$)`)
	cliLine := regexp.MustCompile(`(?m)^(?:Warning|Error): (.+)$`)
	files, err := filepath.Glob("../../templates/*/*.tmpl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var phrases []string
		for _, m := range cliLine.FindAllStringSubmatch(string(raw), -1) {
			phrases = append(phrases, strings.TrimSpace(m[1]))
		}
		flat := strings.Join(strings.Fields(string(raw)), " ")
		for _, m := range italic.FindAllStringSubmatch(flat, -1) {
			if titleCase.MatchString(m[1]) {
				phrases = append(phrases, m[1])
			}
		}
		for _, p := range phrases {
			checked++
			if !literals[p] {
				t.Errorf("%s names the diagnostic %q, which the provider never emits", f, p)
			}
			if strings.HasSuffix(p, "Causes Downtime") && !downtime[p] {
				t.Errorf("%s names the downtime warning %q, which no operation emits", f, p)
			}
		}
	}
	if checked == 0 {
		t.Fatal("the templates name no diagnostic: the patterns no longer match them")
	}
}

// stringLiterals returns every string literal and string constant of the
// non-test Go files in dir.
func stringLiterals(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

// constantsWithPrefix returns the values of the string constants of file
// whose names start with prefix.
func constantsWithPrefix(t *testing.T, file, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, n := range v.Names {
				if !strings.HasPrefix(n.Name, prefix) || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// schemaAttributes returns the names of the resource's top-level attributes.
func (r *postgresqlResource) schemaAttributes(t *testing.T) map[string]bool {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	out := map[string]bool{}
	for name := range resp.Schema.Attributes {
		out[name] = true
	}
	return out
}

// mustPlanOperations is planOperations for a plan whose values convert.
func mustPlanOperations(t *testing.T, prior, plan postgresqlResourceModel) []operation {
	t.Helper()
	return must(planOperations(context.Background(), prior, plan))(t)
}

// must returns a conversion's value, failing the test on its diagnostics.
func must[V any](v V, diags diag.Diagnostics) func(t *testing.T) V {
	return func(t *testing.T) V {
		t.Helper()
		if diags.HasError() {
			t.Fatalf("diagnostics: %v", diags)
		}
		return v
	}
}

// TestConversionsReportDiagnostics proves that a value that does not
// convert is an error, not a silently skipped restore, patch party or
// extension.
func TestConversionsReportDiagnostics(t *testing.T) {
	ctx := context.Background()
	wrongObject := types.ObjectValueMust(map[string]attr.Type{"other": types.StringType}, map[string]attr.Value{"other": types.StringValue("x")})
	wrongSet := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("app/hstore")})

	if _, diags := restoreFromModel(ctx, wrongObject); !diags.HasError() {
		t.Error("restoreFromModel: no error for an object of another shape")
	}
	if _, _, diags := patchPartyFromModel(ctx, wrongObject); !diags.HasError() {
		t.Error("patchPartyFromModel: no error for an object of another shape")
	}
	if _, diags := extensionsFromSet(ctx, wrongSet); !diags.HasError() {
		t.Error("extensionsFromSet: no error for a set of another element type")
	}
	prior := existingModel(t)
	plan := prior
	plan.Extensions = wrongSet
	if _, diags := planOperations(ctx, prior, plan); !diags.HasError() {
		t.Error("planOperations: the extensions' conversion error was dropped")
	}
	plan = prior
	plan.PatchParty = wrongObject
	if _, diags := postCreateOperations(ctx, plan, &itcare.PostgreSQL{}, nil); !diags.HasError() {
		t.Error("postCreateOperations: the patch party's conversion error was dropped")
	}
}
