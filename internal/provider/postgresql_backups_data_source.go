package provider

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

var (
	_ datasource.DataSource              = &postgresqlBackupsDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlBackupsDataSource{}
)

// NewPostgreSQLBackupsDataSource returns the itcare_postgresql_backups data source.
func NewPostgreSQLBackupsDataSource() datasource.DataSource {
	return &postgresqlBackupsDataSource{}
}

type postgresqlBackupsDataSource struct {
	instanceDataSourceBase
}

type postgresqlBackupsDataSourceModel struct {
	InstanceID types.String                  `tfsdk:"instance_id"`
	Backups    []postgresqlBackupModel       `tfsdk:"backups"`
	Policies   []postgresqlBackupPolicyModel `tfsdk:"policies"`
}

type postgresqlBackupModel struct {
	ID           types.Int64  `tfsdk:"id"`
	Type         types.String `tfsdk:"type"`
	LastBackupAt types.String `tfsdk:"last_backup_at"`
	Size         types.Int64  `tfsdk:"size"`
}

type postgresqlBackupPolicyModel struct {
	PolicyID      types.String `tfsdk:"policy_id"`
	Name          types.String `tfsdk:"name"`
	Label         types.String `tfsdk:"label"`
	Type          types.String `tfsdk:"type"`
	Scope         types.String `tfsdk:"scope"`
	StartTime     types.String `tfsdk:"start_time"`
	Timezone      types.String `tfsdk:"timezone"`
	DurationHours types.Int64  `tfsdk:"duration_hours"`
	Replication   types.Bool   `tfsdk:"replication"`
	LastBackupAt  types.String `tfsdk:"last_backup_at"`
	Size          types.Int64  `tfsdk:"size"`
}

func (d *postgresqlBackupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_backups"
}

func (d *postgresqlBackupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	const lastBackupAt = "When the last backup was taken, RFC 3339; null before the first one."
	const size = "Size of the last backup, in bytes; null when ITCare reports none."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the backups of a managed PostgreSQL instance: the backup policies ITCare applies " +
			"to it and when each last ran. Use it to check that an instance is backed up, for example with a `check` " +
			"block that warns when the last backup is too old. These values change by themselves at every backup, " +
			"so the `itcare_postgresql` resource does not carry them: a plan of the resource never shows them.",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("backups"),
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "The instance's last backups, one per kind of backup ITCare takes, sorted by id. " +
					"Empty when the instance is not backed up.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":             num("ITCare id of the backup."),
						"type":           str("Kind of backup, as ITCare names it, e.g. `DATABASE` or `SERVER`."),
						"last_backup_at": str(lastBackupAt),
						"size":           num(size),
					},
				},
			},
			"policies": schema.ListNestedAttribute{
				MarkdownDescription: "The backup policies applied to the instance, sorted by `policy_id`. Empty when " +
					"the instance is not backed up.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"policy_id":      str("ITCare id of the policy, e.g. `PG-PITR-DAILY`."),
						"name":           str("Name of the policy."),
						"label":          str("Display label of the policy."),
						"type":           str("Kind of backup the policy takes, e.g. `DATABASE` or `SERVER`."),
						"scope":          str("What the policy backs up, e.g. `DATABASE` or `SERVER`."),
						"start_time":     str("Time of day the policy's backups start, e.g. `22:00`, in `timezone`."),
						"timezone":       str("Time zone of `start_time`, e.g. `Europe/Paris`."),
						"duration_hours": num("How long a backup of the policy may run, in hours."),
						"replication":    schema.BoolAttribute{MarkdownDescription: "Whether the policy's backups are replicated to another site.", Computed: true},
						"last_backup_at": str(lastBackupAt),
						"size":           num(size),
					},
				},
			},
		},
	}
}

func (d *postgresqlBackupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	// The backups are part of the instance's read model: the list read is
	// the instance itself.
	details, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "backups",
		func(ctx context.Context, c *itcare.Client, id int64) ([]*itcare.BackupPolicyDetails, error) {
			pg, err := c.GetPostgreSQL(ctx, id)
			if err != nil {
				return nil, err
			}
			return []*itcare.BackupPolicyDetails{pg.BackupPolicyDetails}, nil
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := flattenPostgreSQLBackups(details[0])
	state.InstanceID = instanceID
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLBackups maps the read model's backupPolicyDetails,
// sorted so that their order does not change between plans. The lists are
// never nil, so that an instance without backups reads as [] and length()
// works on it.
func flattenPostgreSQLBackups(in *itcare.BackupPolicyDetails) postgresqlBackupsDataSourceModel {
	out := postgresqlBackupsDataSourceModel{Backups: []postgresqlBackupModel{}, Policies: []postgresqlBackupPolicyModel{}}
	if in == nil {
		return out
	}
	for _, b := range in.Backups {
		out.Backups = append(out.Backups, postgresqlBackupModel{
			ID:           types.Int64Value(b.ID),
			Type:         nullIfEmpty(b.Type),
			LastBackupAt: timeString(b.BackupLastDate),
			Size:         nullIfZero(b.BackupSize),
		})
	}
	for _, p := range in.Policies {
		out.Policies = append(out.Policies, postgresqlBackupPolicyModel{
			PolicyID:      nullIfEmpty(p.PolicyID),
			Name:          nullIfEmpty(p.Name),
			Label:         nullIfEmpty(p.Label),
			Type:          nullIfEmpty(p.Type),
			Scope:         nullIfEmpty(p.Scope),
			StartTime:     nullIfEmpty(p.StartTime),
			Timezone:      nullIfEmpty(p.Timezone),
			DurationHours: nullIfZero(p.DurationInHours),
			Replication:   types.BoolValue(p.Replication),
			LastBackupAt:  timeString(p.BackupLastDate),
			Size:          nullIfZero(p.BackupSize),
		})
	}
	slices.SortStableFunc(out.Backups, func(a, b postgresqlBackupModel) int {
		return cmp.Compare(a.ID.ValueInt64(), b.ID.ValueInt64())
	})
	slices.SortStableFunc(out.Policies, func(a, b postgresqlBackupPolicyModel) int {
		return cmp.Or(cmp.Compare(a.PolicyID.ValueString(), b.PolicyID.ValueString()), cmp.Compare(a.Name.ValueString(), b.Name.ValueString()))
	})
	return out
}
