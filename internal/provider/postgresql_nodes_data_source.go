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
	_ datasource.DataSource              = &postgresqlNodesDataSource{}
	_ datasource.DataSourceWithConfigure = &postgresqlNodesDataSource{}
)

// NewPostgreSQLNodesDataSource returns the itcare_postgresql_nodes data source.
func NewPostgreSQLNodesDataSource() datasource.DataSource {
	return &postgresqlNodesDataSource{}
}

type postgresqlNodesDataSource struct {
	instanceDataSourceBase
}

type postgresqlNodesDataSourceModel struct {
	InstanceID types.String          `tfsdk:"instance_id"`
	Nodes      []postgresqlNodeModel `tfsdk:"nodes"`
}

type postgresqlNodeModel struct {
	ID               types.Int64                     `tfsdk:"id"`
	Name             types.String                    `tfsdk:"name"`
	Label            types.String                    `tfsdk:"label"`
	Status           types.String                    `tfsdk:"status"`
	IPAddress        types.String                    `tfsdk:"ip_address"`
	CPU              types.Int64                     `tfsdk:"cpu"`
	RAM              types.Int64                     `tfsdk:"ram"`
	Storage          types.Int64                     `tfsdk:"storage"`
	OSName           types.String                    `tfsdk:"os_name"`
	OSType           types.String                    `tfsdk:"os_type"`
	Area             types.String                    `tfsdk:"area"`
	AvailabilityZone types.String                    `tfsdk:"availability_zone"`
	Region           types.String                    `tfsdk:"region"`
	DataCenter       types.String                    `tfsdk:"data_center"`
	NetworkID        types.Int64                     `tfsdk:"network_id"`
	CreationTime     types.String                    `tfsdk:"creation_time"`
	FileSystems      []postgresqlNodeFileSystemModel `tfsdk:"file_systems"`
}

type postgresqlNodeFileSystemModel struct {
	MountPoint types.String `tfsdk:"mount_point"`
	Type       types.String `tfsdk:"type"`
	Size       types.Int64  `tfsdk:"size"`
	Free       types.Int64  `tfsdk:"free"`
}

func (d *postgresqlNodesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql_nodes"
}

func (d *postgresqlNodesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the nodes (virtual machines) of a managed PostgreSQL instance: one for a " +
			"`STANDALONE` instance, several for an `HA` one. Use it to find each node's IP address, placement, " +
			"sizing and how full its file systems are, for example to open firewall rules, to spread clients across " +
			"availability zones or to watch disk space.",
		Attributes: map[string]schema.Attribute{
			"instance_id": instanceIDAttribute("nodes"),
			"nodes": schema.ListNestedAttribute{
				MarkdownDescription: "The nodes, sorted by name (then id), so that their order does not change between plans.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                num("ITCare id of the node."),
						"name":              str("Host name of the node."),
						"label":             str("Display label of the node in ITCare."),
						"status":            str("Status of the node as ITCare reports it, e.g. `ACTIVE` or `STOPPED`."),
						"ip_address":        str("IP address of the node."),
						"cpu":               num("Virtual CPUs of the node."),
						"ram":               num("Memory of the node, in GB."),
						"storage":           num("Disk size of the node, in GB."),
						"os_name":           str("Operating system of the node, e.g. `Rocky Linux 9`."),
						"os_type":           str("Operating system family of the node, e.g. `LINUX`."),
						"area":              str("Area the node runs in, e.g. `EB-QA`."),
						"availability_zone": str("Availability zone the node runs in, e.g. `EB-QA-A`. The nodes of an `HA` instance are spread across zones."),
						"region":            str("Region the node runs in, e.g. `EB`."),
						"data_center":       str("Data center that hosts the node's availability zone."),
						"network_id":        num("ITCare id of the node's network (see `itcare_postgresql_networks`)."),
						"creation_time":     str("When the node was created, as ITCare reports it."),
						"file_systems": schema.ListNestedAttribute{
							MarkdownDescription: "The node's file systems, sorted by mount point, with their size and free " +
								"space in GB at the time of the read. Free space changes by itself as the databases grow, which " +
								"is why it is read here and not kept on the `itcare_postgresql` resource.",
							Computed: true,
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"mount_point": str("Where the file system is mounted, e.g. `/var/lib/postgresql`."),
									"type":        str("File system type, e.g. `xfs`."),
									"size":        num("Size of the file system, in GB."),
									"free":        num("Free space on the file system, in GB."),
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *postgresqlNodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	nodes, instanceID, diags := readInstanceSubresource(ctx, &d.instanceDataSourceBase, req.Config, "nodes",
		func(ctx context.Context, c *itcare.Client, id int64) ([]itcare.Node, error) {
			return c.GetPostgreSQLNodes(ctx, id)
		})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := postgresqlNodesDataSourceModel{InstanceID: instanceID, Nodes: flattenPostgreSQLNodes(nodes)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flattenPostgreSQLNodes maps the API's nodes, sorted by name then id. The
// list is never nil, so an instance without nodes reads as [] rather than
// null and length() works on it.
func flattenPostgreSQLNodes(in []itcare.Node) []postgresqlNodeModel {
	out := make([]postgresqlNodeModel, 0, len(in))
	for _, n := range in {
		var area, azID, dcID, regionID, regionDC string
		if n.Area != nil {
			area = n.Area.ID
		}
		if n.AvailabilityZone != nil {
			azID, dcID = n.AvailabilityZone.ID, n.AvailabilityZone.DatacenterID
		}
		if n.Region != nil {
			regionID, regionDC = n.Region.ID, n.Region.DataCenter
		}
		networkID := types.Int64Null()
		if n.Network != nil && n.Network.ID != 0 {
			networkID = types.Int64Value(n.Network.ID)
		}
		// The placement objects carry the codes users write in configurations
		// (the az and area arguments); the label fields are display texts,
		// used only when an object is missing.
		out = append(out, postgresqlNodeModel{
			ID:               types.Int64Value(n.ID),
			Name:             nullIfEmpty(n.Name),
			Label:            nullIfEmpty(n.Label),
			Status:           nullIfEmpty(n.Status),
			IPAddress:        nullIfEmpty(n.IPAddress),
			CPU:              types.Int64Value(n.CPU),
			RAM:              types.Int64Value(n.RAM),
			Storage:          types.Int64Value(n.Storage),
			OSName:           nullIfEmpty(n.OSName),
			OSType:           nullIfEmpty(n.OSType),
			Area:             nullIfEmpty(cmp.Or(area, n.LabelArea)),
			AvailabilityZone: nullIfEmpty(cmp.Or(azID, n.LabelAvailabilityZone)),
			Region:           nullIfEmpty(cmp.Or(regionID, n.LabelRegion)),
			DataCenter:       nullIfEmpty(cmp.Or(dcID, regionDC, n.LabelDataCenter)),
			NetworkID:        networkID,
			CreationTime:     nullIfEmpty(n.CreationTime),
			FileSystems:      flattenFileSystems(n.StorageInformation),
		})
	}
	slices.SortStableFunc(out, func(a, b postgresqlNodeModel) int {
		return cmp.Or(cmp.Compare(a.Name.ValueString(), b.Name.ValueString()), cmp.Compare(a.ID.ValueInt64(), b.ID.ValueInt64()))
	})
	return out
}

// flattenFileSystems maps a node's storageInformation, sorted by mount
// point. The list is never nil: a node ITCare reports no file system for
// reads as [].
func flattenFileSystems(in *itcare.StorageInformation) []postgresqlNodeFileSystemModel {
	out := []postgresqlNodeFileSystemModel{}
	if in == nil {
		return out
	}
	for _, fs := range in.FileSystems {
		out = append(out, postgresqlNodeFileSystemModel{
			MountPoint: nullIfEmpty(fs.MountingPoint),
			Type:       nullIfEmpty(fs.Type),
			Size:       types.Int64Value(fs.SizeOf),
			Free:       types.Int64Value(fs.Free),
		})
	}
	slices.SortStableFunc(out, func(a, b postgresqlNodeFileSystemModel) int {
		return cmp.Compare(a.MountPoint.ValueString(), b.MountPoint.ValueString())
	})
	return out
}
