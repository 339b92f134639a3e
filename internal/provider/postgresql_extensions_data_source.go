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
	_ datasource.DataSource              = &postgresqlExtensionsDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlExtensionsDataSource{}
)

// NewPostgreSQLExtensionsDataSource returns the itcare_postgresql_extensions data source.
func NewPostgreSQLExtensionsDataSource() datasource.DataSource {
	return &postgresqlExtensionsDataSource{}
}

type postgresqlExtensionsDataSource struct {
	instanceDataSourceBase
}

type postgresqlExtensionsDataSourceModel struct {
	InstanceID types.String                        `tfsdk:"instance_id"`
	Extensions []postgresqlAvailableExtensionModel `tfsdk:"extensions"`
}

type postgresqlAvailableExtensionModel struct {
	Name               types.String `tfsdk:"name"`
	Version            types.String `tfsdk:"version"`
	Comment            types.String `tfsdk:"comment"`
	Link               types.String `tfsdk:"link"`
	RequiresRestarting types.Bool   `tfsdk:"requires_restarting"`
}

func (d *postgresqlExtensionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_extensions"
}

func (d *postgresqlExtensionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the extensions a managed PostgreSQL instance can install, that is the names " +
			"the `itcare_postgresql` resource's `extensions` accepts. For the extensions already installed in " +
			"each database, see `itcare_postgresql_databases`.",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("available extensions"),
			"extensions": schema.ListNestedAttribute{
				MarkdownDescription: "The available extensions, sorted by name. " +
					"`extensions[*].name` gives the list of names, for `contains(...)`.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":    str("Name of the extension, as `CREATE EXTENSION` and the resource's `extensions` take it."),
						"version": str("Version of the extension that would be installed."),
						"comment": str("What the extension does."),
						"link":    str("Address of the extension's documentation."),
						"requires_restarting": schema.BoolAttribute{
							MarkdownDescription: "Whether installing the extension restarts PostgreSQL (it must be " +
								"preloaded), which briefly interrupts connections.",
							Computed: true,
						},
					},
				},
			},
		},
	}
}

func (d *postgresqlExtensionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	extensions, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "extensions",
		func(ctx context.Context, c *itcare.Client, id int64) ([]itcare.Extension, error) {
			return c.GetPostgreSQLExtensions(ctx, id)
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := postgresqlExtensionsDataSourceModel{InstanceID: instanceID, Extensions: flattenPostgreSQLExtensions(extensions)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLExtensions maps the API's available extensions, sorted by
// name.
func flattenPostgreSQLExtensions(in []itcare.Extension) []postgresqlAvailableExtensionModel {
	out := make([]postgresqlAvailableExtensionModel, 0, len(in))
	for _, e := range in {
		out = append(out, postgresqlAvailableExtensionModel{
			Name:               types.StringValue(e.Name),
			Version:            nullIfEmpty(e.Version),
			Comment:            nullIfEmpty(e.Comment),
			Link:               nullIfEmpty(e.Link),
			RequiresRestarting: types.BoolValue(e.RequiresRestarting),
		})
	}
	slices.SortStableFunc(out, func(a, b postgresqlAvailableExtensionModel) int {
		return cmp.Compare(a.Name.ValueString(), b.Name.ValueString())
	})
	return out
}
