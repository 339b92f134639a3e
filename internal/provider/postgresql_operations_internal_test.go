package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
		// The page's upgrade example always carries one.
		{name: "upgrade without change reference", edit: func(m *postgresqlResourceModel) { m.Version = types.StringValue("16") },
			want: []string{`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`}},
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
		{name: "restore added: restored in place", edit: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "BEFORE")
		}, want: []string{`{"operation":"restore","options":{"sourceId":42,"stop":"BEFORE","timestamp":"2025-01-31T09:30:00.000+01:00"}}`},
			settles: [][]string{{"restore"}}},
		{name: "restore at another instant: restored again", prior: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "BEFORE")
		}, edit: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T10:30:00+01:00", "BEFORE")
		},
			want: []string{`{"operation":"restore","options":{"sourceId":42,"stop":"BEFORE","timestamp":"2025-01-31T10:30:00.000+01:00"}}`}},
		{name: "restore with another stop: restored again", prior: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "BEFORE")
		}, edit: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "AFTER")
		},
			want: []string{`{"operation":"restore","options":{"sourceId":42,"stop":"AFTER","timestamp":"2025-01-31T09:30:00.000+01:00"}}`}},
		{name: "restore, the same instant written otherwise", prior: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "BEFORE")
		}, edit: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T08:30:00.000Z", "BEFORE")
		}},
		{name: "restore removed", prior: func(m *postgresqlResourceModel) {
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "BEFORE")
		}, edit: func(m *postgresqlResourceModel) { m.Restore = types.ObjectNull(restoreAttrTypes) }},
		{name: "restore into a stopped instance: started, restored, stopped", prior: func(m *postgresqlResourceModel) {
			m.PowerState = types.StringValue("stopped")
		}, edit: func(m *postgresqlResourceModel) {
			m.PowerState = types.StringValue("stopped")
			m.Restore = restoreValue(t, 42, "2025-01-31T09:30:00+01:00", "AFTER")
		}, want: []string{`{"operation":"start"}`,
			`{"operation":"restore","options":{"sourceId":42,"stop":"AFTER","timestamp":"2025-01-31T09:30:00.000+01:00"}}`,
			`{"operation":"stop"}`}},
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
			`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`,
			`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`,
			`{"operation":"enable_ha","options":{"replicationLag":10}}`,
			`{"operation":"update_monitoring","options":{"state":false,"on_call":false}}`,
			`{"operation":"update_patch_party","options":{"patchParty":{"excluded":true,"exclusionReason":"legacy"}}}`,
			`{"operation":"install_extension","options":{"dbname":"app","extensions_list":[{"name":"hstore"}]}}`,
			`{"operation":"stop"}`,
		}},
		{name: "a stopped instance is started and stopped again around an install", prior: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			edit: func(m *postgresqlResourceModel) { m.Extensions = extSet(t, "app/hstore") },
			want: []string{
				`{"operation":"start"}`,
				`{"operation":"install_extension","options":{"dbname":"app","extensions_list":[{"name":"hstore"}]}}`,
				`{"operation":"stop"}`,
			}},
		{name: "a stopped instance is resized stopped", prior: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			edit: func(m *postgresqlResourceModel) { m.NodeSizing = types.StringValue("4cpu8gb") },
			want: []string{`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`}},
		{name: "start comes before everything", prior: func(m *postgresqlResourceModel) { m.PowerState = types.StringValue("stopped") },
			edit: func(m *postgresqlResourceModel) {
				m.PowerState = types.StringValue("running")
				m.NodeSizing = types.StringValue("4cpu8gb")
				m.Version = types.StringValue("16")
			}, want: []string{
				`{"operation":"start"}`,
				`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`,
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

// TestPlannedReadOnlyChanges lists, per planned change, every read-only
// value the plan shows "known after apply": exactly those the operations
// change, so that a plan never shows a value as changing by itself.
func TestPlannedReadOnlyChanges(t *testing.T) {
	ctx := context.Background()
	yes := true
	for _, tc := range []struct {
		name           string
		change         func(*postgresqlResourceModel)
		readOnly       []string
		patchPartyKeys []string
	}{
		{name: "no operation", change: func(*postgresqlResourceModel) {}},
		{
			name:     "upgrade: the new version's lifecycle dates",
			change:   func(m *postgresqlResourceModel) { m.Version = types.StringValue("16") },
			readOnly: []string{"end_of_sales_at", "end_of_support_at", "extended_support_at", "product_version", "released_at", "status", "support_phase"},
		},
		{
			name:           "exclusion: who excluded and when",
			change:         func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &yes, "3", "freeze") },
			readOnly:       []string{"status"},
			patchPartyKeys: []string{"excluded_by", "exclusion_date", "patch_date", "patch_tag"},
		},
		{
			name:     "resize",
			change:   func(m *postgresqlResourceModel) { m.NodeSizing = types.StringValue("4cpu8gb") },
			readOnly: []string{"cpu", "ram", "status"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prior := existingModel(t)
			plan := prior
			tc.change(&plan)
			if d := markChangedByOperations(ctx, &plan, mustPlanOperations(t, prior, plan), plan.PatchParty); d.HasError() {
				t.Fatal(d)
			}
			var readOnly, ppKeys []string
			v := reflect.ValueOf(plan.postgresqlReadOnlyModel)
			for i := range v.NumField() {
				if v.Field(i).Interface().(attr.Value).IsUnknown() {
					readOnly = append(readOnly, v.Type().Field(i).Tag.Get("tfsdk"))
				}
			}
			for k, a := range plan.PatchParty.Attributes() {
				if a.IsUnknown() {
					ppKeys = append(ppKeys, k)
				}
			}
			slices.Sort(readOnly)
			slices.Sort(ppKeys)
			if !slices.Equal(readOnly, tc.readOnly) || !slices.Equal(ppKeys, tc.patchPartyKeys) {
				t.Errorf("known after apply: %v and patch_party %v; want %v and %v", readOnly, ppKeys, tc.readOnly, tc.patchPartyKeys)
			}
		})
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

func restoreValue(t *testing.T, source int64, ts, stop string) types.Object {
	t.Helper()
	o, diags := types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
		"source_id": types.Int64Value(source), "timestamp": types.StringValue(ts), "stop": types.StringValue(stop),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	return o
}
