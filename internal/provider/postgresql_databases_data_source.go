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
	_ datasource.DataSource              = &postgresqlDatabasesDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlDatabasesDataSource{}
)

// NewPostgreSQLDatabasesDataSource returns the itcare_postgresql_databases data source.
func NewPostgreSQLDatabasesDataSource() datasource.DataSource {
	return &postgresqlDatabasesDataSource{}
}

type postgresqlDatabasesDataSource struct {
	instanceDataSourceBase
}

type postgresqlDatabasesDataSourceModel struct {
	InstanceID types.String              `tfsdk:"instance_id"`
	Databases  []postgresqlDatabaseModel `tfsdk:"databases"`
}

type postgresqlDatabaseModel struct {
	Name       types.String                        `tfsdk:"name"`
	Extensions []postgresqlInstalledExtensionModel `tfsdk:"extensions"`
}

type postgresqlInstalledExtensionModel struct {
	Name    types.String `tfsdk:"name"`
	Schema  types.String `tfsdk:"schema"`
	Version types.String `tfsdk:"version"`
}

func (d *postgresqlDatabasesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_databases"
}

func (d *postgresqlDatabasesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the databases of a managed PostgreSQL instance and the extensions installed in " +
			"each, whoever installed them (the `itcare_postgresql` resource's `extensions`, a person, or the " +
			"platform: `plpgsql` is in every database).",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("databases"),
			"databases": schema.ListNestedAttribute{
				MarkdownDescription: "The databases, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": str("Name of the database."),
						"extensions": schema.ListNestedAttribute{
							MarkdownDescription: "Extensions installed in the database, sorted by name.",
							Computed:            true,
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"name":    str("Name of the extension, e.g. `plpgsql`."),
									"schema":  str("Schema the extension's objects live in, e.g. `pg_catalog`."),
									"version": str("Installed version of the extension."),
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *postgresqlDatabasesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	databases, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "databases",
		func(ctx context.Context, c *itcare.Client, id int64) ([]itcare.Database, error) {
			return c.GetPostgreSQLDatabases(ctx, id)
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := postgresqlDatabasesDataSourceModel{InstanceID: instanceID, Databases: flattenPostgreSQLDatabases(databases)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLDatabases maps the API's databases, sorted by name and
// each one's extensions by name, so that the order does not depend on the
// catalogue's.
func flattenPostgreSQLDatabases(in []itcare.Database) []postgresqlDatabaseModel {
	out := make([]postgresqlDatabaseModel, 0, len(in))
	for _, db := range in {
		exts := make([]postgresqlInstalledExtensionModel, 0, len(db.Extensions))
		for _, e := range db.Extensions {
			exts = append(exts, postgresqlInstalledExtensionModel{
				Name:    types.StringValue(e.Name),
				Schema:  nullIfEmpty(e.Schema),
				Version: nullIfEmpty(e.Version),
			})
		}
		slices.SortStableFunc(exts, func(a, b postgresqlInstalledExtensionModel) int {
			return cmp.Compare(a.Name.ValueString(), b.Name.ValueString())
		})
		out = append(out, postgresqlDatabaseModel{Name: types.StringValue(db.Name), Extensions: exts})
	}
	slices.SortStableFunc(out, func(a, b postgresqlDatabaseModel) int {
		return cmp.Compare(a.Name.ValueString(), b.Name.ValueString())
	})
	return out
}
