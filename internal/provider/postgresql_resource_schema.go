package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
)

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
	// readBack names the read-only attribute under which ITCare returns
	// the value, if it does.
	createOnlyBool := func(desc, readBack string) schema.BoolAttribute {
		note, modifier := createOnlyNote, requiresReplaceIfPriorSetBool()
		if readBack != "" {
			note = fmt.Sprintf(createOnlyReadBackNote, readBack)
			modifier = requiresReplaceIfReadBackDiffers(readBack)
		}
		return schema.BoolAttribute{
			MarkdownDescription: desc + " " + note,
			Optional:            true,
			PlanModifiers:       []planmodifier.Bool{modifier},
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
				MarkdownDescription: "PostgreSQL major version, in digits without a leading zero, such as `\"16\"`; " +
					"ITCare decides which versions it offers (the `itcare_postgresql_versions` data source lists an " +
					"instance's upgrade targets). A higher version is a major upgrade in place (ITCare `upgrade`, with " +
					"downtime), allowed only when `allow_major_version_upgrade = true` and to a version ITCare offers " +
					"for the instance, checked at plan time. A lower version *replaces* the instance.",
				Required:      true,
				PlanModifiers: []planmodifier.String{versionLowerRequiresReplace()},
				Validators:    []validator.String{majorVersionValidator{}},
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
				"or digits. Required when creating an `HA` instance; accepted for a `STANDALONE` one.",
				stringvalidator.RegexMatches(nodePrefixRegexp, "must be 5 to 12 uppercase letters A-Z or digits 0-9")),
			"availability_zone": createOnlyString("Availability zone of an HA instance, e.g. `EB-QA-A`. Required "+
				"when creating an `HA` instance; accepted for a `STANDALONE` one, as the API reference's own example sends it.", stringvalidator.LengthAtLeast(1)),
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
				MarkdownDescription: "Write-only password of the administrator role (Terraform or OpenTofu 1.11 or later): " +
					"same rules as `adm_password`, never stored in the state or the plan. Terraform cannot " +
					"see a change of it: change `adm_password_wo_version` to say it changed. " + passwordNote,
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{passwordValidator{}},
			},
			"adm_password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `adm_password_wo`, stored in the state; set only together with " +
					"`adm_password_wo`. A changed value on an existing instance is an error: ITCare cannot change the password.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("adm_password_wo"))},
			},
			"backup_enabled":             createOnlyBool("Whether ITCare backs the instance up. When unset, ITCare decides.", "backup_status"),
			"db_backup_policy_id":        createOnlyString("Backup policy of the databases.", stringvalidator.LengthAtLeast(1)),
			"server_backup_policy_id":    createOnlyString("Backup policy of the servers.", stringvalidator.LengthAtLeast(1)),
			"no_backup_prod_reason":      createOnlyString("Why a production instance has no backup.", stringvalidator.LengthAtLeast(1)),
			"replication_enabled":        createOnlyBool("Whether the backups are replicated. When unset, ITCare decides.", "replication_status"),
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
						MarkdownDescription: "Patch group of the instance, `\"1\"`, `\"2\"` or `\"3\"` (the three groups are " +
							"patched at different times of the day). Only a `STANDALONE` instance (one node) can choose it.",
						Optional:      true,
						Computed:      true,
						PlanModifiers: keepString,
						Validators:    []validator.String{stringvalidator.OneOf("1", "2", "3")},
					},
					"exclusion_reason": schema.StringAttribute{
						MarkdownDescription: "Why the instance is excluded; required when `excluded = true`.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       keepString,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"patch_date":     computedString("Date of the next patch (RFC 3339).", false),
					"patch_tag":      computedString("Patch tag assigned by ITCare.", false),
					"excluded_by":    computedString("Who excluded the instance, as ITCare records it; null when it is not excluded. Changes only when a `patch_party` change is applied.", false),
					"exclusion_date": computedString("When the instance was excluded (RFC 3339); null when it is not excluded. Changes only when a `patch_party` change is applied.", false),
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
				MarkdownDescription: "Restore a backup of another instance into this one (point-in-time " +
					"recovery), overwriting all its data with the source's as of `timestamp`. Set at creation, it " +
					"runs right after the instance is created; added or changed later (another `timestamp`, " +
					"`source_id` or `stop`), it restores the existing instance *in place*, and the plan warns that " +
					"its data will be overwritten. The source must be `ACTIVE`, backed up, another instance, and " +
					"of the same version; the timestamp must be in the past, within the last 14 days (production " +
					"service) or 7 days (other services). The same instant written otherwise (`Z` or an offset, " +
					"with or without a fraction) is no change, and removing the block only stops recording it: " +
					"neither sends anything.",
				Optional: true,
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
				MarkdownDescription: "Change reference (RFC number) sent with a major upgrade and with `enable_ha`. " +
					"When unset, an upgrade is sent with the reference `terraform` (ITCare's upgrade example always carries one) " +
					"and `enable_ha` with none. Changing it alone calls nothing.",
				Optional: true,
			},
			"deletion_protection": schema.BoolAttribute{
				MarkdownDescription: "When `true` (the default), a plan that destroys or replaces the instance " +
					"fails, and so does the delete of `terraform apply -replace` or of a tainted instance. The " +
					"value in the state counts: set it to `false` and apply that change on its own before " +
					"destroying or replacing. Provider-side only.",
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
			"released_at":        computedString("When ITCare released the instance's PostgreSQL version (RFC 3339). Changes only with `version`.", false),
			"end_of_sales_at": computedString("From when ITCare no longer sells new instances of the instance's PostgreSQL version (RFC 3339). "+
				"Changes only with `version`.", false),
			"extended_support_at": computedString("When extended support of the instance's PostgreSQL version ends, after `end_of_support_at` "+
				"(RFC 3339). Changes only with `version`.", false),
			"internal_resource_id": computedInt("ITCare's internal resource id of the instance, which other ITCare records may refer to; it may differ from `id`."),
		},
	}
}

// timeoutsAttribute is the timeouts attribute with its documentation.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
	if n, ok := a.(schema.SingleNestedAttribute); ok {
		n.MarkdownDescription = fmt.Sprintf("How long Terraform waits for ITCare, as durations such as `\"90m\"` or `\"3h\"`: "+
			"`create` (default %s, ITCare can take two hours), `update` (default %s), `delete` (default %s). "+
			"A create that times out keeps the instance in the state, marked tainted; an interrupted one (Ctrl-C) keeps it untainted, and the next plan adopts it. An update that times out "+
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
		"value. Changing a recorded value *replaces* the instance; setting it on an instance that has none recorded " +
		"(an imported one) only records it, with a warning, and removing it only stops recording it."
	createOnlyReadBackNote = "Sent only at creation; ITCare reports it as `%s`. Changing a recorded value *replaces* " +
		"the instance, and so does setting one, on an instance that has none recorded (an imported one), that " +
		"differs from what ITCare reports; removing it only stops recording it."
	passwordNote = "ITCare cannot change the password of an existing instance: change it inside PostgreSQL " +
		"(`ALTER ROLE`), or replace the instance."
)
