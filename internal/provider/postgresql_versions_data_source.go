package provider

import (
	"context"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

var (
	_ datasource.DataSource              = &postgresqlVersionsDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlVersionsDataSource{}
)

// NewPostgreSQLVersionsDataSource returns the itcare_postgresql_versions data source.
func NewPostgreSQLVersionsDataSource() datasource.DataSource {
	return &postgresqlVersionsDataSource{}
}

type postgresqlVersionsDataSource struct {
	instanceDataSourceBase
}

type postgresqlVersionsDataSourceModel struct {
	InstanceID types.String   `tfsdk:"instance_id"`
	Versions   []types.String `tfsdk:"versions"`
	Latest     types.String   `tfsdk:"latest"`
}

func (d *postgresqlVersionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_versions"
}

func (d *postgresqlVersionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the major PostgreSQL versions a managed instance can be upgraded to, as ITCare " +
			"offers them. A value of `versions` can be given to the `itcare_postgresql` resource's `version` " +
			"(with `allow_major_version_upgrade = true`); the resource refuses any other.",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("upgrade targets"),
			"versions": schema.ListAttribute{
				MarkdownDescription: "Major versions the instance can be upgraded to, as strings in the form of the " +
					"resource's `version` (e.g. `[\"16\", \"17\"]`), in ascending numeric order. Empty when the " +
					"instance already runs the newest version ITCare offers.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"latest": schema.StringAttribute{
				MarkdownDescription: "The highest version of `versions`, or null when `versions` is empty.",
				Computed:            true,
			},
		},
	}
}

func (d *postgresqlVersionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	versions, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "versions",
		func(ctx context.Context, c *itcare.Client, id int64) ([]int64, error) {
			return c.GetPostgreSQLVersions(ctx, id)
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := flattenPostgreSQLVersions(versions)
	state.InstanceID = instanceID
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLVersions sorts the versions numerically (as strings "9"
// would sort after "16") and drops duplicates, so the list is stable whatever
// order the API answers in.
func flattenPostgreSQLVersions(in []int64) postgresqlVersionsDataSourceModel {
	sorted := slices.Clone(in)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	m := postgresqlVersionsDataSourceModel{Versions: make([]types.String, 0, len(sorted)), Latest: types.StringNull()}
	for _, v := range sorted {
		m.Versions = append(m.Versions, types.StringValue(strconv.FormatInt(v, 10)))
	}
	if n := len(m.Versions); n > 0 {
		m.Latest = m.Versions[n-1]
	}
	return m
}
