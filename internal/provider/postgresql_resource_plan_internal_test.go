package provider

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

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
		return &itcare.PostgreSQL{ID: 42, Name: "pgsrc", Status: "ACTIVE", Environment: env, Version: version, BackupStatus: backup,
			CreationTime: now.Add(-30 * 24 * time.Hour).Format(time.RFC3339)}
	}
	stopped := src("PRODUCTION", "15", true)
	stopped.Status = "STOPPED"
	young := src("PRODUCTION", "15", true)
	young.CreationTime = now.Add(-2 * time.Hour).Format(time.RFC3339)
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
		{"stopped source", rm(time.Hour), stopped, []string{"restore.source_id"}},
		{"point before the source existed", rm(3 * time.Hour), young, []string{"restore.timestamp"}},
		{"point after the source was created", rm(time.Hour), young, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertErrorPaths(t, checkRestoreSource(c.rm, plan, c.src, now), c.paths)
		})
	}
}

func TestValidatePostgreSQLConfig(t *testing.T) {
	ctx := context.Background()
	yes, no := true, false
	cases := []struct {
		name  string
		edit  func(*postgresqlResourceModel)
		paths []string
	}{
		{"valid standalone", func(m *postgresqlResourceModel) {}, nil},
		// The reference page's own create example sends az with STANDALONE.
		{"node_prefix on standalone", func(m *postgresqlResourceModel) { m.NodePrefix = types.StringValue("PGHA1") }, nil},
		{"az on default topology", func(m *postgresqlResourceModel) {
			m.Topology = types.StringNull()
			m.AvailabilityZone = types.StringValue("EB-QA-A")
		}, nil},
		{"HA fields on HA", func(m *postgresqlResourceModel) {
			m.Topology = types.StringValue("HA")
			m.NodePrefix, m.AvailabilityZone = types.StringValue("PGHA1"), types.StringValue("EB-QA-A")
		}, nil},
		{"unknown topology skips", func(m *postgresqlResourceModel) {
			m.Topology = types.StringUnknown()
			m.NodePrefix = types.StringValue("PGHA1")
		}, nil},
		{"patch group on HA", func(m *postgresqlResourceModel) {
			m.Topology = types.StringValue("HA")
			m.PatchParty = patchPartyValue(t, &no, "3", "")
		}, []string{"patch_party.patch_group"}},
		{"patch group on standalone", func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &no, "3", "") }, nil},
		{"excluded without reason", func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &yes, "", "") }, []string{"patch_party.exclusion_reason"}},
		{"excluded with reason", func(m *postgresqlResourceModel) { m.PatchParty = patchPartyValue(t, &yes, "", "legacy") }, nil},
		{"extensions on 14", func(m *postgresqlResourceModel) {
			m.Version = types.StringValue("14")
			m.Extensions = extSet(t, "app/pg_trgm")
		}, []string{"extensions"}},
		{"extensions on 15", func(m *postgresqlResourceModel) { m.Extensions = extSet(t, "app/pg_trgm") }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := nullModel()
			m.Topology, m.Version = types.StringValue("STANDALONE"), types.StringValue("15")
			c.edit(&m)
			assertErrorPaths(t, validatePostgreSQLConfig(ctx, m), c.paths)
		})
	}
}

func TestCheckNewInstance(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	restore := func(ts string) types.Object {
		o, _ := types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
			"source_id": types.Int64Value(1), "timestamp": types.StringValue(ts), "stop": types.StringValue("AFTER"),
		})
		return o
	}
	cases := []struct {
		name  string
		edit  func(*postgresqlResourceModel)
		wo    types.String
		paths []string
	}{
		{"write-only password", func(m *postgresqlResourceModel) {}, types.StringValue("Str0ng!Passw0rd"), nil},
		{"stored password", func(m *postgresqlResourceModel) { m.AdmPassword = types.StringValue("Str0ng!Passw0rd") }, types.StringNull(), nil},
		{"unknown password counts as set", func(m *postgresqlResourceModel) { m.AdmPassword = types.StringUnknown() }, types.StringNull(), nil},
		{"no password", func(m *postgresqlResourceModel) {}, types.StringNull(), []string{"adm_password_wo"}},
		{"HA without prefix and zone", func(m *postgresqlResourceModel) { m.Topology = types.StringValue("HA") }, types.StringValue("p"), []string{"availability_zone", "node_prefix"}},
		{"HA complete", func(m *postgresqlResourceModel) {
			m.Topology, m.NodePrefix, m.AvailabilityZone = types.StringValue("HA"), types.StringValue("PGHA1"), types.StringValue("EB-QA-A")
		}, types.StringValue("p"), nil},
		{"restore in window", func(m *postgresqlResourceModel) { m.Restore = restore("2025-06-10T08:00:00+02:00") }, types.StringValue("p"), nil},
		{"restore too old", func(m *postgresqlResourceModel) { m.Restore = restore("2025-05-31T11:59:00Z") }, types.StringValue("p"), []string{"restore.timestamp"}},
		{"restore in future", func(m *postgresqlResourceModel) { m.Restore = restore("2025-06-15T13:00:01Z") }, types.StringValue("p"), []string{"restore.timestamp"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := nullModel()
			m.Name, m.Topology = types.StringValue("pgunit01"), types.StringValue("STANDALONE")
			c.edit(&m)
			assertErrorPaths(t, checkNewInstance(ctx, m, c.wo, now), c.paths)
		})
	}
}

func TestCheckExistingInstance(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*postgresqlResourceModel)
		replace path.Paths
		paths   []string
		detail  string
	}{
		{"no change", func(m *postgresqlResourceModel) {}, nil, nil, ""},
		{"password changed", func(m *postgresqlResourceModel) { m.AdmPassword = types.StringValue("Other!Passw0rd") }, nil, []string{"adm_password"}, "ALTER ROLE"},
		{"password removed", func(m *postgresqlResourceModel) { m.AdmPassword = types.StringNull() }, nil, nil, ""},
		{"password set where the state has none", func(m *postgresqlResourceModel) {}, nil, nil, ""},
		{"wo version bumped", func(m *postgresqlResourceModel) { m.AdmPasswordWOVersion = types.Int64Value(2) }, nil, []string{"adm_password_wo_version"}, "revert adm_password_wo_version to 1"},
		{"replace while protected", func(m *postgresqlResourceModel) { m.DeletionProtection = types.BoolValue(true) },
			path.Paths{path.Root("disk_size"), path.Root("name")}, []string{"disk_size"}, "disk_size, name cannot change in place"},
		// The state's protection counts, not the plan's.
		{"replace, protected state, unprotected plan", func(m *postgresqlResourceModel) { m.DeletionProtection = types.BoolValue(false) },
			path.Paths{path.Root("name")}, []string{"name"}, "the same change is not enough"},
		{"replace, unprotected state", func(m *postgresqlResourceModel) { m.DeletionProtection = types.BoolValue(true) },
			path.Paths{path.Root("name")}, nil, ""},
		{"replace, unprotected state and plan", func(m *postgresqlResourceModel) { m.DeletionProtection = types.BoolValue(false) },
			path.Paths{path.Root("name")}, nil, ""},
		{"upgrade not allowed", func(m *postgresqlResourceModel) { m.Version = types.StringValue("16") }, nil, []string{"version"}, "allow_major_version_upgrade = true"},
		{"upgrade allowed", func(m *postgresqlResourceModel) {
			m.Version, m.AllowMajorVersionUpgrade = types.StringValue("16"), types.BoolValue(true)
		}, nil, nil, ""},
		{"enable HA with high lag", func(m *postgresqlResourceModel) {
			m.Topology, m.AllowedReplicationLag = types.StringValue("HA"), types.Int64Value(600)
		}, nil, []string{"allowed_replication_lag"}, "1 to 500"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prior := existingModel(t)
			plan := prior
			c.edit(&plan)
			if strings.HasPrefix(c.name, "password set where") {
				prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringNull(), types.Int64Null()
			}
			prior.DeletionProtection = types.BoolValue(!strings.Contains(c.name, "unprotected state"))
			d := checkExistingInstance(prior, plan, c.replace, false)
			if len(c.replace) > 0 && len(c.paths) == 0 && len(d.Warnings()) == 0 {
				t.Errorf("an unprotected replacement must say why with a warning: %v", d)
			}
			assertErrorPaths(t, d, c.paths)
			if c.detail != "" && (len(d.Errors()) == 0 || !strings.Contains(d.Errors()[0].Detail(), c.detail)) {
				t.Errorf("detail lacks %q: %v", c.detail, d)
			}
		})
	}
	t.Run("switch from adm_password_wo to adm_password", func(t *testing.T) {
		prior := existingModel(t)
		prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringNull(), types.Int64Value(1)
		plan := prior
		plan.AdmPassword, plan.AdmPasswordWOVersion = types.StringValue("Other!Passw0rd"), types.Int64Null()
		assertErrorPaths(t, checkExistingInstance(prior, plan, nil, false), []string{"adm_password"})
	})
	t.Run("adm_password set after an import is recorded with a warning", func(t *testing.T) {
		prior := existingModel(t)
		prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringNull(), types.Int64Null()
		plan := prior
		plan.AdmPassword = types.StringValue("Other!Passw0rd")
		d := checkExistingInstance(prior, plan, nil, false)
		if d.HasError() || len(d.Warnings()) != 1 || d.Warnings()[0].Summary() != "Administrator Password Only Recorded" {
			t.Errorf("want one warning, got %v", d)
		}
	})
	t.Run("a password set again after its removal, when Terraform gave it", func(t *testing.T) {
		prior := existingModel(t)
		prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringNull(), types.Int64Null()
		plan := prior
		plan.AdmPassword = types.StringValue("Other!Passw0rd")
		assertErrorPaths(t, checkExistingInstance(prior, plan, nil, true), []string{"adm_password"})
		plan = prior
		plan.AdmPasswordWOVersion = types.Int64Value(2)
		assertErrorPaths(t, checkExistingInstance(prior, plan, nil, true), []string{"adm_password_wo_version"})
	})
	t.Run("switch from adm_password to adm_password_wo, when Terraform gave it", func(t *testing.T) {
		prior := existingModel(t)
		prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringValue("Str0ng!Passw0rd"), types.Int64Null()
		plan := prior
		plan.AdmPassword, plan.AdmPasswordWOVersion = types.StringNull(), types.Int64Value(1)
		if d := checkExistingInstance(prior, plan, nil, true); d.HasError() {
			t.Errorf("the switch to the write-only password must pass, got %v", d)
		}
	})
	t.Run("switch from adm_password to adm_password_wo", func(t *testing.T) {
		prior := existingModel(t)
		prior.AdmPassword, prior.AdmPasswordWOVersion = types.StringValue("Str0ng!Passw0rd"), types.Int64Null()
		plan := prior
		plan.AdmPassword, plan.AdmPasswordWOVersion = types.StringNull(), types.Int64Value(1)
		if d := checkExistingInstance(prior, plan, nil, false); len(d) != 0 {
			t.Errorf("the switch to the write-only password must pass silently, got %v", d)
		}
	})
	t.Run("enable HA on 11", func(t *testing.T) {
		prior := existingModel(t)
		prior.Version = types.StringValue("11")
		plan := prior
		plan.Topology = types.StringValue("HA")
		assertErrorPaths(t, checkExistingInstance(prior, plan, nil, false), []string{"topology"})
	})
}

func TestCheckDestroy(t *testing.T) {
	m := existingModel(t)
	m.DeletionProtection = types.BoolValue(true)
	assertErrorPaths(t, checkDestroy(m), []string{"deletion_protection"})
	m.DeletionProtection = types.BoolValue(false)
	assertErrorPaths(t, checkDestroy(m), nil)
}

func TestKeepComputedFromPrior(t *testing.T) {
	prior := existingModel(t)
	plan := prior
	plan.Status, plan.CPU, plan.ProductVersion, plan.BackupStatus = types.StringUnknown(), types.Int64Unknown(), types.StringUnknown(), types.BoolUnknown()
	plan.ReleasedAt, plan.EndOfSalesAt, plan.ExtendedSupportAt, plan.InternalResourceID = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.Int64Unknown()
	keepComputedFromPrior(context.Background(), prior, &plan)
	if !plan.Status.Equal(prior.Status) || !plan.CPU.Equal(prior.CPU) || !plan.ProductVersion.Equal(prior.ProductVersion) || !plan.BackupStatus.Equal(prior.BackupStatus) {
		t.Errorf("unknowns not replaced: %+v", plan)
	}
	if !plan.ReleasedAt.Equal(prior.ReleasedAt) || !plan.EndOfSalesAt.Equal(prior.EndOfSalesAt) || !plan.ExtendedSupportAt.Equal(prior.ExtendedSupportAt) ||
		!plan.InternalResourceID.Equal(prior.InternalResourceID) {
		t.Errorf("lifecycle dates and internal_resource_id not kept: %+v", plan.postgresqlReadOnlyModel)
	}

	// Arguments ITCare defaults, and the patch party's read-only fields,
	// are kept too; an argument the configuration sets from a value not
	// known yet stays unknown.
	plan = prior
	plan.MonitoringAlerting, plan.CloudID, plan.NodeSizing = types.BoolUnknown(), types.Int64Unknown(), types.StringUnknown()
	attrs := plan.PatchParty.Attributes()
	attrs["patch_tag"], attrs["patch_date"] = types.StringUnknown(), types.StringUnknown()
	attrs["excluded_by"], attrs["exclusion_date"] = types.StringUnknown(), types.StringUnknown()
	plan.PatchParty, _ = types.ObjectValue(patchPartyAttrTypes, attrs)
	keepComputedFromPrior(context.Background(), prior, &plan)
	if !plan.MonitoringAlerting.Equal(prior.MonitoringAlerting) || !plan.CloudID.Equal(prior.CloudID) || !plan.PatchParty.Equal(prior.PatchParty) {
		t.Errorf("computed arguments not kept: alerting %s cloud_id %s patch party %s", plan.MonitoringAlerting, plan.CloudID, plan.PatchParty)
	}
	if !plan.NodeSizing.IsUnknown() {
		t.Errorf("node_sizing = %s, want it still unknown", plan.NodeSizing)
	}
}

func TestVersionLower(t *testing.T) {
	cases := []struct {
		prior, plan string
		want        bool
	}{{"15", "14", true}, {"15", "16", false}, {"15", "15", false}, {"9", "10", false}, {"10", "9", true}, {"x", "9", false}}
	for _, c := range cases {
		if got := versionLower(types.StringValue(c.prior), types.StringValue(c.plan)); got != c.want {
			t.Errorf("%s -> %s: %v, want %v", c.prior, c.plan, got, c.want)
		}
	}
}

// replacingAttributes lists the schema attributes that have a plan modifier
// able to force a replacement.
func replacingAttributes(t *testing.T, s schema.Schema) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for name, a := range s.Attributes {
		var descs []string
		switch a := a.(type) {
		case schema.StringAttribute:
			for _, m := range a.PlanModifiers {
				descs = append(descs, m.Description(ctx))
			}
		case schema.Int64Attribute:
			for _, m := range a.PlanModifiers {
				descs = append(descs, m.Description(ctx))
			}
		case schema.BoolAttribute:
			for _, m := range a.PlanModifiers {
				descs = append(descs, m.Description(ctx))
			}
		case schema.SingleNestedAttribute:
			for _, m := range a.PlanModifiers {
				descs = append(descs, m.Description(ctx))
			}
		}
		for _, d := range descs {
			if d := strings.ToLower(d); strings.Contains(d, "replace") || strings.Contains(d, "destroy and recreate") {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestCreateOnlyOnlyRecordedWarning: a create-only value the API never
// returns, set on an instance whose state has none, is recorded with a
// warning that ITCare is not changed.
func TestCreateOnlyOnlyRecordedWarning(t *testing.T) {
	ctx := context.Background()
	prior := existingModel(t)
	plan := prior
	plan.Region = types.StringValue("EU")
	d := planWarnings(ctx, prior, plan, nil)
	if len(d.Warnings()) != 1 || d.Warnings()[0].Summary() != "Create-Only Argument Only Recorded" {
		t.Fatalf("want one Create-Only Argument Only Recorded warning, got %v", d)
	}
	prior.Region = types.StringValue("EU")
	if d := planWarnings(ctx, prior, plan, nil); len(d) != 0 {
		t.Errorf("a recorded value that does not change warns: %v", d)
	}
}

func TestReplaceRulesMatchSchema(t *testing.T) {
	var rules []string
	for _, r := range replaceRules {
		rules = append(rules, r.attr)
	}
	sort.Strings(rules)
	if want := replacingAttributes(t, pgSchema(t)); !slices.Equal(rules, want) {
		t.Errorf("replace rules %v\nschema attributes with a replacing plan modifier %v", rules, want)
	}
}

func TestReplacementAttributes(t *testing.T) {
	cases := []struct {
		name string
		edit func(prior, plan *postgresqlResourceModel)
		want []string
	}{
		{"nothing", func(_, _ *postgresqlResourceModel) {}, nil},
		{"disk and name", func(_, p *postgresqlResourceModel) {
			p.DiskSize, p.Name = types.Int64Value(80), types.StringValue("pgunit02")
		}, []string{"name", "disk_size"}},
		{"lower version", func(_, p *postgresqlResourceModel) { p.Version = types.StringValue("14") }, []string{"version"}},
		{"higher version", func(_, p *postgresqlResourceModel) { p.Version = types.StringValue("16") }, nil},
		{"HA to standalone", func(pr, p *postgresqlResourceModel) {
			pr.Topology = types.StringValue("HA")
		}, []string{"topology"}},
		{"lag alone", func(_, p *postgresqlResourceModel) { p.AllowedReplicationLag = types.Int64Value(20) }, []string{"allowed_replication_lag"}},
		{"lag with enable HA", func(_, p *postgresqlResourceModel) {
			p.AllowedReplicationLag, p.Topology = types.Int64Value(20), types.StringValue("HA")
		}, nil},
		{"node prefix recorded after import", func(_, p *postgresqlResourceModel) { p.NodePrefix = types.StringValue("PGHA1") }, nil},
		{"node prefix changed", func(pr, p *postgresqlResourceModel) {
			pr.NodePrefix, p.NodePrefix = types.StringValue("PGHA1"), types.StringValue("PGHA2")
		}, []string{"node_prefix"}},
		{"node prefix removed", func(pr, p *postgresqlResourceModel) {
			pr.NodePrefix, p.NodePrefix = types.StringValue("PGHA1"), types.StringNull()
		}, nil},
		{"backup_enabled set as ITCare reads it back", func(pr, p *postgresqlResourceModel) {
			pr.BackupStatus, p.BackupEnabled = types.BoolValue(true), types.BoolValue(true)
		}, nil},
		{"backup_enabled set against what ITCare reads back", func(pr, p *postgresqlResourceModel) {
			pr.BackupStatus, p.BackupEnabled = types.BoolValue(true), types.BoolValue(false)
		}, []string{"backup_enabled"}},
		{"replication_enabled set against what ITCare reads back", func(pr, p *postgresqlResourceModel) {
			pr.ReplicationStatus, p.ReplicationEnabled = types.BoolValue(false), types.BoolValue(true)
		}, []string{"replication_enabled"}},
		{"backup_enabled removed", func(pr, p *postgresqlResourceModel) {
			pr.BackupEnabled, pr.BackupStatus, p.BackupEnabled = types.BoolValue(false), types.BoolValue(true), types.BoolNull()
		}, nil},
		{"restore, the same instant written otherwise", func(pr, p *postgresqlResourceModel) {
			pr.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T21:59:30Z"), "stop": types.StringValue("AFTER"),
			})
			p.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T22:59:30.000+01:00"), "stop": types.StringValue("AFTER"),
			})
		}, nil},
		{"restore removed", func(pr, p *postgresqlResourceModel) {
			pr.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T21:59:30Z"), "stop": types.StringValue("AFTER"),
			})
			p.Restore = types.ObjectNull(restoreAttrTypes)
		}, nil},
		{"restore, another instant", func(pr, p *postgresqlResourceModel) {
			pr.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T21:59:30Z"), "stop": types.StringValue("AFTER"),
			})
			p.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T21:59:31Z"), "stop": types.StringValue("AFTER"),
			})
		}, nil}, // restored in place
		{"restore added", func(_, p *postgresqlResourceModel) {
			p.Restore, _ = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
				"source_id": types.Int64Value(1), "timestamp": types.StringValue("2025-01-01T00:00:00Z"), "stop": types.StringValue("AFTER"),
			})
		}, nil}, // restored in place
		{"provider-side only", func(_, p *postgresqlResourceModel) {
			p.DeletionProtection, p.ChangeReference = types.BoolValue(false), types.StringValue("RFC1")
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prior, plan := existingModel(t), existingModel(t)
			c.edit(&prior, &plan)
			var got []string
			for _, p := range replacementAttributes(prior, plan) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// An instance cannot be restored from itself; the check needs no API call.
func TestRestoreInPlaceFromItself(t *testing.T) {
	prior := postgresqlResourceModel{Name: types.StringValue("pgself"), Version: types.StringValue("15")}
	plan := prior
	var diags diag.Diagnostics
	plan.Restore, diags = types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
		"source_id": types.Int64Value(42), "timestamp": types.StringValue(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)),
		"stop": types.StringValue("BEFORE"),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	got, err := checkRestoreInPlaceWithAPI(context.Background(), nil, 42, prior, plan)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, got, path.Root("restore").AtName("source_id"), "Restore Source Is This Instance", "the id of the PostgreSQL instance \"pgself\" itself")
}
