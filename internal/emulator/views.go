package emulator

import (
	"fmt"
	"strings"
)

// NetworkView is a network as GET …/{id}/networks shows it.
type NetworkView struct {
	Area                    string    `json:"area"`
	CIDR                    string    `json:"cidr"`
	Cloud                   string    `json:"cloud"`
	DefaultNetwork          bool      `json:"defaultNetwork"`
	Description             string    `json:"description"`
	DNS                     []DNSName `json:"dns"`
	Environment             string    `json:"environment"`
	Gateway                 string    `json:"gateway"`
	ID                      int64     `json:"id"`
	IPAddress               string    `json:"ipAddress"`
	IPFreeNumber            int       `json:"ipFreeNumber"`
	IsIPRangePublic         bool      `json:"isIpRangePublic"`
	Mask                    string    `json:"mask"`
	NetworkShortDescription string    `json:"networkShortDescription"`
	Region                  string    `json:"region"`
	Scope                   string    `json:"scope"`
	ShortDescription        string    `json:"shortDescription"`
	TechnicalID             string    `json:"technicalId"`
	UsedPercent             int       `json:"usedPercent"`
}

// DNSName is a DNS alias of an address.
type DNSName struct {
	Alias  string `json:"alias"`
	Domain string `json:"domain"`
}

// AvailabilityZone is a zone of an area.
type AvailabilityZone struct {
	AvailabilityZoneGroup string `json:"availabilityZoneGroup"`
	DatacenterID          string `json:"datacenterId"`
	DefaultZone           bool   `json:"defaultZone"`
	ID                    string `json:"id"`
	Location              string `json:"location"`
	Routable              bool   `json:"routable"`
}

// AreaView is an area with its zones.
type AreaView struct {
	AvailabilityZones []AvailabilityZone `json:"availabilityZones"`
	DefaultArea       bool               `json:"defaultArea"`
	ID                string             `json:"id"`
	Location          string             `json:"location"`
	Regulation        string             `json:"regulation"`
}

// RegionView is a region with its areas.
type RegionView struct {
	Areas      []AreaView `json:"areas"`
	DataCenter string     `json:"dataCenter"`
	ID         string     `json:"id"`
	Location   string     `json:"location"`
}

// NodeBackup is the backup summary of a node.
type NodeBackup struct {
	BackupSystem string  `json:"backupSystem"`
	FilesNb      int64   `json:"filesNb"`
	LastDate     *string `json:"lastDate"`
	Size         int64   `json:"size"`
	Type         string  `json:"type"`
}

// LoadBalancer is a load balancer a node is a member of.
type LoadBalancer struct {
	ID                int64  `json:"id"`
	MemberCount       int    `json:"memberCount"`
	MonitoringEnabled bool   `json:"monitoringEnabled"`
	Name              string `json:"name"`
	ServiceID         int64  `json:"serviceId"`
	Status            string `json:"status"`
}

// NodeReplication is the storage replication of a node.
type NodeReplication struct {
	NoStoRplExplanation     string `json:"noStoRplExplanation"`
	StorageClass            string `json:"storageClass"`
	StorageClassOverride    string `json:"storageClassOverride"`
	StorageMoveInProgress   bool   `json:"storageMoveInProgress"`
	StorageMoveTicket       string `json:"storageMoveTicket"`
	StorageReplicationClass string `json:"storageReplicationClass"`
}

// Snapshot is a VM snapshot.
type Snapshot struct {
	ChangeReference string  `json:"changeReference"`
	CreatedAt       string  `json:"createdAt"`
	CreatedBy       string  `json:"createdBy"`
	Description     string  `json:"description"`
	ExpiresAt       string  `json:"expiresAt"`
	ID              string  `json:"id"`
	Label           string  `json:"label"`
	RecoveredAt     *string `json:"recoveredAt"`
	SnapshotSize    int64   `json:"snapshotSize"`
}

// FileSystem is a mounted file system of a node.
type FileSystem struct {
	Free          int64  `json:"free"`
	MountingPoint string `json:"mountingPoint"`
	SizeOf        int64  `json:"sizeOf"`
	Type          string `json:"type"`
}

// StorageInformation sums up a node's disks.
type StorageInformation struct {
	FileSystems          []FileSystem `json:"fileSystems"`
	TotalSizeDisks       int64        `json:"totalSizeDisks"`
	TotalSizeFileSystems int64        `json:"totalSizeFileSystems"`
}

// Node is a VM of an instance as GET …/{id}/nodes shows it.
type Node struct {
	Area                            AreaView            `json:"area"`
	AuthenticationDomain            string              `json:"authenticationDomain"`
	AvailabilityZone                AvailabilityZone    `json:"availabilityZone"`
	Backup                          NodeBackup          `json:"backup"`
	BackupPolicyDetails             BackupPolicyDetails `json:"backupPolicyDetails"`
	BackupStatus                    bool                `json:"backupStatus"`
	Category                        string              `json:"category"`
	CloudID                         int64               `json:"cloudId"`
	CloudName                       string              `json:"cloudName"`
	Comment                         string              `json:"comment"`
	CPU                             int                 `json:"cpu"`
	CreationTime                    string              `json:"creationTime"`
	CreationUser                    string              `json:"creationUser"`
	EnableProfileBaseNtp            bool                `json:"enableProfileBaseNtp"`
	EnableProfileBaseResolve        bool                `json:"enableProfileBaseResolve"`
	EndOfSalesAt                    string              `json:"endOfSalesAt"`
	EndOfSupportAt                  string              `json:"endOfSupportAt"`
	Environment                     string              `json:"environment"`
	ExtendedSupportAt               string              `json:"extendedSupportAt"`
	Family                          string              `json:"family"`
	FirewallBlockIntraSubnetTraffic bool                `json:"firewallBlockIntraSubnetTraffic"`
	FirewallEnable                  bool                `json:"firewallEnable"`
	FirewallPurge                   bool                `json:"firewallPurge"`
	ID                              int64               `json:"id"`
	ImageCode                       string              `json:"imageCode"`
	InternalResourceID              int64               `json:"internalResourceId"`
	InternalType                    string              `json:"internalType"`
	IPAddress                       string              `json:"ipAddress"`
	IsExternalIngressNode           bool                `json:"isExternalIngressNode"`
	IsInternalIngressNode           bool                `json:"isInternalIngressNode"`
	IsMemberOFLoadBalancer          bool                `json:"isMemberOFLoadBalancer"`
	Label                           string              `json:"label"`
	LabelArea                       string              `json:"labelArea"`
	LabelAvailabilityZone           string              `json:"labelAvailabilityZone"`
	LabelDataCenter                 string              `json:"labelDataCenter"`
	LabelRegion                     string              `json:"labelRegion"`
	Loadbalancers                   []LoadBalancer      `json:"loadbalancers"`
	ManageSentinelOne               bool                `json:"manageSentinelOne"`
	MetrologyURL                    string              `json:"metrologyUrl"`
	MonitoringAlerting              bool                `json:"monitoringAlerting"`
	MonitoringEnabled               bool                `json:"monitoringEnabled"`
	MonitoringOnCallEnabled         bool                `json:"monitoringOnCallEnabled"`
	MonitoringRequested             bool                `json:"monitoringRequested"`
	Name                            string              `json:"name"`
	Network                         NetworkView         `json:"network"`
	NtpServers                      []string            `json:"ntpServers"`
	OSName                          string              `json:"osName"`
	OSType                          string              `json:"osType"`
	ParentResourceType              string              `json:"parentResourceType"`
	PatchParty                      PatchParty          `json:"patchParty"`
	Path                            string              `json:"path"`
	PrettyLabel                     string              `json:"prettyLabel"`
	ProductCode                     string              `json:"productCode"`
	ProductName                     string              `json:"productName"`
	ProductVersion                  string              `json:"productVersion"`
	RAM                             int                 `json:"ram"`
	Region                          RegionView          `json:"region"`
	RelayHost                       string              `json:"relayHost"`
	ReleasedAt                      string              `json:"releasedAt"`
	Replication                     NodeReplication     `json:"replication"`
	ReplicationStatus               bool                `json:"replicationStatus"`
	ResourceType                    string              `json:"resourceType"`
	ServiceID                       int64               `json:"serviceId"`
	ServiceKey                      string              `json:"serviceKey"`
	ServiceName                     string              `json:"serviceName"`
	Snapshot                        *Snapshot           `json:"snapshot"`
	Status                          string              `json:"status"`
	Storage                         int                 `json:"storage"`
	StorageInformation              StorageInformation  `json:"storageInformation"`
	StorageMoveInProgress           bool                `json:"storageMoveInProgress"`
	SupportPhase                    string              `json:"supportPhase"`
	Technology                      string              `json:"technology"`
	Type                            string              `json:"type"`
}

func (s *Server) networkViewLocked(inst *Instance) NetworkView {
	nw := s.networks[inst.NetworkID]
	v := s.plainNetworkViewLocked(nw)
	v.IPAddress = inst.IPAddress
	v.DNS = []DNSName{{Alias: inst.Name, Domain: urlDomain}}
	return v
}

func (s *Server) plainNetworkViewLocked(nw Network) NetworkView {
	total := cidrSize(nw.CIDR)
	used := s.nextIP[nw.ID] - 10
	if used < 0 {
		used = 0
	}
	pct := 0
	if total > 0 {
		pct = (used + 10) * 100 / total
	}
	return NetworkView{
		Area: nw.Area, CIDR: nw.CIDR, Cloud: "cegedim.cloud", Description: nw.Description,
		DNS: []DNSName{}, Environment: nw.Environment, Gateway: hostIP(nw.CIDR, 1), ID: nw.ID,
		IPFreeNumber: max(total-used-10, 0), Mask: cidrMask(nw.CIDR),
		NetworkShortDescription: fmt.Sprintf("%s %s", nw.Area, nw.CIDR), Region: nw.Region,
		Scope: "PRIVATE", ShortDescription: nw.Description,
		TechnicalID: fmt.Sprintf("vlan-%d", nw.ID), UsedPercent: pct,
	}
}

func (s *Server) areaViewLocked(a Area) AreaView {
	v := AreaView{DefaultArea: true, ID: a.ID, Location: a.Location, Regulation: a.Regulation}
	for i, z := range a.Zones {
		v.AvailabilityZones = append(v.AvailabilityZones, AvailabilityZone{
			AvailabilityZoneGroup: a.ID, DatacenterID: a.dataCenter(z), DefaultZone: i == 0,
			ID: z, Location: a.Location, Routable: true,
		})
	}
	if v.AvailabilityZones == nil {
		v.AvailabilityZones = []AvailabilityZone{}
	}
	return v
}

func (s *Server) nodeViewsLocked(inst *Instance) []Node {
	area := s.areas[inst.Area]
	av := s.areaViewLocked(area)
	nw := s.plainNetworkViewLocked(s.networks[inst.NetworkID])
	out := []Node{}
	for _, ns := range inst.Extra.Nodes {
		out = append(out, nodeView(inst, ns, area, av, nw))
	}
	return out
}

// nodeZone is a node's zone as its area's view shows it.
func nodeZone(area Area, av AreaView, zone string) AvailabilityZone {
	out := AvailabilityZone{ID: zone, AvailabilityZoneGroup: area.ID, DatacenterID: area.dataCenter(zone), Location: area.Location, Routable: true}
	for _, z := range av.AvailabilityZones {
		if z.ID == zone {
			out = z
		}
	}
	return out
}

// nodeStorage is a node's system disk and its data disk of the
// instance's storage, in GB. The data disk is 90% free, unless the
// instance's server reported the size of its databases (dataBytes, postgres
// backend): then its free space is what they leave, in whole GB.
func nodeStorage(storage, dataBytes int64) StorageInformation {
	free := storage * 9 / 10
	if dataBytes > 0 {
		free = max(storage-(dataBytes+gib-1)/gib, 0)
	}
	return StorageInformation{
		FileSystems: []FileSystem{
			{MountingPoint: "/", SizeOf: 20, Free: 14, Type: "ext4"},
			{MountingPoint: "/var/lib/postgresql", SizeOf: storage, Free: free, Type: "xfs"},
		},
		TotalSizeDisks: storage + 20, TotalSizeFileSystems: storage + 20,
	}
}

// nodeView is one VM of an instance, on network nw.
func nodeView(inst *Instance, ns NodeState, area Area, av AreaView, nw NetworkView) Node {
	netv := nw
	netv.IPAddress = ns.IP
	netv.DNS = []DNSName{{Alias: strings.ToLower(ns.Name), Domain: "node." + urlDomain}}
	dc := area.dataCenter(ns.Zone)
	return Node{
		Area:                 av,
		AuthenticationDomain: "cegedim.cloud",
		AvailabilityZone:     nodeZone(area, av, ns.Zone),
		Backup:               NodeBackup{BackupSystem: "NETWORKER", Type: "FILESYSTEM"},
		BackupPolicyDetails:  inst.clone().BackupPolicyDetails,
		BackupStatus:         inst.BackupStatus,
		Category:             "Instance",
		CloudID:              inst.CloudID,
		CloudName:            inst.CloudName,
		Comment:              ns.Role,
		CPU:                  inst.CPU,
		CreationTime:         inst.CreationTime,
		CreationUser:         inst.CreationUser,
		EnableProfileBaseNtp: true, EnableProfileBaseResolve: true,
		EndOfSalesAt:            "2029-06-30T00:00:00.000Z",
		EndOfSupportAt:          "2029-06-30T00:00:00.000Z",
		ExtendedSupportAt:       "2031-06-30T00:00:00.000Z",
		Environment:             inst.Environment,
		Family:                  "Debian",
		FirewallEnable:          true,
		ID:                      ns.ID,
		ImageCode:               "deb12-x64",
		InternalResourceID:      ns.ID,
		InternalType:            "VM",
		IPAddress:               ns.IP,
		Label:                   ns.Name,
		LabelArea:               area.ID,
		LabelAvailabilityZone:   ns.Zone,
		LabelDataCenter:         dc,
		LabelRegion:             area.Region,
		Loadbalancers:           []LoadBalancer{},
		ManageSentinelOne:       true,
		MetrologyURL:            "https://metrology.cegedim.cloud/d/linux?var-host=" + strings.ToLower(ns.Name),
		MonitoringAlerting:      inst.MonitoringAlerting,
		MonitoringEnabled:       inst.MonitoringEnabled,
		MonitoringOnCallEnabled: inst.MonitoringOnCallEnabled,
		MonitoringRequested:     inst.MonitoringRequested,
		Name:                    ns.Name,
		Network:                 netv,
		NtpServers:              []string{"ntp1.cegedim.cloud", "ntp2.cegedim.cloud"},
		OSName:                  "Debian 12",
		OSType:                  "LINUX",
		ParentResourceType:      resourceType,
		PatchParty:              inst.clone().PatchParty,
		Path:                    fmt.Sprintf("/compute/instances/%d", ns.ID),
		PrettyLabel:             fmt.Sprintf("%s (%s)", ns.Name, ns.Role),
		ProductCode:             "deb12",
		ProductName:             "Debian",
		ProductVersion:          "12.11",
		RAM:                     inst.RAM,
		Region:                  RegionView{Areas: []AreaView{av}, DataCenter: dc, ID: area.Region, Location: area.Location},
		RelayHost:               "smtp-relay.cegedim.cloud",
		ReleasedAt:              "2023-06-10T00:00:00.000Z",
		Replication:             NodeReplication{StorageClass: "STANDARD", StorageReplicationClass: "NONE", NoStoRplExplanation: "database-level replication"},
		ReplicationStatus:       inst.ReplicationStatus,
		ResourceType:            "instance",
		ServiceID:               inst.ServiceID,
		ServiceKey:              inst.ServiceKey,
		ServiceName:             inst.ServiceName,
		Status:                  inst.Status,
		Storage:                 inst.Storage,
		StorageInformation:      nodeStorage(int64(inst.Storage), inst.Extra.DataBytes),
		SupportPhase:            "STANDARD",
		Technology:              "Linux",
		Type:                    "Linux",
	}
}
