package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// postgresqlResourceModel mirrors the schema; the parity test keeps them in step.
type postgresqlResourceModel struct {
	ID                       types.String   `tfsdk:"id"`
	Name                     types.String   `tfsdk:"name"`
	ServiceID                types.Int64    `tfsdk:"service_id"`
	NetworkID                types.Int64    `tfsdk:"network_id"`
	Area                     types.String   `tfsdk:"area"`
	Trigram                  types.String   `tfsdk:"trigram"`
	NodeSizing               types.String   `tfsdk:"node_sizing"`
	DiskSize                 types.Int64    `tfsdk:"disk_size"`
	Version                  types.String   `tfsdk:"version"`
	Topology                 types.String   `tfsdk:"topology"`
	AllowedReplicationLag    types.Int64    `tfsdk:"allowed_replication_lag"`
	NodePrefix               types.String   `tfsdk:"node_prefix"`
	AvailabilityZone         types.String   `tfsdk:"availability_zone"`
	TLS                      types.Bool     `tfsdk:"tls"`
	AdmPassword              types.String   `tfsdk:"adm_password"`
	AdmPasswordWO            types.String   `tfsdk:"adm_password_wo"`
	AdmPasswordWOVersion     types.Int64    `tfsdk:"adm_password_wo_version"`
	BackupEnabled            types.Bool     `tfsdk:"backup_enabled"`
	DBBackupPolicyID         types.String   `tfsdk:"db_backup_policy_id"`
	ServerBackupPolicyID     types.String   `tfsdk:"server_backup_policy_id"`
	NoBackupProdReason       types.String   `tfsdk:"no_backup_prod_reason"`
	ReplicationEnabled       types.Bool     `tfsdk:"replication_enabled"`
	NoReplicationProdReason  types.String   `tfsdk:"no_replication_prod_reason"`
	NoMonitoringProdReason   types.String   `tfsdk:"no_monitoring_prod_reason"`
	MonitoringAlerting       types.Bool     `tfsdk:"monitoring_alerting"`
	CloudID                  types.Int64    `tfsdk:"cloud_id"`
	Platform                 types.String   `tfsdk:"platform"`
	Region                   types.String   `tfsdk:"region"`
	Regulation               types.String   `tfsdk:"regulation"`
	MonitoringEnabled        types.Bool     `tfsdk:"monitoring_enabled"`
	OnCallSupervision        types.Bool     `tfsdk:"on_call_supervision"`
	PatchParty               types.Object   `tfsdk:"patch_party"`
	Extensions               types.Set      `tfsdk:"extensions"`
	PowerState               types.String   `tfsdk:"power_state"`
	Restore                  types.Object   `tfsdk:"restore"`
	ChangeReference          types.String   `tfsdk:"change_reference"`
	DeletionProtection       types.Bool     `tfsdk:"deletion_protection"`
	AllowMajorVersionUpgrade types.Bool     `tfsdk:"allow_major_version_upgrade"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`

	// The attributes only ITCare sets.
	postgresqlReadOnlyModel
}

// postgresqlReadOnlyModel holds the attributes that only ITCare sets. The
// resource and the data source embed it, so that both map them with one
// function, flattenReadOnly, and a plan keeps them with one, fillUnknown.
type postgresqlReadOnlyModel struct {
	Status             types.String `tfsdk:"status"`
	IPAddress          types.String `tfsdk:"ip_address"`
	URL                types.String `tfsdk:"url"`
	ProductVersion     types.String `tfsdk:"product_version"`
	CPU                types.Int64  `tfsdk:"cpu"`
	RAM                types.Int64  `tfsdk:"ram"`
	Storage            types.Int64  `tfsdk:"storage"`
	NodeCount          types.Int64  `tfsdk:"node_count"`
	InstanceCount      types.Int64  `tfsdk:"instance_count"`
	Environment        types.String `tfsdk:"environment"`
	ServiceName        types.String `tfsdk:"service_name"`
	CreationTime       types.String `tfsdk:"creation_time"`
	CreationUser       types.String `tfsdk:"creation_user"`
	ReplicationStatus  types.Bool   `tfsdk:"replication_status"`
	BackupStatus       types.Bool   `tfsdk:"backup_status"`
	SupportPhase       types.String `tfsdk:"support_phase"`
	EndOfSupportAt     types.String `tfsdk:"end_of_support_at"`
	MetrologyURL       types.String `tfsdk:"metrology_url"`
	EndOfSalesAt       types.String `tfsdk:"end_of_sales_at"`
	ExtendedSupportAt  types.String `tfsdk:"extended_support_at"`
	ReleasedAt         types.String `tfsdk:"released_at"`
	InternalResourceID types.Int64  `tfsdk:"internal_resource_id"`
}

// flattenReadOnly maps the read model's read-only values.
func flattenReadOnly(pg *itcare.PostgreSQL) postgresqlReadOnlyModel {
	return postgresqlReadOnlyModel{
		Status:             nullIfEmpty(pg.Status),
		IPAddress:          nullIfEmpty(pg.IPAddress),
		URL:                nullIfEmpty(pg.URL),
		ProductVersion:     nullIfEmpty(pg.ProductVersion),
		CPU:                types.Int64Value(pg.CPU),
		RAM:                types.Int64Value(pg.RAM),
		Storage:            types.Int64Value(pg.Storage),
		NodeCount:          types.Int64Value(pg.NodeCount),
		InstanceCount:      types.Int64Value(pg.InstanceCount),
		Environment:        nullIfEmpty(pg.Environment),
		ServiceName:        nullIfEmpty(pg.ServiceName),
		CreationTime:       nullIfEmpty(pg.CreationTime),
		CreationUser:       nullIfEmpty(pg.CreationUser),
		ReplicationStatus:  types.BoolValue(pg.ReplicationStatus),
		BackupStatus:       types.BoolValue(pg.BackupStatus),
		SupportPhase:       nullIfEmpty(pg.SupportPhase),
		EndOfSupportAt:     timeString(pg.EndOfSupportAt),
		MetrologyURL:       nullIfEmpty(pg.MetrologyURL),
		EndOfSalesAt:       timeString(pg.EndOfSalesAt),
		ExtendedSupportAt:  timeString(pg.ExtendedSupportAt),
		ReleasedAt:         timeString(pg.ReleasedAt),
		InternalResourceID: nullIfZero(pg.InternalResourceID),
	}
}

type patchPartyModel struct {
	Excluded        types.Bool   `tfsdk:"excluded"`
	PatchGroup      types.String `tfsdk:"patch_group"`
	ExclusionReason types.String `tfsdk:"exclusion_reason"`
	PatchDate       types.String `tfsdk:"patch_date"`
	PatchTag        types.String `tfsdk:"patch_tag"`
	ExcludedBy      types.String `tfsdk:"excluded_by"`
	ExclusionDate   types.String `tfsdk:"exclusion_date"`
}

type restoreModel struct {
	SourceID  types.Int64  `tfsdk:"source_id"`
	Timestamp types.String `tfsdk:"timestamp"`
	Stop      types.String `tfsdk:"stop"`
}

type extensionModel struct {
	Database types.String `tfsdk:"database"`
	Name     types.String `tfsdk:"name"`
}

var (
	patchPartyAttrTypes = map[string]attr.Type{
		"excluded":         types.BoolType,
		"patch_group":      types.StringType,
		"exclusion_reason": types.StringType,
		"patch_date":       types.StringType,
		"patch_tag":        types.StringType,
		"excluded_by":      types.StringType,
		"exclusion_date":   types.StringType,
	}
	restoreAttrTypes = map[string]attr.Type{
		"source_id": types.Int64Type,
		"timestamp": types.StringType,
		"stop":      types.StringType,
	}
	extensionAttrTypes = map[string]attr.Type{
		"database": types.StringType,
		"name":     types.StringType,
	}
)

// expandCreateRequest builds the create body. Unset optional arguments are
// not sent, so that ITCare applies its own defaults.
func expandCreateRequest(m postgresqlResourceModel, password string) itcare.CreatePostgreSQLRequest {
	req := itcare.CreatePostgreSQLRequest{
		Name:                    m.Name.ValueString(),
		Area:                    m.Area.ValueString(),
		NodeSizing:              m.NodeSizing.ValueString(),
		DiskSize:                m.DiskSize.ValueInt64(),
		AdmPassword:             password,
		PostgreVersion:          m.Version.ValueString(),
		ServiceID:               m.ServiceID.ValueInt64(),
		NetworkID:               m.NetworkID.ValueInt64(),
		Topology:                stringOr(m.Topology, topologyStandalone),
		Trigram:                 m.Trigram.ValueString(),
		AllowedReplicationLag:   defaultReplicationLag,
		NodePrefix:              m.NodePrefix.ValueString(),
		AZ:                      m.AvailabilityZone.ValueString(),
		TLS:                     boolPtr(m.TLS),
		BackupEnabled:           boolPtr(m.BackupEnabled),
		DBBackupPolicyID:        m.DBBackupPolicyID.ValueString(),
		ServerBackupPolicyID:    m.ServerBackupPolicyID.ValueString(),
		NoBackupProdReason:      m.NoBackupProdReason.ValueString(),
		NoMonitoringProdReason:  m.NoMonitoringProdReason.ValueString(),
		NoReplicationProdReason: m.NoReplicationProdReason.ValueString(),
		MonitoringEnabled:       boolPtr(m.MonitoringEnabled),
		MonitoringAlerting:      boolPtr(m.MonitoringAlerting),
		OnCallSupervision:       boolPtr(m.OnCallSupervision),
		ReplicationEnabled:      boolPtr(m.ReplicationEnabled),
		Platform:                m.Platform.ValueString(),
		Region:                  m.Region.ValueString(),
		Regulation:              m.Regulation.ValueString(),
	}
	if known(m.AllowedReplicationLag) {
		req.AllowedReplicationLag = m.AllowedReplicationLag.ValueInt64()
	}
	if known(m.CloudID) {
		v := m.CloudID.ValueInt64()
		req.CloudID = &v
	}
	return req
}

// restoreFromModel returns the restore options of a configured restore, or nil.
func restoreFromModel(ctx context.Context, o types.Object) (*itcare.RestoreOptions, diag.Diagnostics) {
	if !known(o) {
		return nil, nil
	}
	var m restoreModel
	if diags := o.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
		return nil, diags
	}
	ts := m.Timestamp.ValueString()
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		// The API documents this exact shape.
		ts = t.Format("2006-01-02T15:04:05.000-07:00")
	}
	return &itcare.RestoreOptions{SourceID: m.SourceID.ValueInt64(), Stop: m.Stop.ValueString(), Timestamp: ts}, nil
}

// patchPartyFromModel returns the configured patch party request. Unknown
// or null fields are not part of the request; ok is false when nothing is
// configured.
func patchPartyFromModel(ctx context.Context, o types.Object) (itcare.PatchPartyUpdate, bool, diag.Diagnostics) {
	if !known(o) {
		return itcare.PatchPartyUpdate{}, false, nil
	}
	var m patchPartyModel
	if diags := o.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
		return itcare.PatchPartyUpdate{}, false, diags
	}
	if !known(m.Excluded) && !known(m.PatchGroup) && !known(m.ExclusionReason) {
		return itcare.PatchPartyUpdate{}, false, nil
	}
	return itcare.PatchPartyUpdate{
		Excluded:        m.Excluded.ValueBool(),
		PatchGroup:      m.PatchGroup.ValueString(),
		ExclusionReason: m.ExclusionReason.ValueString(),
	}, true, nil
}

// patchPartyDiffers compares only what the request sets: an empty group or
// reason in the request leaves ITCare's value alone.
func patchPartyDiffers(want, have itcare.PatchPartyUpdate) bool {
	return want.Excluded != have.Excluded ||
		(want.PatchGroup != "" && want.PatchGroup != have.PatchGroup) ||
		(want.Excluded && want.ExclusionReason != "" && want.ExclusionReason != have.ExclusionReason)
}

// flattenPostgreSQL maps the read model onto the resource model. It serves
// create, read and import. prior supplies what the API does not return
// (passwords, create-only arguments, provider-side settings), and limits
// extensions to those the configuration tracks.
func flattenPostgreSQL(ctx context.Context, prior postgresqlResourceModel, pg *itcare.PostgreSQL, dbs []itcare.Database) (postgresqlResourceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := prior
	m.ID = types.StringValue(strconv.FormatInt(pg.ID, 10))
	m.Name = stringOrPrior(pg.Name, prior.Name)
	m.ServiceID = int64OrPrior(pg.ServiceID, prior.ServiceID)
	m.NetworkID = int64OrPrior(pg.NetworkID, prior.NetworkID)
	m.Area = stringOrPrior(pg.Area, prior.Area)
	m.Trigram = stringOrPrior(pg.Trigram, prior.Trigram)
	m.NodeSizing = stringOrPrior(pg.NodeSizing, prior.NodeSizing)
	m.DiskSize = flattenDiskSize(pg, prior.DiskSize)
	m.Version = stringOrPrior(majorVersionOf(pg), prior.Version)
	m.Topology = stringOrPrior(strings.ToUpper(pg.Topology), prior.Topology)
	if !known(m.Topology) {
		m.Topology = types.StringValue(topologyStandalone)
	}
	m.AllowedReplicationLag = int64OrPrior(pg.AllowedReplicationLag, prior.AllowedReplicationLag)
	if !known(m.AllowedReplicationLag) {
		m.AllowedReplicationLag = types.Int64Value(defaultReplicationLag)
	}
	m.TLS = types.BoolValue(pg.TLSEnabled)
	m.MonitoringEnabled = types.BoolValue(pg.MonitoringEnabled)
	m.MonitoringAlerting = types.BoolValue(pg.MonitoringAlerting)
	m.OnCallSupervision = types.BoolValue(pg.MonitoringOnCallEnabled)
	m.CloudID = int64OrPrior(pg.CloudID, prior.CloudID)
	if m.CloudID.IsUnknown() {
		m.CloudID = types.Int64Null()
	}
	m.PowerState = powerStateValue(pg.Status)
	if m.PowerState.IsNull() {
		// Reported, and the last known value kept, so that an unknown word
		// never plans a start or a stop by itself.
		m.PowerState = prior.PowerState
		if !known(m.PowerState) {
			m.PowerState = types.StringValue(powerRunning)
		}
		addUnknownStatusWarning(&diags, fmt.Sprintf("the PostgreSQL instance %q (id %d)", pg.Name, pg.ID), pg.Status, strconv.Quote(m.PowerState.ValueString()))
	}

	pp, d := flattenPatchParty(pg.PatchParty)
	diags.Append(d...)
	m.PatchParty = pp

	if known(prior.Extensions) {
		ext, d := flattenExtensions(ctx, prior.Extensions, dbs)
		diags.Append(d...)
		m.Extensions = ext
	} else if prior.Extensions.IsUnknown() {
		m.Extensions = types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	}

	m.postgresqlReadOnlyModel = flattenReadOnly(pg)

	// Provider-side settings take their defaults on import.
	if !known(m.DeletionProtection) {
		m.DeletionProtection = types.BoolValue(true)
	}
	if !known(m.AllowMajorVersionUpgrade) {
		m.AllowMajorVersionUpgrade = types.BoolValue(false)
	}
	if m.Timeouts.IsUnknown() {
		m.Timeouts = timeouts.Value{Object: types.ObjectNull(m.Timeouts.AttributeTypes(ctx))}
	}
	// The write-only password never reaches the state.
	m.AdmPasswordWO = types.StringNull()
	return m, diags
}

// fillUnknownFromRead sets every value of m that is unknown (the read-only
// values an update changes, and optional ones left to ITCare) from fresh,
// the flattened read. Known values stay: they are what the plan promised.
func fillUnknownFromRead(_ context.Context, m *postgresqlResourceModel, fresh postgresqlResourceModel) {
	fillUnknown(m, fresh)
}

// fillUnknown replaces every unknown value of the model *dst (a struct of
// attribute values, embedded structs included) with the one of src. In an
// object value known on both sides, such as the patch party, each unknown
// attribute is replaced by src's.
func fillUnknown[M any](dst *M, src M) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for _, f := range reflect.VisibleFields(d.Type()) {
		if !f.Anonymous {
			fillUnknownField(d.FieldByIndex(f.Index), s.FieldByIndex(f.Index))
		}
	}
}

// fillUnknownAttributesOf is fillUnknown restricted to the named
// attributes of the resource model.
func fillUnknownAttributesOf(dst *postgresqlResourceModel, src postgresqlResourceModel, attrs ...string) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for _, a := range attrs {
		if idx, ok := resourceFieldByAttribute[a]; ok {
			fillUnknownField(d.FieldByIndex(idx), s.FieldByIndex(idx))
		}
	}
}

func fillUnknownField(dst, src reflect.Value) {
	v, ok := dst.Interface().(attr.Value)
	switch {
	case !ok:
	case v.IsUnknown():
		dst.Set(src)
	case known(v):
		o, ok := v.(types.Object)
		from, fromOK := src.Interface().(types.Object)
		if ok && fromOK {
			dst.Set(reflect.ValueOf(fillUnknownAttributes(o, from)))
		}
	}
}

// fillUnknownAttributes replaces the unknown attributes of o with from's,
// when both are known objects.
func fillUnknownAttributes(o, from types.Object) types.Object {
	if !known(from) {
		return o
	}
	planned, read := o.Attributes(), from.Attributes()
	merged := make(map[string]attr.Value, len(planned))
	changed := false
	for k, v := range planned {
		merged[k] = v
		if v.IsUnknown() {
			merged[k], changed = read[k], true
		}
	}
	if !changed {
		return o
	}
	if filled, d := types.ObjectValue(o.AttributeTypes(context.Background()), merged); !d.HasError() {
		return filled
	}
	return o
}

// flattenDiskSize keeps the configured disk size: the read model has no
// diskSize. On import (no prior value) the instance's storage, which is
// the disk size of a node, is the best available reading.
func flattenDiskSize(pg *itcare.PostgreSQL, prior types.Int64) types.Int64 {
	if known(prior) {
		return prior
	}
	if pg.Storage <= 0 {
		return types.Int64Null()
	}
	return types.Int64Value(pg.Storage)
}

func flattenPatchParty(pp *itcare.PatchParty) (types.Object, diag.Diagnostics) {
	if pp == nil {
		return types.ObjectNull(patchPartyAttrTypes), nil
	}
	return types.ObjectValue(patchPartyAttrTypes, map[string]attr.Value{
		"excluded":         types.BoolValue(pp.Excluded),
		"patch_group":      nullIfEmpty(pp.PatchGroup),
		"exclusion_reason": nullIfEmpty(pp.ExclusionReason),
		"patch_date":       timeString(pp.PatchDate),
		"patch_tag":        nullIfEmpty(pp.PatchTag),
		"excluded_by":      nullIfEmpty(pp.ExcludedBy),
		"exclusion_date":   timeString(pp.ExclusionDate),
	})
}

// flattenExtensions keeps the tracked extensions that are still installed:
// others installed on the server are not drift, and a tracked one that
// vanished shows up as a change to install it again.
func flattenExtensions(ctx context.Context, tracked types.Set, dbs []itcare.Database) (types.Set, diag.Diagnostics) {
	keys, diags := extensionsFromSet(ctx, tracked)
	if diags.HasError() {
		return tracked, diags
	}
	installed := installedExtensions(dbs)
	set, d := extensionSetOf(slices.DeleteFunc(keys, func(e extensionKey) bool { return !installed[e] }))
	diags.Append(d...)
	return set, diags
}

// setStateWithoutUnknowns saves m with every unknown value replaced by
// null: a state may not hold unknowns, and an interrupted create must still
// record the id.
func setStateWithoutUnknowns(ctx context.Context, st *tfsdk.State, m *postgresqlResourceModel) diag.Diagnostics {
	diags := st.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	raw, err := tftypes.Transform(st.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("Error Saving State", "Could not replace unknown values in the state: "+err.Error())
		return diags
	}
	st.Raw = raw
	return diags
}
