package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

func pgSchema(t testing.TB) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	NewPostgreSQLResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	return resp.Schema
}

func tfsdkTags(t reflect.Type) []string {
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		if tag := f.Tag.Get("tfsdk"); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

func attrNames(m map[string]schema.Attribute) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPostgreSQLSchemaValid(t *testing.T) {
	s := pgSchema(t)
	if d := s.ValidateImplementation(context.Background()); d.HasError() {
		t.Fatalf("schema implementation: %v", d)
	}
}

func TestPostgreSQLSchemaModelParity(t *testing.T) {
	s := pgSchema(t)
	cases := []struct {
		name  string
		attrs map[string]schema.Attribute
		model any
	}{
		{"resource", s.Attributes, postgresqlResourceModel{}},
		{"patch_party", s.Attributes["patch_party"].(schema.SingleNestedAttribute).Attributes, patchPartyModel{}},
		{"restore", s.Attributes["restore"].(schema.SingleNestedAttribute).Attributes, restoreModel{}},
		{"extensions", s.Attributes["extensions"].(schema.SetNestedAttribute).NestedObject.Attributes, extensionModel{}},
	}
	for _, c := range cases {
		got, want := tfsdkTags(reflect.TypeOf(c.model)), attrNames(c.attrs)
		if !slices.Equal(got, want) {
			t.Errorf("%s: model fields %v\nschema attributes %v", c.name, got, want)
		}
	}
	// The attribute-type maps used to build values must match the schema too.
	for name, types := range map[string]map[string]attr.Type{"patch_party": patchPartyAttrTypes, "restore": restoreAttrTypes} {
		var keys []string
		for k := range types {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := attrNames(s.Attributes[name].(schema.SingleNestedAttribute).Attributes); !slices.Equal(keys, want) {
			t.Errorf("%s attr types %v, schema %v", name, keys, want)
		}
	}
	// A full model must round-trip through a state built from the schema.
	st := tfsdk.State{Schema: s}
	m := sampleModel(t)
	if d := st.Set(context.Background(), &m); d.HasError() {
		t.Fatalf("set: %v", d)
	}
	var back postgresqlResourceModel
	if d := st.Get(context.Background(), &back); d.HasError() {
		t.Fatalf("get: %v", d)
	}
	if back.Name.ValueString() != "pgunit01" || back.PatchParty.IsNull() {
		t.Errorf("round trip lost values: %+v", back)
	}
}

func sampleModel(t testing.TB) postgresqlResourceModel {
	t.Helper()
	pg := samplePG()
	prior := nullModel()
	prior.Name = types.StringValue("pgunit01")
	prior.DiskSize = types.Int64Value(40)
	m, d := flattenPostgreSQL(context.Background(), prior, &pg, nil)
	if d.HasError() {
		t.Fatalf("flatten: %v", d)
	}
	return m
}

// nullModel is a model whose every value is a typed null, like an imported
// state before the first read.
func nullModel() postgresqlResourceModel {
	var m postgresqlResourceModel
	v := reflect.ValueOf(&m).Elem()
	for _, field := range reflect.VisibleFields(v.Type()) {
		if field.Anonymous {
			continue
		}
		switch f := v.FieldByIndex(field.Index).Addr().Interface().(type) {
		case *types.String:
			*f = types.StringNull()
		case *types.Int64:
			*f = types.Int64Null()
		case *types.Bool:
			*f = types.BoolNull()
		}
	}
	m.PatchParty = types.ObjectNull(patchPartyAttrTypes)
	m.Restore = types.ObjectNull(restoreAttrTypes)
	m.Extensions = types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
	return m
}

func samplePG() itcare.PostgreSQL {
	eos := itcare.Time{Time: time.Date(2028, 11, 9, 0, 0, 0, 0, time.UTC)}
	return itcare.PostgreSQL{
		ID: 500061854, Name: "pgunit01", Status: "ACTIVE", Area: "EB-QA", Environment: "DEVELOPMENT",
		ServiceID: 1001, ServiceName: "Dev", NetworkID: 2001, IPAddress: "10.0.0.5", URL: "postgresql://pgunit01:5432",
		Version: "15", ProductVersion: "15.4", NodeSizing: "2cpu4gb", CPU: 2, RAM: 4, Storage: 40, NodeCount: 1,
		InstanceCount: 1, Topology: "STANDALONE", TLSEnabled: true, AllowedReplicationLag: 10, Trigram: "ACC",
		MonitoringEnabled: true, MonitoringOnCallEnabled: false, MonitoringAlerting: true,
		PatchParty:   &itcare.PatchParty{Excluded: false, PatchGroup: "3", PatchTag: "T1"},
		CreationTime: "2025-01-01T10:00:00Z", CreationUser: "api", SupportPhase: "STANDARD", EndOfSupportAt: &eos,
		ReleasedAt:         &itcare.Time{Time: time.Date(2022, 10, 13, 0, 0, 0, 0, time.UTC)},
		EndOfSalesAt:       &itcare.Time{Time: time.Date(2027, 11, 11, 0, 0, 0, 0, time.UTC)},
		ExtendedSupportAt:  &itcare.Time{Time: time.Date(2029, 11, 8, 0, 0, 0, 0, time.UTC)},
		InternalResourceID: 500061854,
	}
}

func TestFlattenPostgreSQL(t *testing.T) {
	ctx := context.Background()
	pg := samplePG()

	t.Run("import takes read values and provider defaults", func(t *testing.T) {
		m, d := flattenPostgreSQL(ctx, nullModel(), &pg, nil)
		if d.HasError() {
			t.Fatal(d)
		}
		checks := map[string][2]string{
			"id":                  {m.ID.ValueString(), "500061854"},
			"version":             {m.Version.ValueString(), "15"},
			"topology":            {m.Topology.ValueString(), "STANDALONE"},
			"power_state":         {m.PowerState.ValueString(), "running"},
			"disk_size":           {m.DiskSize.String(), "40"},
			"tls":                 {m.TLS.String(), "true"},
			"on_call_supervision": {m.OnCallSupervision.String(), "false"},
			"deletion_protection": {m.DeletionProtection.String(), "true"},
			"allow_major":         {m.AllowMajorVersionUpgrade.String(), "false"},
			"end_of_support_at":   {m.EndOfSupportAt.ValueString(), "2028-11-09T00:00:00Z"},
			"node_prefix":         {m.NodePrefix.String(), "<null>"},
			"adm_password":        {m.AdmPassword.String(), "<null>"},
			"extensions":          {fmt.Sprint(m.Extensions.IsNull()), "true"},
		}
		for name, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s = %s, want %s", name, c[0], c[1])
			}
		}
		var pp patchPartyModel
		m.PatchParty.As(ctx, &pp, basetypes.ObjectAsOptions{})
		if pp.PatchGroup.ValueString() != "3" || !pp.ExclusionReason.IsNull() || pp.PatchTag.ValueString() != "T1" {
			t.Errorf("patch party %+v", pp)
		}
	})

	t.Run("keeps what the API does not return", func(t *testing.T) {
		prior := nullModel()
		prior.AdmPassword = types.StringValue("Str0ng!Passw0rd")
		prior.NodePrefix = types.StringValue("PGHA1")
		prior.DiskSize = types.Int64Value(100)
		prior.DeletionProtection = types.BoolValue(false)
		prior.ChangeReference = types.StringValue("RFC1")
		prior.AdmPasswordWO = types.StringValue("never stored")
		m, _ := flattenPostgreSQL(ctx, prior, &pg, nil)
		if m.AdmPassword.ValueString() != "Str0ng!Passw0rd" || m.NodePrefix.ValueString() != "PGHA1" ||
			m.DiskSize.ValueInt64() != 100 || m.DeletionProtection.ValueBool() || m.ChangeReference.ValueString() != "RFC1" {
			t.Errorf("prior values lost: %+v", m)
		}
		if !m.AdmPasswordWO.IsNull() {
			t.Error("write-only password reached the state model")
		}
	})

	t.Run("stopped instance", func(t *testing.T) {
		stopped := pg
		stopped.Status = "STOPPED"
		m, _ := flattenPostgreSQL(ctx, nullModel(), &stopped, nil)
		if m.PowerState.ValueString() != "stopped" {
			t.Errorf("power_state = %s", m.PowerState)
		}
	})

	t.Run("version from the product version when the read model has none", func(t *testing.T) {
		bare := pg
		bare.Version, bare.ProductVersion = "", "14.12"
		m, _ := flattenPostgreSQL(ctx, nullModel(), &bare, nil)
		if m.Version.ValueString() != "14" {
			t.Errorf("version = %s, want 14", m.Version)
		}
	})

	t.Run("extensions keep tracked ones still installed", func(t *testing.T) {
		prior := nullModel()
		prior.Extensions = extSet(t, "app/pg_trgm", "app/hstore", "other/postgis")
		dbs := []itcare.Database{
			{Name: "app", Extensions: []itcare.DatabaseExtension{{Name: "plpgsql"}, {Name: "pg_trgm"}}},
			{Name: "other", Extensions: []itcare.DatabaseExtension{{Name: "postgis"}}},
		}
		m, d := flattenPostgreSQL(ctx, prior, &pg, dbs)
		if d.HasError() {
			t.Fatal(d)
		}
		got := must(extensionsFromSet(ctx, m.Extensions))(t)
		sort.Slice(got, func(i, j int) bool { return got[i].db+got[i].name < got[j].db+got[j].name })
		want := []extensionKey{{"app", "pg_trgm"}, {"other", "postgis"}}
		if !slices.Equal(got, want) {
			t.Errorf("extensions %v, want %v", got, want)
		}
	})

	t.Run("HA disk size on import is the node storage", func(t *testing.T) {
		ha := pg
		ha.Topology, ha.NodeCount, ha.Storage = "HA", 3, 100
		m, _ := flattenPostgreSQL(ctx, nullModel(), &ha, nil)
		if m.DiskSize.ValueInt64() != 100 || m.Topology.ValueString() != "HA" {
			t.Errorf("disk_size = %s", m.DiskSize)
		}
	})
}

func extSet(t testing.TB, items ...string) types.Set {
	t.Helper()
	var vals []attr.Value
	for _, it := range items {
		db, name, _ := strings.Cut(it, "/")
		v, d := types.ObjectValue(extensionAttrTypes, map[string]attr.Value{"database": types.StringValue(db), "name": types.StringValue(name)})
		if d.HasError() {
			t.Fatal(d)
		}
		vals = append(vals, v)
	}
	s, d := types.SetValue(types.ObjectType{AttrTypes: extensionAttrTypes}, vals)
	if d.HasError() {
		t.Fatal(d)
	}
	return s
}

func patchPartyValue(t *testing.T, excluded *bool, group, reason string) types.Object {
	t.Helper()
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	ex := types.BoolNull()
	if excluded != nil {
		ex = types.BoolValue(*excluded)
	}
	o, d := types.ObjectValue(patchPartyAttrTypes, map[string]attr.Value{
		"excluded": ex, "patch_group": str(group), "exclusion_reason": str(reason),
		"patch_date": types.StringNull(), "patch_tag": types.StringNull(),
		"excluded_by": types.StringNull(), "exclusion_date": types.StringNull(),
	})
	if d.HasError() {
		t.Fatal(d)
	}
	return o
}

// TestFlattenReadOnly maps the read-only values the resource and the data
// source share: dates in UTC RFC 3339 whatever their offset, absent values
// null.
func TestFlattenReadOnly(t *testing.T) {
	at := func(s string) *itcare.Time {
		v, err := itcare.ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return &itcare.Time{Time: v}
	}
	type lifecycle struct{ releasedAt, endOfSalesAt, endOfSupportAt, extendedSupportAt types.String }
	for _, tc := range []struct {
		name           string
		in             itcare.PostgreSQL
		want           lifecycle
		wantInternalID types.Int64
	}{
		{
			name: "every date, in UTC",
			in: itcare.PostgreSQL{
				ReleasedAt: at("2022-10-13T00:00:00.000Z"), EndOfSalesAt: at("2026-11-12T01:00:00+0100"),
				EndOfSupportAt: at("2027-11-11T00:00:00+00:00"), ExtendedSupportAt: at("2028-11-09"), InternalResourceID: 600061854,
			},
			want: lifecycle{
				types.StringValue("2022-10-13T00:00:00Z"), types.StringValue("2026-11-12T00:00:00Z"),
				types.StringValue("2027-11-11T00:00:00Z"), types.StringValue("2028-11-09T00:00:00Z"),
			},
			wantInternalID: types.Int64Value(600061854),
		},
		{
			name:           "none given",
			in:             itcare.PostgreSQL{},
			want:           lifecycle{types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()},
			wantInternalID: types.Int64Null(),
		},
		{
			name:           "null dates read as zero",
			in:             itcare.PostgreSQL{ReleasedAt: &itcare.Time{}, EndOfSalesAt: &itcare.Time{}, ExtendedSupportAt: &itcare.Time{}, InternalResourceID: 7},
			want:           lifecycle{types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()},
			wantInternalID: types.Int64Value(7),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flattenReadOnly(&tc.in)
			if g := (lifecycle{got.ReleasedAt, got.EndOfSalesAt, got.EndOfSupportAt, got.ExtendedSupportAt}); g != tc.want {
				t.Errorf("lifecycle dates %+v, want %+v", g, tc.want)
			}
			if !got.InternalResourceID.Equal(tc.wantInternalID) {
				t.Errorf("internal_resource_id = %s, want %s", got.InternalResourceID, tc.wantInternalID)
			}
		})
	}
}

func TestFlattenPatchParty(t *testing.T) {
	exclusion, err := itcare.ParseTime("2025-03-01T10:30:00.250+0100")
	if err != nil {
		t.Fatal(err)
	}
	null := types.StringNull()
	for _, tc := range []struct {
		name string
		in   *itcare.PatchParty
		want map[string]attr.Value // nil: a null object
	}{
		{
			name: "excluded: who and when",
			in: &itcare.PatchParty{Excluded: true, ExcludedBy: "itcare-emulator", ExclusionDate: &itcare.Time{Time: exclusion},
				ExclusionReason: "freeze", PatchGroup: "2", PatchTag: "2025-Q2"},
			want: map[string]attr.Value{
				"excluded": types.BoolValue(true), "patch_group": types.StringValue("2"), "exclusion_reason": types.StringValue("freeze"),
				"patch_date": null, "patch_tag": types.StringValue("2025-Q2"),
				"excluded_by": types.StringValue("itcare-emulator"), "exclusion_date": types.StringValue("2025-03-01T09:30:00Z"),
			},
		},
		{
			name: "included: no exclusion fields",
			in:   &itcare.PatchParty{Excluded: false, PatchGroup: "1"},
			want: map[string]attr.Value{
				"excluded": types.BoolValue(false), "patch_group": types.StringValue("1"), "exclusion_reason": null,
				"patch_date": null, "patch_tag": null, "excluded_by": null, "exclusion_date": null,
			},
		},
		{name: "none", in: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, d := flattenPatchParty(tc.in)
			if d.HasError() {
				t.Fatal(d)
			}
			want := types.ObjectNull(patchPartyAttrTypes)
			if tc.want != nil {
				want = types.ObjectValueMust(patchPartyAttrTypes, tc.want)
			}
			if !got.Equal(want) {
				t.Errorf("flattenPatchParty = %s, want %s", got, want)
			}
		})
	}
}

func TestExpandCreateRequest(t *testing.T) {
	m := nullModel()
	m.Name, m.Area, m.Trigram = types.StringValue("pgunit01"), types.StringValue("EB-QA"), types.StringValue("ACC")
	m.ServiceID, m.NetworkID = types.Int64Value(1001), types.Int64Value(2001)
	m.NodeSizing, m.DiskSize, m.Version = types.StringValue("2cpu4gb"), types.Int64Value(40), types.StringValue("15")
	m.Topology, m.AllowedReplicationLag, m.TLS = types.StringValue("STANDALONE"), types.Int64Value(10), types.BoolValue(false)
	m.MonitoringEnabled = types.BoolUnknown()

	raw, err := json.Marshal(expandCreateRequest(m, "Str0ng!Passw0rd"))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	for _, k := range []string{"name", "area", "nodeSizing", "diskSize", "admPassword", "postgreVersion", "serviceId", "networkId", "topology", "trigram", "allowedReplicationLag", "tls"} {
		if _, ok := body[k]; !ok {
			t.Errorf("%s not sent", k)
		}
	}
	for _, k := range []string{"nodePrefix", "az", "backupEnabled", "monitoringEnabled", "onCallSupervision", "cloudId", "platform", "dbBackupPolicyId"} {
		if _, ok := body[k]; ok {
			t.Errorf("unset %s was sent", k)
		}
	}

	m.Topology, m.NodePrefix, m.AvailabilityZone = types.StringValue("HA"), types.StringValue("PGHA1"), types.StringValue("EB-QA-A")
	m.MonitoringEnabled, m.CloudID = types.BoolValue(false), types.Int64Value(7)
	req := expandCreateRequest(m, "x")
	if req.NodePrefix != "PGHA1" || req.AZ != "EB-QA-A" || req.MonitoringEnabled == nil || *req.MonitoringEnabled || req.CloudID == nil || *req.CloudID != 7 {
		t.Errorf("HA request %+v", req)
	}
}

func TestRestoreFromModel(t *testing.T) {
	o, _ := types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
		"source_id": types.Int64Value(42), "timestamp": types.StringValue("2025-01-31T09:30:00+01:00"), "stop": types.StringValue("AFTER"),
	})
	got := must(restoreFromModel(context.Background(), o))(t)
	want := &itcare.RestoreOptions{SourceID: 42, Stop: "AFTER", Timestamp: "2025-01-31T09:30:00.000+01:00"}
	if got == nil || *got != *want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if must(restoreFromModel(context.Background(), types.ObjectNull(restoreAttrTypes)))(t) != nil {
		t.Error("null restore produced options")
	}
}

func TestPostCreateOperations(t *testing.T) {
	ctx := context.Background()
	yes := true
	pg := samplePG()
	plan := nullModel()
	plan.PowerState = types.StringValue("running")
	if ops := must(postCreateOperations(ctx, plan, &pg, nil))(t); len(ops) != 0 {
		t.Errorf("nothing configured, got %v", ops)
	}
	plan.PatchParty = patchPartyValue(t, &yes, "", "legacy app")
	plan.Extensions = extSet(t, "app/pg_trgm", "app/hstore", "other/postgis")
	plan.PowerState = types.StringValue("stopped")
	dbs := []itcare.Database{{Name: "app", Extensions: []itcare.DatabaseExtension{{Name: "hstore"}}}}
	var names []string
	for _, o := range must(postCreateOperations(ctx, plan, &pg, dbs))(t) {
		names = append(names, o.Name)
		if o.Name == itcare.OpInstallExtension {
			opt := o.Options.(itcare.InstallExtensionOptions)
			if opt.DBName == "app" && (len(opt.ExtensionsList) != 1 || opt.ExtensionsList[0].Name != "pg_trgm") {
				t.Errorf("app extensions %+v", opt)
			}
		}
	}
	want := []string{"update_patch_party", "install_extension", "install_extension", "stop"}
	if !slices.Equal(names, want) {
		t.Errorf("operations %v, want %v", names, want)
	}
}

func assertErrorPaths(t *testing.T, d diag.Diagnostics, want []string) {
	t.Helper()
	var got []string
	for _, e := range d.Errors() {
		if wp, ok := e.(diag.DiagnosticWithPath); ok {
			got = append(got, wp.Path().String())
		} else {
			got = append(got, "<no path>: "+e.Detail())
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("error paths %v, want %v (%v)", got, want, d)
	}
}

func existingModel(t *testing.T) postgresqlResourceModel {
	m := sampleModel(t)
	m.AdmPassword = types.StringValue("Str0ng!Passw0rd")
	m.AdmPasswordWOVersion = types.Int64Value(1)
	return m
}

func TestValidators(t *testing.T) {
	ctx := context.Background()
	run := func(v validator.String, s string) diag.Diagnostics {
		var resp validator.StringResponse
		v.ValidateString(ctx, validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(s)}, &resp)
		return resp.Diagnostics
	}
	cases := []struct {
		v       validator.String
		value   string
		wantErr string
	}{
		{passwordValidator{}, "Str0ng!Passw0rd", ""},
		{passwordValidator{}, "Short1!a", "length (8 characters)"},
		{passwordValidator{}, "alllowercase1!", "an uppercase letter"},
		{passwordValidator{}, "ALLUPPERCASE1!", "a lowercase letter"},
		{passwordValidator{}, "NoDigitsHere!!", "a digit"},
		{passwordValidator{}, "NoSpecial12345", "a special character"},
		{majorVersionValidator{}, "15", ""},
		{majorVersionValidator{}, "17", ""},
		{majorVersionValidator{}, "15.4", "major version only"},
		{majorVersionValidator{}, "015", "without a leading zero"},
		{majorVersionValidator{}, "0", "without a leading zero"},
		{rfc3339Validator{}, "2025-01-31T09:30:00+01:00", ""},
		{rfc3339Validator{}, "2025-01-31T09:30:00.123Z", ""},
		{rfc3339Validator{}, "2025-01-31T09:30:00", "RFC 3339"},
		{rfc3339Validator{}, "2025-01-31", "RFC 3339"},
	}
	for _, c := range cases {
		d := run(c.v, c.value)
		switch {
		case c.wantErr == "" && d.HasError():
			t.Errorf("%T(%q): unexpected %v", c.v, c.value, d)
		case c.wantErr != "" && (!d.HasError() || !strings.Contains(d.Errors()[0].Detail(), c.wantErr)):
			t.Errorf("%T(%q): want error containing %q, got %v", c.v, c.value, c.wantErr, d)
		}
		if c.v == (passwordValidator{}) && d.HasError() && strings.Contains(d.Errors()[0].Detail(), c.value) {
			t.Errorf("password error reveals the value: %s", d.Errors()[0].Detail())
		}
	}
	for _, s := range []string{"2cpu4gb", "16cpu128gb"} {
		if !nodeSizingRegexp.MatchString(s) {
			t.Errorf("node sizing %q refused", s)
		}
	}
	for _, s := range []string{"0cpu4gb", "2cpu", "2CPU4GB", "2cpu4gb "} {
		if nodeSizingRegexp.MatchString(s) {
			t.Errorf("node sizing %q accepted", s)
		}
	}
}

func TestAttributeForAPIField(t *testing.T) {
	cases := []struct{ desc, pw, want string }{
		{"diskSize", "", "disk_size"},
		{"options.sizing", "", "node_sizing"},
		{"Error on field 'postgreVersion'", "", "version"},
		{"admPassword", "adm_password_wo", "adm_password_wo"},
		{"admPassword", "", "adm_password"},
		{"sourceId", "", "restore.source_id"},
		{"somethingElse", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		p, ok := attributeForAPIField(c.desc, c.pw)
		got := ""
		if ok {
			got = p.String()
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.desc, got, c.want)
		}
	}
}

func TestAddAPIError(t *testing.T) {
	var d diag.Diagnostics
	op := opContext{Step: stepCreate, ID: 42, Name: "pgunit01", ActionID: 7}
	addAPIError(&d, summaryCreate, op, &itcare.ActionError{ActionID: 7, Process: "POSTGRESQL_CREATE", Message: "no capacity"})
	detail := d.Errors()[0].Detail()
	for _, want := range []string{`"pgunit01" (id 42)`, "action 7", "POSTGRESQL_CREATE", "no capacity", "tainted"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q: %s", want, detail)
		}
	}
	if d.Errors()[0].Summary() != "Error Creating PostgreSQL Instance" {
		t.Errorf("summary %q", d.Errors()[0].Summary())
	}

	d = nil
	addAPIError(&d, summaryCreate, opContext{Step: stepCreate, Name: "pgunit01"},
		&itcare.APIError{Method: "POST", Path: "/databases/postgresql", HTTPStatus: 400, ErrorCode: "INVALID_FIELD_VALUE", ErrorDesc: "nodeSizing", ErrorMessage: "unknown size"})
	wp, ok := d.Errors()[0].(diag.DiagnosticWithPath)
	if !ok || wp.Path().String() != "node_sizing" {
		t.Errorf("API error not attached to node_sizing: %v", d)
	}
	if !strings.Contains(d.Errors()[0].Detail(), "Nothing was recorded") {
		t.Errorf("detail: %s", d.Errors()[0].Detail())
	}

	d = nil
	addAPIError(&d, summaryCreate, opContext{Step: stepCreate, ID: 42, Name: "pgunit01", ActionID: 9, Timeout: 3 * time.Second, TimeoutName: "create"},
		fmt.Errorf("waiting: %w", context.DeadlineExceeded))
	if detail := d.Errors()[0].Detail(); !strings.Contains(detail, "timeouts.create") || !strings.Contains(detail, "action 9") {
		t.Errorf("timeout detail: %s", detail)
	}
}
