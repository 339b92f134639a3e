package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

var (
	_ datasource.DataSource                     = &postgresqlDataSource{}
	_ datasource.DataSourceWithConfigure        = &postgresqlDataSource{}
	_ datasource.DataSourceWithConfigValidators = &postgresqlDataSource{}
)

// NewPostgreSQLDataSource returns the itcare_postgresql data source.
func NewPostgreSQLDataSource() datasource.DataSource {
	return &postgresqlDataSource{}
}

type postgresqlDataSource struct {
	instanceDataSourceBase
}

type postgresqlDataSourceModel struct {
	ID                    types.String     `tfsdk:"id"`
	Name                  types.String     `tfsdk:"name"`
	ServiceID             types.Int64      `tfsdk:"service_id"`
	NetworkID             types.Int64      `tfsdk:"network_id"`
	Area                  types.String     `tfsdk:"area"`
	Trigram               types.String     `tfsdk:"trigram"`
	NodeSizing            types.String     `tfsdk:"node_sizing"`
	DiskSize              types.Int64      `tfsdk:"disk_size"`
	Version               types.String     `tfsdk:"version"`
	Topology              types.String     `tfsdk:"topology"`
	AllowedReplicationLag types.Int64      `tfsdk:"allowed_replication_lag"`
	TLS                   types.Bool       `tfsdk:"tls"`
	MonitoringEnabled     types.Bool       `tfsdk:"monitoring_enabled"`
	OnCallSupervision     types.Bool       `tfsdk:"on_call_supervision"`
	MonitoringAlerting    types.Bool       `tfsdk:"monitoring_alerting"`
	PatchParty            *patchPartyModel `tfsdk:"patch_party"`
	PowerState            types.String     `tfsdk:"power_state"`
	postgresqlReadOnlyModel
}

func (d *postgresqlDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql"
}

func (d *postgresqlDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	flag := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one managed PostgreSQL instance of ITCare, found by `id` or by `name` " +
			"(exactly one of the two). Use it to refer to an instance that another configuration, or a person " +
			"in the ITCare console, manages: its connection address, sizing, version and support status. " +
			"The attributes have the names and meanings of the `itcare_postgresql` resource's.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ITCare id of the instance (a number written as a string, e.g. `\"500061854\"`). " +
					"Exactly one of `id` and `name` must be set; when `name` is set, this is the id found.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{instanceIDValidator()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the instance. Exactly one of `id` and `name` must be set. A name is " +
					"sent to ITCare as written (ITCare names are lowercase) and must match exactly one instance; when `id` is set, this is the " +
					"instance's name. A lookup by name needs ITCare to list instances by name, which its reference does not " +
					"document: where it does not, the read fails saying to set `id`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"service_id":              num("ITCare service the instance belongs to."),
			"network_id":              num("ITCare network the instance is attached to."),
			"area":                    str("Area of the region the instance runs in, e.g. `EB-QA`."),
			"trigram":                 str("Trigram (application code) of the instance."),
			"node_sizing":             str("Size of each node, `<n>cpu<m>gb`, e.g. `2cpu4gb`."),
			"disk_size":               num("Disk size of each data node, in GB (the same value as `storage`, under the resource's argument name)."),
			"version":                 str("Major PostgreSQL version, e.g. `\"15\"`. See `product_version` for the full version."),
			"topology":                str("`STANDALONE` (one node) or `HA` (several nodes with replication)."),
			"allowed_replication_lag": num("Replication lag, in MB, that ITCare tolerates between the nodes of an HA instance."),
			"tls":                     flag("Whether client connections use TLS."),
			"monitoring_enabled":      flag("Whether ITCare monitors the instance."),
			"on_call_supervision":     flag("Whether the instance is under 24/7 on-call supervision."),
			"monitoring_alerting":     flag("Whether monitoring raises alerts."),
			"patch_party": schema.SingleNestedAttribute{
				MarkdownDescription: "Membership of the instance in ITCare's patch party (the scheduled OS patching " +
					"campaigns). Null when ITCare reports none.",
				Computed: true,
				Attributes: map[string]schema.Attribute{
					"excluded":         flag("Whether the instance is excluded from patch parties."),
					"patch_group":      str("Patch group the instance is patched with, when it has one."),
					"exclusion_reason": str("Why the instance is excluded, when it is."),
					"patch_date":       str("Date of the next (or last) patch party of the instance, RFC 3339."),
					"patch_tag":        str("Patch tag ITCare gave the instance."),
					"excluded_by":      str("Who excluded the instance from patch parties, when it is excluded."),
					"exclusion_date":   str("When the instance was excluded from patch parties, RFC 3339; null when it is not excluded."),
				},
			},
			"power_state":        str("`stopped` when the instance is stopped, `running` otherwise (including while an action runs on it)."),
			"status":             str("Status as ITCare reports it, e.g. `ACTIVE` or `STOPPED`; other values appear while an action runs."),
			"ip_address":         str("IP address clients connect to."),
			"url":                str("Connection address ITCare gives the instance."),
			"product_version":    str("Full PostgreSQL version, e.g. `15.6`."),
			"cpu":                num("Virtual CPUs of each node."),
			"ram":                num("Memory of each node, in GB."),
			"storage":            num("Disk size of each data node, in GB."),
			"node_count":         num("Number of nodes (virtual machines) of the instance: 1 for `STANDALONE`, more for `HA`."),
			"instance_count":     num("Number of PostgreSQL server instances ITCare counts for the instance."),
			"environment":        str("Environment of the instance's service, e.g. `QA` or `PRODUCTION`."),
			"service_name":       str("Name of the ITCare service the instance belongs to."),
			"creation_time":      str("When the instance was created, as ITCare reports it."),
			"creation_user":      str("Who created the instance."),
			"replication_status": flag("Whether the instance's storage is replicated."),
			"backup_status":      flag("Whether the instance is backed up."),
			"support_phase":      str("Support phase of the instance's PostgreSQL version, as ITCare reports it."),
			"end_of_support_at":  str("When support of the instance's PostgreSQL version ends, RFC 3339. Null when ITCare gives no date."),
			"metrology_url":      str("Address of the instance's metrics dashboard."),
			"released_at":        str("When ITCare released the instance's PostgreSQL version, RFC 3339. Null when ITCare gives no date."),
			"end_of_sales_at":    str("From when ITCare no longer sells new instances of the instance's PostgreSQL version, RFC 3339. Null when ITCare gives no date."),
			"extended_support_at": str("When extended support of the instance's PostgreSQL version ends, after `end_of_support_at`, RFC 3339. " +
				"Null when ITCare gives no date."),
			"internal_resource_id": num("ITCare's internal resource id of the instance, which other ITCare records may refer to; it may differ from `id`."),
		},
	}
}

func (d *postgresqlDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *postgresqlDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg postgresqlDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	var id int64
	if !cfg.ID.IsNull() {
		var ok bool
		id, ok = parseInstanceID(cfg.ID.ValueString(), path.Root("id"), &resp.Diagnostics)
		if !ok {
			return
		}
	} else {
		name := cfg.Name.ValueString()
		found, err := client.FindPostgreSQLByName(ctx, name)
		if itcare.IsNotOffered(err) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Lookup By Name Not Available",
				fmt.Sprintf("This ITCare API does not list PostgreSQL instances by name (%s), so the instance named %q "+
					"cannot be found by name. Set id to the instance's numeric id instead (the ITCare console shows it).", err, name))
			return
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Error Reading PostgreSQL Instance",
				fmt.Sprintf("Looking up the PostgreSQL instance named %q failed: %s", name, err))
			return
		}
		picked, pickDiags := pickPostgreSQLByName(name, found)
		resp.Diagnostics.Append(pickDiags...)
		if resp.Diagnostics.HasError() {
			return
		}
		// The listing is only documented as a lookup; the read model of the
		// instance itself is the one whose fields are specified, so the
		// instance is read again by id.
		id = picked.ID
	}

	pg, err := client.GetPostgreSQL(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(instanceReadError("", id, path.Root("id"), err)...)
		return
	}
	state := flattenPostgreSQLDataSource(pg)
	if state.PowerState.IsNull() {
		addUnknownStatusWarning(&resp.Diagnostics, fmt.Sprintf("the PostgreSQL instance %q (id %d)", pg.Name, pg.ID), pg.Status, "null")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// pickPostgreSQLByName chooses the one instance a name lookup must find.
// found holds the instances the API returned for the name.
func pickPostgreSQLByName(name string, found []itcare.PostgreSQL) (*itcare.PostgreSQL, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch len(found) {
	case 1:
		return &found[0], diags
	case 0:
		diags.AddAttributeError(path.Root("name"), "PostgreSQL Instance Not Found",
			fmt.Sprintf("ITCare has no PostgreSQL instance named %q that these credentials can see. "+
				"Check the name, or look the instance up by id.", name))
		return nil, diags
	default:
		ids := make([]string, len(found))
		for i, p := range found {
			ids[i] = fmt.Sprintf("%d (%s)", p.ID, p.Name)
		}
		diags.AddAttributeError(path.Root("name"), "Several PostgreSQL Instances Found",
			fmt.Sprintf("%d PostgreSQL instances are named %q: %s. Set \"id\" instead of \"name\" to choose one.",
				len(found), name, strings.Join(ids, ", ")))
		return nil, diags
	}
}

// flattenPostgreSQLDataSource maps the API's read model to the data
// source's attributes. Names and conversions follow the resource's, so that
// a value read here compares equal to the resource's attribute. Some
// answers carry the version only in productVersion ("15.6"), hence the
// fallback.
func flattenPostgreSQLDataSource(in *itcare.PostgreSQL) postgresqlDataSourceModel {
	m := postgresqlDataSourceModel{
		ID:                      types.StringValue(strconv.FormatInt(in.ID, 10)),
		Name:                    types.StringValue(in.Name),
		ServiceID:               types.Int64Value(in.ServiceID),
		NetworkID:               types.Int64Value(in.NetworkID),
		Area:                    nullIfEmpty(in.Area),
		Trigram:                 nullIfEmpty(in.Trigram),
		NodeSizing:              nullIfEmpty(in.NodeSizing),
		DiskSize:                types.Int64Value(in.Storage),
		Version:                 nullIfEmpty(majorVersionOf(in)),
		Topology:                nullIfEmpty(in.Topology),
		AllowedReplicationLag:   types.Int64Value(in.AllowedReplicationLag),
		TLS:                     types.BoolValue(in.TLSEnabled),
		MonitoringEnabled:       types.BoolValue(in.MonitoringEnabled),
		OnCallSupervision:       types.BoolValue(in.MonitoringOnCallEnabled),
		MonitoringAlerting:      types.BoolValue(in.MonitoringAlerting),
		PowerState:              powerStateValue(in.Status),
		postgresqlReadOnlyModel: flattenReadOnly(in),
	}
	if pp := in.PatchParty; pp != nil {
		m.PatchParty = &patchPartyModel{
			Excluded:        types.BoolValue(pp.Excluded),
			PatchGroup:      nullIfEmpty(pp.PatchGroup),
			ExclusionReason: nullIfEmpty(pp.ExclusionReason),
			PatchDate:       timeString(pp.PatchDate),
			PatchTag:        nullIfEmpty(pp.PatchTag),
			ExcludedBy:      nullIfEmpty(pp.ExcludedBy),
			ExclusionDate:   timeString(pp.ExclusionDate),
		}
	}
	return m
}

// majorVersionOf gives the major version of an instance: the read model's
// version, or the major of its product version when ITCare leaves the
// former empty.
func majorVersionOf(pg *itcare.PostgreSQL) string {
	return cmp.Or(majorOf(pg.Version), majorOf(pg.ProductVersion))
}

// powerStateOf gives power_state for an API status, for the resource and
// the data source alike, and false for a status the client does not
// recognise, which callers report rather than guess.
// Only a stopped status means stopped: the transitional statuses belong to
// an instance that runs or is about to, and conditions written against
// "stopped" must not fire in the middle of an action.
func powerStateOf(status string) (string, bool) {
	switch itcare.ClassifyStatus(status) {
	case itcare.StatusStopped:
		return powerStopped, true
	case itcare.StatusUnknown:
		return "", false
	}
	return powerRunning, true
}

// powerStateValue is powerStateOf as an attribute: null when the status is
// not recognised.
func powerStateValue(status string) types.String {
	if s, ok := powerStateOf(status); ok {
		return types.StringValue(s)
	}
	return types.StringNull()
}

// addUnknownStatusWarning reports a status that says neither running nor
// stopped, and what power_state shows instead.
func addUnknownStatusWarning(diags *diag.Diagnostics, subject, status, shown string) {
	diags.AddAttributeWarning(path.Root(attrPowerState), "Unrecognised ITCare Status",
		fmt.Sprintf("ITCare reports the status %q for %s, which the provider does not recognise as running or stopped. "+
			"power_state shows %s. Check the instance in the ITCare console, and report the status to the provider's "+
			"maintainers so that it can be read.", status, subject, shown))
}

// instanceDataSourceBase holds what every PostgreSQL data source needs from
// the provider.
type instanceDataSourceBase struct {
	data *providerData
}

// Configure implements datasource.DataSourceWithConfigure.
func (b *instanceDataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		b.data = data
	}
}

// client returns the API client. It is asked for in Read, never earlier, so
// that validate and plans that read no data source need no credentials.
func (b *instanceDataSourceBase) client() (*itcare.Client, diag.Diagnostics) {
	if b.data == nil {
		var diags diag.Diagnostics
		diags.AddError("Unconfigured ITCare Provider",
			"The data source was read before the provider was configured. This is a bug in the provider; please report it.")
		return nil, diags
	}
	return b.data.Client()
}

var instanceIDPattern = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// instanceIDValidator accepts the string form of an ITCare instance id.
func instanceIDValidator() validator.String {
	return stringvalidator.RegexMatches(instanceIDPattern,
		"must be the ITCare id of a PostgreSQL instance: a positive whole number, e.g. \"500061854\"")
}

// parseInstanceID converts a validated id. The validator already refused
// anything else when the value was known at validate time; an id that only
// became known during apply is checked here.
func parseInstanceID(s string, p path.Path, diags *diag.Diagnostics) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		diags.AddAttributeError(p, "Invalid PostgreSQL Instance ID",
			fmt.Sprintf("%q is not an ITCare instance id: expected a positive whole number, e.g. \"500061854\".", s))
		return 0, false
	}
	return id, true
}

// instanceReadError turns a failed GET on an instance, or on one of its
// sub-resources (subject, e.g. "nodes"; empty for the instance itself),
// into a diagnostic against the attribute that named the instance.
func instanceReadError(subject string, id int64, p path.Path, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	if itcare.IsNotFound(err) {
		diags.AddAttributeError(p, "PostgreSQL Instance Not Found",
			fmt.Sprintf("ITCare has no PostgreSQL instance with id %d that these credentials can see (%s). "+
				"Check the id: the instance may have been deleted.", id, err))
		return diags
	}
	title, what := "Error Reading PostgreSQL Instance", "the PostgreSQL instance"
	if subject != "" {
		title = "Error Reading PostgreSQL " + strings.ToUpper(subject[:1]) + subject[1:]
		what = "the " + subject + " of the PostgreSQL instance"
	}
	diags.AddAttributeError(p, title, fmt.Sprintf("Reading %s with id %d failed: %s", what, id, err))
	return diags
}

// instanceIDAttribute is the instance_id argument of the data sources that
// read a sub-resource of an instance.
func instanceIDAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "ITCare id of the PostgreSQL instance whose " + what + " to read, usually " +
			"`itcare_postgresql.<name>.id` or `data.itcare_postgresql.<name>.id`. When it is only known " +
			"during apply (the instance is created by the same apply), the data source is read then.",
		Required:   true,
		Validators: []validator.String{instanceIDValidator()},
	}
}

// readInstanceSubresource reads one sub-resource list of the instance named
// by the instance_id attribute of config.
func readInstanceSubresource[T any](ctx context.Context, b *instanceDataSourceBase, config tfsdk.Config, subject string,
	get func(context.Context, *itcare.Client, int64) ([]T, error)) ([]T, types.String, diag.Diagnostics) {
	var diags diag.Diagnostics
	var raw types.String
	diags.Append(config.GetAttribute(ctx, path.Root("instance_id"), &raw)...)
	if diags.HasError() {
		return nil, raw, diags
	}
	id, ok := parseInstanceID(raw.ValueString(), path.Root("instance_id"), &diags)
	if !ok {
		return nil, raw, diags
	}
	client, cdiags := b.client()
	diags.Append(cdiags...)
	if diags.HasError() {
		return nil, raw, diags
	}
	items, err := get(ctx, client, id)
	if err != nil {
		diags.Append(instanceReadError(subject, id, path.Root("instance_id"), err)...)
		return nil, raw, diags
	}
	return items, raw, diags
}
