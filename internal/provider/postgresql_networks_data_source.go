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
	_ datasource.DataSource              = &postgresqlNetworksDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlNetworksDataSource{}
)

// NewPostgreSQLNetworksDataSource returns the itcare_postgresql_networks data source.
func NewPostgreSQLNetworksDataSource() datasource.DataSource {
	return &postgresqlNetworksDataSource{}
}

type postgresqlNetworksDataSource struct {
	instanceDataSourceBase
}

type postgresqlNetworksDataSourceModel struct {
	InstanceID types.String             `tfsdk:"instance_id"`
	Networks   []postgresqlNetworkModel `tfsdk:"networks"`
}

type postgresqlNetworkModel struct {
	ID             types.Int64                 `tfsdk:"id"`
	CIDR           types.String                `tfsdk:"cidr"`
	Gateway        types.String                `tfsdk:"gateway"`
	Mask           types.String                `tfsdk:"mask"`
	IPAddress      types.String                `tfsdk:"ip_address"`
	Area           types.String                `tfsdk:"area"`
	Region         types.String                `tfsdk:"region"`
	Environment    types.String                `tfsdk:"environment"`
	Scope          types.String                `tfsdk:"scope"`
	Description    types.String                `tfsdk:"description"`
	DefaultNetwork types.Bool                  `tfsdk:"default_network"`
	DNS            []postgresqlNetworkDNSModel `tfsdk:"dns"`
}

type postgresqlNetworkDNSModel struct {
	Alias  types.String `tfsdk:"alias"`
	Domain types.String `tfsdk:"domain"`
}

func (d *postgresqlNetworksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_networks"
}

func (d *postgresqlNetworksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the networks a managed PostgreSQL instance is attached to, with their address " +
			"ranges, gateways and DNS domains. Use it to allow the instance's subnet in firewall rules or to build " +
			"DNS names of the nodes.",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("networks"),
			"networks": schema.ListNestedAttribute{
				MarkdownDescription: "The networks, sorted by id, so that their order does not change between plans. " +
					"Filter on `default_network` to pick the instance's main network.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          schema.Int64Attribute{MarkdownDescription: "ITCare id of the network (the resource's `network_id`).", Computed: true},
						"cidr":        str("Address range of the network, e.g. `10.10.0.0/24`."),
						"gateway":     str("Gateway address of the network."),
						"mask":        str("Network mask, e.g. `255.255.255.0`."),
						"ip_address":  str("Network address."),
						"area":        str("Area the network belongs to, e.g. `EB-QA`."),
						"region":      str("Region the network belongs to."),
						"environment": str("Environment the network serves, e.g. `QA` or `PRODUCTION`."),
						"scope":       str("Scope of the network as ITCare reports it."),
						"description": str("Description of the network."),
						"default_network": schema.BoolAttribute{
							MarkdownDescription: "Whether this is the default network of its area.",
							Computed:            true,
						},
						"dns": schema.ListNestedAttribute{
							MarkdownDescription: "DNS aliases of the network, in the order ITCare gives them.",
							Computed:            true,
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"alias":  str("DNS alias."),
									"domain": str("DNS domain of the alias, e.g. `qa.cegedim.cloud`."),
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *postgresqlNetworksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	networks, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "networks",
		func(ctx context.Context, c *itcare.Client, id int64) ([]itcare.Network, error) {
			return c.GetPostgreSQLNetworks(ctx, id)
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := postgresqlNetworksDataSourceModel{InstanceID: instanceID, Networks: flattenPostgreSQLNetworks(networks)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLNetworks maps the API's networks, sorted by id. Lists are
// never nil, so that an empty answer reads as [] and length() works on it.
func flattenPostgreSQLNetworks(in []itcare.Network) []postgresqlNetworkModel {
	out := make([]postgresqlNetworkModel, 0, len(in))
	for _, n := range in {
		dns := make([]postgresqlNetworkDNSModel, 0, len(n.DNS))
		for _, d := range n.DNS {
			dns = append(dns, postgresqlNetworkDNSModel{Alias: nullIfEmpty(d.Alias), Domain: nullIfEmpty(d.Domain)})
		}
		out = append(out, postgresqlNetworkModel{
			ID:             types.Int64Value(n.ID),
			CIDR:           nullIfEmpty(n.CIDR),
			Gateway:        nullIfEmpty(n.Gateway),
			Mask:           nullIfEmpty(n.Mask),
			IPAddress:      nullIfEmpty(n.IPAddress),
			Area:           nullIfEmpty(n.Area),
			Region:         nullIfEmpty(n.Region),
			Environment:    nullIfEmpty(n.Environment),
			Scope:          nullIfEmpty(n.Scope),
			Description:    nullIfEmpty(cmp.Or(n.Description, n.ShortDescription, n.NetworkShortDescription)),
			DefaultNetwork: types.BoolValue(n.DefaultNetwork),
			DNS:            dns,
		})
	}
	slices.SortStableFunc(out, func(a, b postgresqlNetworkModel) int {
		return cmp.Compare(a.ID.ValueInt64(), b.ID.ValueInt64())
	})
	return out
}
