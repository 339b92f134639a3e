package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

var (
	_ resource.Resource                   = &postgresqlResource{}
	_ resource.ResourceWithConfigure      = &postgresqlResource{}
	_ resource.ResourceWithImportState    = &postgresqlResource{}
	_ resource.ResourceWithModifyPlan     = &postgresqlResource{}
	_ resource.ResourceWithValidateConfig = &postgresqlResource{}
)

// Default timeouts, sized to ITCare: provisioning can take up to two hours.
const (
	defaultCreateTimeout = 180 * time.Minute
	defaultUpdateTimeout = 120 * time.Minute
	defaultDeleteTimeout = 60 * time.Minute
	// finalReadTimeout bounds the read that records an update's result,
	// which must happen even when the update timed out.
	finalReadTimeout = 2 * time.Minute
)

// Values of the topology and power_state attributes.
const (
	topologyStandalone = "STANDALONE"
	topologyHA         = "HA"
	powerRunning       = "running"
	powerStopped       = "stopped"
	statusStopped      = "STOPPED"
	statusActive       = "ACTIVE"
)

// Defaults of the optional arguments.
const (
	defaultReplicationLag = 10
	minVersion            = 10
	maxVersion            = 16
	// extensionsMinVersion is the first major version on which ITCare
	// installs extensions in self-service.
	extensionsMinVersion = 15
	// restoreMaxAge is the widest restore window ITCare offers (production
	// services; non-production services allow 7 days, which only the API
	// knows how to check).
	restoreMaxAge = 14 * 24 * time.Hour
	// restoreWindowNonProd is the restore window of a non-production
	// service, checked at plan time once the source is read.
	restoreWindowNonProd = 7 * 24 * time.Hour
)

// NewPostgreSQLResource returns the itcare_postgresql resource.
func NewPostgreSQLResource() resource.Resource { return &postgresqlResource{} }

type postgresqlResource struct {
	data *providerData
}

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

	Status            types.String `tfsdk:"status"`
	IPAddress         types.String `tfsdk:"ip_address"`
	URL               types.String `tfsdk:"url"`
	ProductVersion    types.String `tfsdk:"product_version"`
	CPU               types.Int64  `tfsdk:"cpu"`
	RAM               types.Int64  `tfsdk:"ram"`
	Storage           types.Int64  `tfsdk:"storage"`
	NodeCount         types.Int64  `tfsdk:"node_count"`
	InstanceCount     types.Int64  `tfsdk:"instance_count"`
	Environment       types.String `tfsdk:"environment"`
	ServiceName       types.String `tfsdk:"service_name"`
	CreationTime      types.String `tfsdk:"creation_time"`
	CreationUser      types.String `tfsdk:"creation_user"`
	ReplicationStatus types.Bool   `tfsdk:"replication_status"`
	BackupStatus      types.Bool   `tfsdk:"backup_status"`
	SupportPhase      types.String `tfsdk:"support_phase"`
	EndOfSupportAt    types.String `tfsdk:"end_of_support_at"`
	MetrologyURL      types.String `tfsdk:"metrology_url"`
}

type patchPartyModel struct {
	Excluded        types.Bool   `tfsdk:"excluded"`
	PatchGroup      types.String `tfsdk:"patch_group"`
	ExclusionReason types.String `tfsdk:"exclusion_reason"`
	PatchDate       types.String `tfsdk:"patch_date"`
	PatchTag        types.String `tfsdk:"patch_tag"`
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

func (r *postgresqlResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql"
}

func (r *postgresqlResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	createOnlyString := func(desc string, validators ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc + " " + createOnlyNote,
			Optional:            true,
			Validators:          validators,
			PlanModifiers:       []planmodifier.String{requiresReplaceIfPriorSetString()},
		}
	}
	createOnlyBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			MarkdownDescription: desc + " " + createOnlyNote,
			Optional:            true,
			PlanModifiers:       []planmodifier.Bool{requiresReplaceIfPriorSetBool()},
		}
	}
	computedString := func(desc string, stable bool) schema.StringAttribute {
		a := schema.StringAttribute{MarkdownDescription: desc, Computed: true}
		if stable {
			a.PlanModifiers = keepString
		}
		return a
	}
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "A managed PostgreSQL instance (standalone or high availability) of " +
			"[cegedim.cloud ITCare](https://academy.cegedim.cloud/databases/postgresql).\n\n" +
			"Creating an instance can take up to two hours. Arguments marked *replace* cannot change in " +
			"place: changing them destroys the instance and its data and creates a new one, which " +
			"`deletion_protection` (on by default) refuses at plan time.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ITCare id of the instance (a number, as a string).",
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Instance name: 5 to 60 lowercase letters or digits, not `cluster`. " +
					"Also the host name of the instance. Changing it *replaces* the instance.",
				Required:      true,
				PlanModifiers: replace,
				Validators: []validator.String{
					stringvalidator.LengthBetween(5, 60),
					stringvalidator.RegexMatches(nameRegexp, "must contain only lowercase letters a-z and digits 0-9"),
					stringvalidator.NoneOf("cluster"),
				},
			},
			"service_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the ITCare global service the instance belongs to. Changing it *replaces* the instance.",
				Required:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"network_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the ITCare network the instance is attached to. Changing it *replaces* the instance.",
				Required:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"area": schema.StringAttribute{
				MarkdownDescription: "Area of the region the instance runs in, e.g. `EB-QA`. Changing it *replaces* the instance.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"trigram": schema.StringAttribute{
				MarkdownDescription: "Trigram of the application the instance serves. Changing it *replaces* the instance.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"node_sizing": schema.StringAttribute{
				MarkdownDescription: "Size of every node, `<n>cpu<m>gb`, e.g. `2cpu4gb`. Changes in place " +
					"(ITCare `resize`), which restarts PostgreSQL: expect a short downtime.",
				Required:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(nodeSizingRegexp, "must look like 2cpu4gb: <cpus>cpu<gigabytes>gb")},
			},
			"disk_size": schema.Int64Attribute{
				MarkdownDescription: "Data disk size of each node, in GB, from 40 to 1024. ITCare cannot " +
					"resize it: changing it *replaces* the instance.",
				Required:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.Between(40, 1024)},
			},
			"version": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("PostgreSQL major version, `\"%d\"` to `\"%d\"`. A higher version is a "+
					"major upgrade in place (ITCare `upgrade`, with downtime), allowed only when "+
					"`allow_major_version_upgrade = true` and to a version ITCare offers for the instance. "+
					"A lower version *replaces* the instance.", minVersion, maxVersion),
				Required:      true,
				PlanModifiers: []planmodifier.String{versionLowerRequiresReplace()},
				Validators:    []validator.String{majorVersionValidator{min: minVersion, max: maxVersion}},
			},
			"topology": schema.StringAttribute{
				MarkdownDescription: "`STANDALONE` (one node, the default) or `HA` (three nodes with " +
					"replication). `STANDALONE` to `HA` changes in place (ITCare `enable_ha`, with downtime); " +
					"`HA` to `STANDALONE` *replaces* the instance.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(topologyStandalone),
				PlanModifiers: []planmodifier.String{topologyRequiresReplace()},
				Validators:    []validator.String{stringvalidator.OneOf(topologyStandalone, topologyHA)},
			},
			"allowed_replication_lag": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Replication lag allowed between HA nodes, in MB, 1 to 10240 "+
					"(default %d; when switching from `STANDALONE` to `HA` in place, 1 to 500). Changing it "+
					"*replaces* the instance, except together with a `STANDALONE` to `HA` change.", defaultReplicationLag),
				Optional:      true,
				Computed:      true,
				Default:       int64default.StaticInt64(defaultReplicationLag),
				PlanModifiers: []planmodifier.Int64{replicationLagRequiresReplace()},
				Validators:    []validator.Int64{int64validator.Between(1, 10240)},
			},
			"node_prefix": createOnlyString("Prefix of the node names of an HA instance: 5 to 12 uppercase letters "+
				"or digits. Required when creating an `HA` instance, refused on a `STANDALONE` one.",
				stringvalidator.RegexMatches(nodePrefixRegexp, "must be 5 to 12 uppercase letters A-Z or digits 0-9")),
			"availability_zone": createOnlyString("Availability zone of an HA instance, e.g. `EB-QA-A`. Required "+
				"when creating an `HA` instance, refused on a `STANDALONE` one.", stringvalidator.LengthAtLeast(1)),
			"tls": schema.BoolAttribute{
				MarkdownDescription: "Whether clients must connect with TLS (default `false`). Changing it *replaces* the instance.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"adm_password": schema.StringAttribute{
				MarkdownDescription: "Password of the administrator role, set at creation: at least 12 " +
					"characters with a lowercase letter, an uppercase letter, a digit and a special character. " +
					"It is stored in the state (marked sensitive); prefer `adm_password_wo`. Creating an " +
					"instance needs exactly one of `adm_password` and `adm_password_wo`. " + passwordNote,
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{passwordValidator{}, stringvalidator.ConflictsWith(path.MatchRoot("adm_password_wo"))},
			},
			"adm_password_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only password of the administrator role (Terraform 1.11 or later): " +
					"same rules as `adm_password`, never stored in the state or the plan. Terraform cannot " +
					"see a change of it: change `adm_password_wo_version` to say it changed. " + passwordNote,
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{passwordValidator{}},
			},
			"adm_password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `adm_password_wo`, stored in the state. A changed value on an " +
					"existing instance is an error: ITCare cannot change the password.",
				Optional: true,
			},
			"backup_enabled":             createOnlyBool("Whether ITCare backs the instance up. When unset, ITCare decides."),
			"db_backup_policy_id":        createOnlyString("Backup policy of the databases.", stringvalidator.LengthAtLeast(1)),
			"server_backup_policy_id":    createOnlyString("Backup policy of the servers.", stringvalidator.LengthAtLeast(1)),
			"no_backup_prod_reason":      createOnlyString("Why a production instance has no backup.", stringvalidator.LengthAtLeast(1)),
			"replication_enabled":        createOnlyBool("Whether the backups are replicated. When unset, ITCare decides."),
			"no_replication_prod_reason": createOnlyString("Why a production instance has no replication.", stringvalidator.LengthAtLeast(1)),
			"no_monitoring_prod_reason":  createOnlyString("Why a production instance has no monitoring.", stringvalidator.LengthAtLeast(1)),
			"monitoring_alerting": schema.BoolAttribute{
				MarkdownDescription: "Whether monitoring raises alerts. When unset, ITCare decides and the provider records its choice. Changing it *replaces* the instance.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown(), boolplanmodifier.RequiresReplace()},
			},
			"cloud_id": schema.Int64Attribute{
				MarkdownDescription: "ITCare cloud id. When unset, ITCare decides and the provider records its choice. Changing it *replaces* the instance.",
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace()},
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"platform":   createOnlyString("ITCare platform.", stringvalidator.LengthAtLeast(1)),
			"region":     createOnlyString("ITCare region.", stringvalidator.LengthAtLeast(1)),
			"regulation": createOnlyString("Regulation the instance complies with.", stringvalidator.LengthAtLeast(1)),
			"monitoring_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether ITCare monitors the instance. When unset, ITCare decides and the " +
					"provider records its choice. Changes in place (ITCare `update_monitoring`), without downtime.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"on_call_supervision": schema.BoolAttribute{
				MarkdownDescription: "Whether the instance is supervised 24/7 by the on-call team. When unset, " +
					"ITCare decides. Changes in place (ITCare `update_monitoring`), without downtime.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"patch_party": schema.SingleNestedAttribute{
				MarkdownDescription: "Membership of the monthly OS patch campaign. When unset, the provider " +
					"records what ITCare chose. Changes in place (ITCare `update_patch_party`), without downtime.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"excluded": schema.BoolAttribute{
						MarkdownDescription: "Whether the instance is excluded from patching. An exclusion needs `exclusion_reason`.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
					},
					"patch_group": schema.StringAttribute{
						MarkdownDescription: "Patch group of the instance. Only a `STANDALONE` instance (one node) can choose it.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       keepString,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"exclusion_reason": schema.StringAttribute{
						MarkdownDescription: "Why the instance is excluded; required when `excluded = true`.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       keepString,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"patch_date": computedString("Date of the next patch (RFC 3339).", false),
					"patch_tag":  computedString("Patch tag assigned by ITCare.", false),
				},
			},
			"extensions": schema.SetNestedAttribute{
				MarkdownDescription: fmt.Sprintf("Extensions the instance must have, per database (PostgreSQL %d "+
					"or later). Adding one installs it in place (ITCare `install_extension`). ITCare cannot "+
					"uninstall an extension: removing one only stops Terraform tracking it. Extensions "+
					"installed otherwise (`plpgsql` is in every database) are not drift.", extensionsMinVersion),
				Optional: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"database": schema.StringAttribute{
							MarkdownDescription: "Database to install the extension in.",
							Required:            true,
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"name": schema.StringAttribute{
							MarkdownDescription: "Extension name, e.g. `pg_trgm`.",
							Required:            true,
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
					},
				},
			},
			"power_state": schema.StringAttribute{
				MarkdownDescription: "`running` (default) or `stopped`. Changes in place (ITCare `start` / `stop`); stopping makes the instance unavailable.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(powerRunning),
				Validators:          []validator.String{stringvalidator.OneOf(powerRunning, powerStopped)},
			},
			"restore": schema.SingleNestedAttribute{
				MarkdownDescription: "Restore a backup of another instance into this one right after it is " +
					"created (point-in-time recovery). The source must be `ACTIVE`, backed up and of the same " +
					"version; the timestamp must be within the last 14 days (production service) or 7 days " +
					"(other services) when the instance is created. Changing it later *replaces* the instance.",
				Optional:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"source_id": schema.Int64Attribute{
						MarkdownDescription: "Id of the instance whose backup is restored.",
						Required:            true,
						Validators:          []validator.Int64{int64validator.AtLeast(1)},
					},
					"timestamp": schema.StringAttribute{
						MarkdownDescription: "Point in time to restore, RFC 3339 with an offset, e.g. `2025-01-31T09:30:00+01:00`.",
						Required:            true,
						Validators:          []validator.String{rfc3339Validator{}},
					},
					"stop": schema.StringAttribute{
						MarkdownDescription: "`BEFORE` or `AFTER`: whether the transaction at `timestamp` is excluded or included.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf("BEFORE", "AFTER")},
					},
				},
			},
			"change_reference": schema.StringAttribute{
				MarkdownDescription: "Change reference (RFC number) sent with a major upgrade and with `enable_ha`. Changing it alone calls nothing.",
				Optional:            true,
			},
			"deletion_protection": schema.BoolAttribute{
				MarkdownDescription: "When `true` (the default), a plan that destroys or replaces the instance " +
					"fails. Set it to `false` and apply before destroying or replacing. Provider-side only.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"allow_major_version_upgrade": schema.BoolAttribute{
				MarkdownDescription: "Must be `true` for a higher `version` to upgrade the instance in place " +
					"(default `false`). Provider-side only.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"timeouts": timeoutsAttribute(ctx),

			"status":             computedString("ITCare status of the instance, e.g. `ACTIVE` or `STOPPED`.", false),
			"ip_address":         computedString("IP address of the instance.", true),
			"url":                computedString("Connection URL of the instance.", true),
			"product_version":    computedString("Full PostgreSQL version, e.g. `15.4`.", false),
			"cpu":                computedInt("CPUs per node."),
			"ram":                computedInt("RAM per node, in GB."),
			"storage":            computedInt("Storage, in GB."),
			"node_count":         computedInt("Number of nodes."),
			"instance_count":     computedInt("Number of PostgreSQL instances."),
			"environment":        computedString("Environment of the service, e.g. `DEVELOPMENT`.", true),
			"service_name":       computedString("Name of the ITCare service.", true),
			"creation_time":      computedString("When the instance was created.", true),
			"creation_user":      computedString("Who created the instance.", true),
			"replication_status": schema.BoolAttribute{MarkdownDescription: "Whether replication is active.", Computed: true},
			"backup_status":      schema.BoolAttribute{MarkdownDescription: "Whether backups are active.", Computed: true},
			"support_phase":      computedString("Support phase of the PostgreSQL version.", false),
			"end_of_support_at":  computedString("End of support of the PostgreSQL version (RFC 3339).", false),
			"metrology_url":      computedString("URL of the instance's metrics.", true),
		},
	}
}

func (r *postgresqlResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

func (r *postgresqlResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan postgresqlResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var password, passwordAttr types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("adm_password_wo"), &passwordAttr)...)
	if resp.Diagnostics.HasError() {
		return
	}
	password = plan.AdmPassword
	pwPath := "adm_password"
	if !passwordAttr.IsNull() {
		password, pwPath = passwordAttr, "adm_password_wo"
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	name := plan.Name.ValueString()
	op := opContext{Operation: "create", Name: name, Timeout: timeout, TimeoutName: "create", PasswordAttr: pwPath}
	body := expandCreateRequest(plan, password.ValueString())

	action, err := client.CreatePostgreSQL(ctx, body)
	var id int64
	switch {
	case err != nil && !itcare.IsUnknownOutcome(err) && !isTransportError(err):
		addAPIError(&resp.Diagnostics, summaryCreate, op, err)
		return
	case err != nil || action == nil || action.InternalID == 0:
		// The request may have created the instance: look it up by name
		// rather than sending a second create.
		tflog.Warn(ctx, "create outcome unknown, looking the instance up by name", map[string]any{"name": name})
		found, ferr := findPostgreSQLByName(ctx, client, name)
		if ferr != nil || len(found) != 1 {
			addUnknownCreateOutcome(&resp.Diagnostics, op, err, found, ferr)
			return
		}
		id = found[0].ID
	default:
		id = action.InternalID
	}
	op.ID = id

	// Record the id before waiting: a failed or interrupted wait then
	// leaves a tainted resource, never an orphan.
	plan.ID = types.StringValue(strconv.FormatInt(id, 10))
	resp.Diagnostics.Append(setStateWithoutUnknowns(ctx, &resp.State, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if action != nil && action.ID != 0 {
		op.ActionID = action.ID
		if _, err := client.WaitForAction(ctx, action.ID, r.data.wait); err != nil {
			addAPIError(&resp.Diagnostics, summaryCreate, op, err)
			return
		}
	} else if _, err := waitForActionsInProgress(ctx, client, r.data.wait, id, true); err != nil {
		addAPIError(&resp.Diagnostics, summaryCreate, op, err)
		return
	}

	if restore := restoreFromModel(ctx, plan.Restore); restore != nil {
		rop := op
		rop.Operation = itcare.OpRestore
		if err := patchAndWait(ctx, client, r.data.wait, id, operation{Name: itcare.OpRestore, Options: restore}, &rop); err != nil {
			addAPIError(&resp.Diagnostics, summaryRestore, rop, err)
			return
		}
	}

	pg, dbs, err := readPostgreSQL(ctx, client, id, !plan.Extensions.IsNull())
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryCreate, opContext{Operation: "read", ID: id, Name: name}, err)
		return
	}
	// The create request cannot carry these settings: apply them once the
	// instance exists, in the order every plan uses.
	if ops := postCreateOperations(ctx, plan, pg, dbs); len(ops) > 0 {
		for _, o := range ops {
			pop := op
			pop.Operation, pop.ActionID = o.Name, 0
			if err := patchAndWait(ctx, client, r.data.wait, id, o, &pop); err != nil {
				addAPIError(&resp.Diagnostics, summaryCreate, pop, err)
				return
			}
		}
		// One read gives the state after all of them.
		pg, dbs, err = readPostgreSQL(ctx, client, id, !plan.Extensions.IsNull())
		if err != nil {
			addAPIError(&resp.Diagnostics, summaryCreate, opContext{Operation: "read", ID: id, Name: name}, err)
			return
		}
	}

	state, diags := flattenPostgreSQL(ctx, plan, pg, dbs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *postgresqlResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior postgresqlResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := strconv.ParseInt(prior.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), summaryRead,
			fmt.Sprintf("The id %q in the state is not a number. Remove the resource from the state (terraform state rm) and import it again.", prior.ID.ValueString()))
		return
	}
	ended, diags := r.settlePendingAction(ctx, client, id, prior, req.Private, resp.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The extensions of an install_extension that just ended are not in
	// the state yet (it records only what was installed when the apply
	// stopped waiting): track them for this read, which keeps those that
	// are installed.
	hadNoExtensions := prior.Extensions.IsNull()
	prior.Extensions, diags = trackPendingExtensions(ctx, prior.Extensions, ended)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pg, dbs, err := readPostgreSQL(ctx, client, id, known(prior.Extensions))
	if itcare.IsNotFound(err) {
		resp.Diagnostics.AddWarning("PostgreSQL Instance Not Found",
			fmt.Sprintf("The PostgreSQL instance %q (id %d) no longer exists in ITCare; it was deleted outside Terraform. "+
				"Terraform removed it from the state and will plan to create it again.", prior.Name.ValueString(), id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryRead, opContext{Operation: "read", ID: id, Name: prior.Name.ValueString()}, err)
		return
	}
	state, diags := flattenPostgreSQL(ctx, prior, pg, dbs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if hadNoExtensions && known(state.Extensions) && len(state.Extensions.Elements()) == 0 {
		// A pending install that installed nothing leaves the state as it was.
		state.Extensions = types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// settlePendingAction waits, within the update timeout, for the action of
// an operation whose wait timed out (or whose answer was lost) in an
// earlier apply, so that the read that follows sees its result and the
// operation is never sent twice. An action that ended, however it ended,
// is forgotten and returned, for the read to look at what it changed; one
// still running stays recorded for the next refresh or apply.
func (r *postgresqlResource) settlePendingAction(ctx context.Context, client *itcare.Client, id int64, prior postgresqlResourceModel, from privateGetter, to privateSetter) (*pendingAction, diag.Diagnostics) {
	pending, diags := getPendingAction(ctx, from)
	if pending == nil || diags.HasError() {
		return nil, diags
	}
	timeout, d := prior.Timeouts.Update(ctx, defaultUpdateTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	subject := fmt.Sprintf("the PostgreSQL instance %q (id %d)", prior.Name.ValueString(), id)
	a, err := client.GetAction(waitCtx, pending.ActionID)
	if err == nil && strings.EqualFold(a.Status, itcare.ActionStatusInProgress) {
		tflog.Info(ctx, "waiting for an ITCare action started by an earlier apply", map[string]any{"action_id": pending.ActionID, "operation": pending.label()})
		a, err = client.WaitForAction(waitCtx, pending.ActionID, r.data.wait)
	} else if err == nil && strings.EqualFold(a.Status, itcare.ActionStatusError) {
		err = &itcare.ActionError{ActionID: a.ID, Process: a.Process, Message: a.Message, Action: a}
	}
	var actionErr *itcare.ActionError
	switch {
	case err == nil && a != nil && !strings.EqualFold(a.Status, itcare.ActionStatusSuccess):
		// An undocumented status: still running, as the waiter reads it.
		diags.AddWarning("ITCare Action Still Running", fmt.Sprintf("ITCare action %d (%s) on %s has status %s. "+
			"Terraform waits for it on the next refresh or apply instead of sending %s again.", pending.ActionID, pending.label(), subject, a.Status, pending.Operation))
		return nil, diags
	case err == nil && pending.Operation == itcare.OpInstallExtension && len(pending.Extensions) == 0:
		// A record that does not list its extensions cannot tell this read
		// what to track: keep it, so that the apply resumes the operation
		// (pendingAction.matches) instead of sending it again.
		return nil, diags
	case err == nil, itcare.IsNotFound(err):
	case errors.As(err, &actionErr):
		msg := actionErr.Message
		if msg == "" {
			msg = "no message"
		}
		diags.AddWarning("Earlier ITCare Operation Failed", fmt.Sprintf("ITCare action %d (%s), which an earlier apply stopped "+
			"waiting for, ended in ERROR on %s: %s. The state shows the instance as ITCare reports it; the next plan proposes "+
			"the change again.", pending.ActionID, pending.label(), subject, msg))
	default:
		diags.AddWarning("ITCare Action Still Running", fmt.Sprintf("ITCare action %d (%s) on %s did not end within timeouts.update (%s): %v. "+
			"Terraform waits for it on the next refresh or apply instead of sending %s again; check it in the ITCare console.",
			pending.ActionID, pending.label(), subject, timeout, err, pending.Operation))
		return nil, diags
	}
	diags.Append(setPendingAction(ctx, to, nil)...)
	return pending, diags
}

func (r *postgresqlResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior postgresqlResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ops := planOperations(ctx, prior, plan)
	next, diags := stateBeforeOperations(ctx, prior, plan, ops)
	resp.Diagnostics.Append(diags...)
	pending, diags := getPendingAction(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(ops) == 0 && pending == nil {
		// Only provider-side or recorded values changed: nothing to send.
		resp.Diagnostics.Append(setStateWithoutUnknowns(ctx, &resp.State, &next)...)
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	id, err := strconv.ParseInt(prior.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), summaryUpdate,
			fmt.Sprintf("The id %q in the state is not a number. Remove the resource from the state (terraform state rm) and import it again.", prior.ID.ValueString()))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	base := opContext{ID: id, Name: prior.Name.ValueString(), Timeout: timeout, TimeoutName: "update", InUpdate: true}

	var doneDBs []string
	if pending != nil {
		// An earlier apply timed out waiting for this action: wait for it
		// instead of sending its operation a second time.
		op := base
		op.Operation, op.ActionID = pending.label(), pending.ActionID
		_, err := client.WaitForAction(ctx, pending.ActionID, r.data.wait)
		switch {
		case err == nil || itcare.IsNotFound(err):
			resp.Diagnostics.Append(setPendingAction(ctx, resp.Private, nil)...)
			if i := slices.IndexFunc(ops, pending.matches); i >= 0 && err == nil {
				if ops[i].Database != "" {
					doneDBs = append(doneDBs, ops[i].Database)
				}
				resp.Diagnostics.Append(settle(ctx, &next, prior, plan, ops[i], doneDBs)...)
				ops = slices.Delete(ops, i, i+1)
			}
		default:
			var actionErr *itcare.ActionError
			if errors.As(err, &actionErr) {
				resp.Diagnostics.Append(setPendingAction(ctx, resp.Private, nil)...)
			}
			r.saveUpdated(ctx, client, id, &next, &resp.State, &resp.Diagnostics)
			addAPIError(&resp.Diagnostics, summaryUpdate, op, err)
			return
		}
	}

	for _, o := range ops {
		op := base
		op.Operation = o.label()
		actionID, err := runOperation(ctx, client, r.data.wait, id, o)
		if err != nil {
			op.ActionID = actionID
			// An action still running, whether the wait for it timed out
			// or the answer naming it was lost, is recorded so that the
			// next run waits for it instead of sending o again.
			if actionID != 0 && (errors.Is(err, context.DeadlineExceeded) || itcare.IsUnknownOutcome(err)) {
				resp.Diagnostics.Append(setPendingAction(ctx, resp.Private, pendingFor(o, actionID))...)
				op.Pending = true
			}
			// The operations before this one are done: record them, so
			// that the next plan shows only what is left.
			r.saveUpdated(ctx, client, id, &next, &resp.State, &resp.Diagnostics)
			addAPIError(&resp.Diagnostics, summaryUpdate, op, err)
			return
		}
		if o.Database != "" {
			doneDBs = append(doneDBs, o.Database)
		}
		resp.Diagnostics.Append(settle(ctx, &next, prior, plan, o, doneDBs)...)
	}
	r.saveUpdated(ctx, client, id, &next, &resp.State, &resp.Diagnostics)
}

// saveUpdated fills the values an update leaves unknown (the read-only
// ones its operations change) from one read of the instance, and saves
// next. The arguments keep the values next holds: the planned ones for
// the operations that succeeded, the prior ones for the others. A failed
// read still saves next, so that what was done is not lost.
func (r *postgresqlResource) saveUpdated(ctx context.Context, client *itcare.Client, id int64, next *postgresqlResourceModel, st *tfsdk.State, diags *diag.Diagnostics) {
	// The wait may have used up the update timeout; the read gets its own
	// short budget so that the state still records what was done.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalReadTimeout)
	defer cancel()
	pg, dbs, err := readPostgreSQL(readCtx, client, id, known(next.Extensions))
	if err != nil {
		diags.AddWarning("PostgreSQL Instance Not Read After Update",
			fmt.Sprintf("Could not read the PostgreSQL instance %q (id %d) after the update: %v. Its read-only attributes are refreshed by the next plan.",
				next.Name.ValueString(), id, err))
	} else {
		fresh, d := flattenPostgreSQL(ctx, *next, pg, dbs)
		diags.Append(d...)
		fillUnknownFromRead(ctx, next, fresh)
	}
	diags.Append(setStateWithoutUnknowns(ctx, st, next)...)
}

func (r *postgresqlResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state postgresqlResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		// Nothing in ITCare can carry this id.
		return
	}
	op := opContext{Operation: "delete", ID: id, Name: state.Name.ValueString(), Timeout: timeout, TimeoutName: "delete"}

	action, err := client.DeletePostgreSQL(ctx, id)
	if itcare.IsConflict(err) {
		// An action already runs on the instance (a create that timed
		// out, a console operation): let it finish, whatever its outcome,
		// then try once more.
		if _, werr := waitForOthersActions(ctx, client, r.data.wait, id); werr != nil && !itcare.IsNotFound(werr) {
			addAPIError(&resp.Diagnostics, summaryDelete, op, werr)
			return
		}
		action, err = client.DeletePostgreSQL(ctx, id)
	}
	if itcare.IsNotFound(err) {
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryDelete, op, err)
		return
	}
	if action == nil || action.ID == 0 {
		return
	}
	op.ActionID = action.ID
	if _, err := client.WaitForAction(ctx, action.ID, r.data.wait); err != nil && !itcare.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, summaryDelete, op, err)
	}
}

func (r *postgresqlResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID := strings.TrimSpace(req.ID)
	if _, err := strconv.ParseInt(importID, 10, 64); err == nil {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), importID)...)
		return
	}
	if importID == "" {
		resp.Diagnostics.AddError(summaryImport, "The import id is empty. Give the numeric ITCare id of the instance (e.g. 500061854) or its name.")
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := findPostgreSQLByName(ctx, client, importID)
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryImport, opContext{Operation: "look up by name", Name: importID}, err)
		return
	}
	switch len(found) {
	case 0:
		resp.Diagnostics.AddError(summaryImport, fmt.Sprintf(
			"No PostgreSQL instance named %q exists in ITCare for this API account. A non-numeric import id is taken "+
				"as the instance name; check the name, or import by the numeric id shown in the ITCare console.", importID))
	case 1:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(found[0].ID, 10))...)
	default:
		ids := make([]string, len(found))
		for i, pg := range found {
			ids[i] = strconv.FormatInt(pg.ID, 10)
		}
		resp.Diagnostics.AddError(summaryImport, fmt.Sprintf(
			"%d PostgreSQL instances are named %q (ids %s). Import the one you mean by its numeric id.",
			len(found), importID, strings.Join(ids, ", ")))
	}
}

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
func restoreFromModel(ctx context.Context, o types.Object) *itcare.RestoreOptions {
	if !known(o) {
		return nil
	}
	var m restoreModel
	if diags := o.As(ctx, &m, objectAsOptions); diags.HasError() {
		return nil
	}
	ts := m.Timestamp.ValueString()
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		// The API documents this exact shape.
		ts = t.Format("2006-01-02T15:04:05.000-07:00")
	}
	return &itcare.RestoreOptions{SourceID: m.SourceID.ValueInt64(), Stop: m.Stop.ValueString(), Timestamp: ts}
}

// postCreateOperations lists the operations that bring a new instance to
// the planned patch party, extensions and power state, which the create
// request cannot carry. It sends nothing ITCare already matches.
func postCreateOperations(ctx context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, dbs []itcare.Database) []operation {
	var ops []operation
	if want, ok := patchPartyFromModel(ctx, plan.PatchParty); ok {
		have := itcare.PatchPartyUpdate{}
		if pg.PatchParty != nil {
			have = itcare.PatchPartyUpdate{Excluded: pg.PatchParty.Excluded, PatchGroup: pg.PatchParty.PatchGroup, ExclusionReason: pg.PatchParty.ExclusionReason}
		}
		if patchPartyDiffers(want, have) {
			ops = append(ops, operation{Name: itcare.OpUpdatePatchParty, Options: itcare.PatchPartyOptions{PatchParty: want}})
		}
	}
	ops = append(ops, installOperations(extensionsNotIn(extensionsFromSet(ctx, plan.Extensions), installedExtensions(dbs)))...)
	if plan.PowerState.ValueString() == powerStopped && pg.Status != statusStopped {
		ops = append(ops, operation{Name: itcare.OpStop})
	}
	return ops
}

// patchPartyFromModel returns the configured patch party request. Unknown
// or null fields are not part of the request; ok is false when nothing is
// configured.
func patchPartyFromModel(ctx context.Context, o types.Object) (itcare.PatchPartyUpdate, bool) {
	if !known(o) {
		return itcare.PatchPartyUpdate{}, false
	}
	var m patchPartyModel
	if diags := o.As(ctx, &m, objectAsOptions); diags.HasError() {
		return itcare.PatchPartyUpdate{}, false
	}
	if !known(m.Excluded) && !known(m.PatchGroup) && !known(m.ExclusionReason) {
		return itcare.PatchPartyUpdate{}, false
	}
	return itcare.PatchPartyUpdate{
		Excluded:        m.Excluded.ValueBool(),
		PatchGroup:      m.PatchGroup.ValueString(),
		ExclusionReason: m.ExclusionReason.ValueString(),
	}, true
}

// patchPartyDiffers compares only what the request sets: an empty group or
// reason in the request leaves ITCare's value alone.
func patchPartyDiffers(want, have itcare.PatchPartyUpdate) bool {
	return want.Excluded != have.Excluded ||
		(want.PatchGroup != "" && want.PatchGroup != have.PatchGroup) ||
		(want.Excluded && want.ExclusionReason != "" && want.ExclusionReason != have.ExclusionReason)
}

type extensionKey struct{ db, name string }

func installedExtensions(dbs []itcare.Database) map[extensionKey]bool {
	m := map[extensionKey]bool{}
	for _, db := range dbs {
		for _, e := range db.Extensions {
			m[extensionKey{db.Name, e.Name}] = true
		}
	}
	return m
}

func extensionsFromSet(ctx context.Context, set types.Set) []extensionKey {
	if !known(set) {
		return nil
	}
	var items []extensionModel
	if diags := set.ElementsAs(ctx, &items, false); diags.HasError() {
		return nil
	}
	out := make([]extensionKey, 0, len(items))
	for _, it := range items {
		if known(it.Database) && known(it.Name) {
			out = append(out, extensionKey{it.Database.ValueString(), it.Name.ValueString()})
		}
	}
	return out
}

func removedExtensions(ctx context.Context, prior, plan types.Set) []string {
	var out []string
	for _, e := range extensionsNotIn(extensionsFromSet(ctx, prior), keySet(extensionsFromSet(ctx, plan))) {
		out = append(out, fmt.Sprintf("%s in database %s", e.name, e.db))
	}
	return out
}

// keySet indexes extensions for extensionsNotIn.
func keySet(keys []extensionKey) map[extensionKey]bool {
	m := make(map[extensionKey]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// extensionsNotIn lists the extensions of keys, in order, that are not in
// set: the one difference behind added, removed and missing extensions.
func extensionsNotIn(keys []extensionKey, set map[extensionKey]bool) []extensionKey {
	var out []extensionKey
	for _, k := range keys {
		if !set[k] {
			out = append(out, k)
		}
	}
	return out
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
	m.PowerState = types.StringValue(powerStateOf(pg.Status))

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

	m.Status = nullIfEmpty(pg.Status)
	m.IPAddress = nullIfEmpty(pg.IPAddress)
	m.URL = nullIfEmpty(pg.URL)
	m.ProductVersion = nullIfEmpty(pg.ProductVersion)
	m.CPU = types.Int64Value(pg.CPU)
	m.RAM = types.Int64Value(pg.RAM)
	m.Storage = types.Int64Value(pg.Storage)
	m.NodeCount = types.Int64Value(pg.NodeCount)
	m.InstanceCount = types.Int64Value(pg.InstanceCount)
	m.Environment = nullIfEmpty(pg.Environment)
	m.ServiceName = nullIfEmpty(pg.ServiceName)
	m.CreationTime = nullIfEmpty(pg.CreationTime)
	m.CreationUser = nullIfEmpty(pg.CreationUser)
	m.ReplicationStatus = types.BoolValue(pg.ReplicationStatus)
	m.BackupStatus = types.BoolValue(pg.BackupStatus)
	m.SupportPhase = nullIfEmpty(pg.SupportPhase)
	m.EndOfSupportAt = timeString(pg.EndOfSupportAt)
	m.MetrologyURL = nullIfEmpty(pg.MetrologyURL)

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
func fillUnknownFromRead(ctx context.Context, m *postgresqlResourceModel, fresh postgresqlResourceModel) {
	dst := reflect.ValueOf(m).Elem()
	src := reflect.ValueOf(fresh)
	for i := 0; i < dst.NumField(); i++ {
		v, ok := dst.Field(i).Interface().(attr.Value)
		if ok && v.IsUnknown() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	if !known(m.PatchParty) || !known(fresh.PatchParty) {
		return
	}
	planned, read := m.PatchParty.Attributes(), fresh.PatchParty.Attributes()
	merged := make(map[string]attr.Value, len(planned))
	for k, v := range planned {
		merged[k] = v
		if v.IsUnknown() {
			merged[k] = read[k]
		}
	}
	if o, d := types.ObjectValue(patchPartyAttrTypes, merged); !d.HasError() {
		m.PatchParty = o
	}
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
	})
}

// flattenExtensions keeps the tracked extensions that are still installed:
// others installed on the server are not drift, and a tracked one that
// vanished shows up as a change to install it again.
func flattenExtensions(ctx context.Context, tracked types.Set, dbs []itcare.Database) (types.Set, diag.Diagnostics) {
	installed := installedExtensions(dbs)
	elemType := types.ObjectType{AttrTypes: extensionAttrTypes}
	var vals []attr.Value
	var diags diag.Diagnostics
	for _, e := range extensionsFromSet(ctx, tracked) {
		if !installed[e] {
			continue
		}
		v, d := types.ObjectValue(extensionAttrTypes, map[string]attr.Value{
			"database": types.StringValue(e.db),
			"name":     types.StringValue(e.name),
		})
		diags.Append(d...)
		vals = append(vals, v)
	}
	set, d := types.SetValue(elemType, vals)
	diags.Append(d...)
	return set, diags
}

// readPostgreSQL reads the instance and, when extensions are tracked, its
// databases.
func readPostgreSQL(ctx context.Context, client *itcare.Client, id int64, withDatabases bool) (*itcare.PostgreSQL, []itcare.Database, error) {
	pg, err := client.GetPostgreSQL(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !withDatabases {
		return pg, nil, nil
	}
	dbs, err := client.GetPostgreSQLDatabases(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return pg, dbs, nil
}

// findPostgreSQLByName returns the instances named exactly name.
func findPostgreSQLByName(ctx context.Context, client *itcare.Client, name string) ([]itcare.PostgreSQL, error) {
	list, err := client.FindPostgreSQLByName(ctx, name)
	if err != nil {
		return nil, err
	}
	out := list[:0:0]
	for _, pg := range list {
		if pg.Name == name {
			out = append(out, pg)
		}
	}
	return out, nil
}

// patchAndWait runs one operation and waits for its action, if any.
// It goes through the same sender as updates: a 409 waits for the action
// in progress, and a lost answer is never followed by a second request.
func patchAndWait(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, o operation, op *opContext) error {
	actionID, err := runOperation(ctx, client, wait, id, o)
	if actionID != 0 {
		op.ActionID = actionID
	}
	return err
}

// isTransportError reports an error that is neither an API answer nor a
// rejected authentication: the request may have reached ITCare.
func isTransportError(err error) bool {
	var apiErr *itcare.APIError
	var authErr *itcare.AuthError
	return !errors.As(err, &apiErr) && !errors.As(err, &authErr) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
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

// objectAsOptions reads a known object into a struct.
var objectAsOptions = basetypes.ObjectAsOptions{}

type valueWithState interface {
	IsNull() bool
	IsUnknown() bool
}

// known reports a value that is neither null nor unknown.
func known(v valueWithState) bool { return !v.IsNull() && !v.IsUnknown() }

func boolPtr(v types.Bool) *bool {
	if !known(v) {
		return nil
	}
	b := v.ValueBool()
	return &b
}

func stringOr(v types.String, def string) string {
	if !known(v) {
		return def
	}
	return v.ValueString()
}

func stringOrPrior(s string, prior types.String) types.String {
	if s != "" {
		return types.StringValue(s)
	}
	return prior
}

func int64OrPrior(n int64, prior types.Int64) types.Int64 {
	if n != 0 {
		return types.Int64Value(n)
	}
	return prior
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func timeString(t *itcare.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// majorOf returns the major part of a version such as "15" or "15.4".
func majorOf(v string) string {
	major, _, _ := strings.Cut(strings.TrimSpace(v), ".")
	return major
}

// client returns the API client, or diagnostics naming what the provider
// configuration lacks.
func (r *postgresqlResource) client() (*itcare.Client, diag.Diagnostics) {
	if r.data == nil {
		var diags diag.Diagnostics
		diags.AddError("Unconfigured ITCare Provider",
			"The ITCare provider was not configured before the itcare_postgresql resource was used. This is a bug in the provider; please report it.")
		return nil, diags
	}
	return r.data.Client()
}

// timeoutsAttribute is the timeouts attribute with its documentation.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
	if n, ok := a.(schema.SingleNestedAttribute); ok {
		n.MarkdownDescription = fmt.Sprintf("How long Terraform waits for ITCare, as durations such as `\"90m\"` or `\"3h\"`: "+
			"`create` (default %s, ITCare can take two hours), `update` (default %s), `delete` (default %s). "+
			"A create that times out keeps the instance in the state, marked tainted. An update that times out "+
			"records the ITCare action still running: the next refresh or apply waits for it instead of sending "+
			"the operation again.",
			shortDuration(defaultCreateTimeout), shortDuration(defaultUpdateTimeout), shortDuration(defaultDeleteTimeout))
		return n
	}
	return a
}

func shortDuration(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

const (
	createOnlyNote = "Sent only at creation; the API does not return it, so the provider keeps the configured " +
		"value. Changing a recorded value *replaces* the instance; setting it on an imported instance only records it."
	passwordNote = "ITCare cannot change the password of an existing instance: change it inside PostgreSQL " +
		"(`ALTER ROLE`), or replace the instance."
)
