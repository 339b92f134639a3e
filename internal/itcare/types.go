package itcare

import "time"

// Action is the body of a 202 answer and of GET /itcare/actions/{id}.
type Action struct {
	ID            int64  `json:"id"`
	InternalID    int64  `json:"internalId,omitempty"`
	Status        string `json:"status"`
	Message       string `json:"message,omitempty"`
	Process       string `json:"process,omitempty"`
	Family        string `json:"family,omitempty"`
	ResourceName  string `json:"resourceName,omitempty"`
	ResourceType  string `json:"resourceType,omitempty"`
	SubmittedAt   *Time  `json:"submittedAt,omitempty"`
	SubmittedBy   string `json:"submittedBy,omitempty"`
	LastUpdatedAt *Time  `json:"lastUpdatedAt,omitempty"`
	CompletedAt   *Time  `json:"completedAt,omitempty"`
}

// Action statuses documented by the API. Other values may appear and are
// treated as "still running" by the waiter.
const (
	ActionStatusInProgress = "IN_PROGRESS"
	ActionStatusSuccess    = "SUCCESS"
	ActionStatusError      = "ERROR"
)

// ActionFilter holds the query parameters of GET /itcare/actions.
type ActionFilter struct {
	ResourceName string
	ResourceID   int64
	ServiceID    int64
	Statuses     []string
	RequestID    int64
}

// CreatePostgreSQLRequest is the body of POST /itcare/databases/postgresql.
// Pointers mark optional fields so that an unset field is not sent and
// ITCare applies its own default.
type CreatePostgreSQLRequest struct {
	Name                    string `json:"name"`
	Area                    string `json:"area"`
	NodeSizing              string `json:"nodeSizing"`
	DiskSize                int64  `json:"diskSize"`
	AdmPassword             string `json:"admPassword"`
	PostgreVersion          string `json:"postgreVersion"`
	ServiceID               int64  `json:"serviceId"`
	NetworkID               int64  `json:"networkId"`
	Topology                string `json:"topology"`
	Trigram                 string `json:"trigram"`
	AllowedReplicationLag   int64  `json:"allowedReplicationLag"`
	NodePrefix              string `json:"nodePrefix,omitempty"`
	AZ                      string `json:"az,omitempty"`
	TLS                     *bool  `json:"tls,omitempty"`
	BackupEnabled           *bool  `json:"backupEnabled,omitempty"`
	DBBackupPolicyID        string `json:"dbBackupPolicyId,omitempty"`
	ServerBackupPolicyID    string `json:"serverBackupPolicyId,omitempty"`
	NoBackupProdReason      string `json:"noBackupProdReason,omitempty"`
	NoMonitoringProdReason  string `json:"noMonitoringProdReason,omitempty"`
	NoReplicationProdReason string `json:"noReplicationProdReason,omitempty"`
	MonitoringEnabled       *bool  `json:"monitoringEnabled,omitempty"`
	MonitoringAlerting      *bool  `json:"monitoringAlerting,omitempty"`
	OnCallSupervision       *bool  `json:"onCallSupervision,omitempty"`
	ReplicationEnabled      *bool  `json:"replicationEnabled,omitempty"`
	CloudID                 *int64 `json:"cloudId,omitempty"`
	Platform                string `json:"platform,omitempty"`
	Region                  string `json:"region,omitempty"`
	Regulation              string `json:"regulation,omitempty"`
	Prefix                  string `json:"prefix,omitempty"`
}

// PostgreSQL is the read model of GET /itcare/databases/postgresql/{id}.
type PostgreSQL struct {
	ID                      int64                `json:"id"`
	Name                    string               `json:"name"`
	Label                   string               `json:"label,omitempty"`
	PrettyLabel             string               `json:"prettyLabel,omitempty"`
	Status                  string               `json:"status,omitempty"`
	Area                    string               `json:"area,omitempty"`
	Environment             string               `json:"environment,omitempty"`
	ServiceID               int64                `json:"serviceId,omitempty"`
	ServiceKey              string               `json:"serviceKey,omitempty"`
	ServiceName             string               `json:"serviceName,omitempty"`
	NetworkID               int64                `json:"networkId,omitempty"`
	IPAddress               string               `json:"ipAddress,omitempty"`
	URL                     string               `json:"url,omitempty"`
	Version                 string               `json:"version,omitempty"`
	ProductVersion          string               `json:"productVersion,omitempty"`
	ProductName             string               `json:"productName,omitempty"`
	ProductCode             string               `json:"productCode,omitempty"`
	NodeSizing              string               `json:"nodeSizing,omitempty"`
	CPU                     int64                `json:"cpu,omitempty"`
	RAM                     int64                `json:"ram,omitempty"`
	Storage                 int64                `json:"storage,omitempty"`
	NodeCount               int64                `json:"nodeCount,omitempty"`
	InstanceCount           int64                `json:"instanceCount,omitempty"`
	Topology                string               `json:"topology,omitempty"`
	TLSEnabled              bool                 `json:"tlsEnabled"`
	AllowedReplicationLag   int64                `json:"allowedReplicationLag,omitempty"`
	Trigram                 string               `json:"trigram,omitempty"`
	ReplicationStatus       bool                 `json:"replicationStatus"`
	BackupStatus            bool                 `json:"backupStatus"`
	BackupPolicyDetails     *BackupPolicyDetails `json:"backupPolicyDetails,omitempty"`
	MonitoringEnabled       bool                 `json:"monitoringEnabled"`
	MonitoringAlerting      bool                 `json:"monitoringAlerting"`
	MonitoringOnCallEnabled bool                 `json:"monitoringOnCallEnabled"`
	MonitoringRequested     bool                 `json:"monitoringRequested"`
	AllowMonitoringDisplay  bool                 `json:"allowMonitoringDisplay"`
	MetrologyURL            string               `json:"metrologyUrl,omitempty"`
	PatchParty              *PatchParty          `json:"patchParty,omitempty"`
	CreationTime            string               `json:"creationTime,omitempty"`
	CreationUser            string               `json:"creationUser,omitempty"`
	Comment                 string               `json:"comment,omitempty"`
	Category                string               `json:"category,omitempty"`
	Family                  string               `json:"family,omitempty"`
	Type                    string               `json:"type,omitempty"`
	Technology              string               `json:"technology,omitempty"`
	InternalType            string               `json:"internalType,omitempty"`
	InternalResourceID      int64                `json:"internalResourceId,omitempty"`
	ResourceType            string               `json:"resourceType,omitempty"`
	Path                    string               `json:"path,omitempty"`
	CloudID                 int64                `json:"cloudId,omitempty"`
	CloudName               string               `json:"cloudName,omitempty"`
	ReleasedAt              *Time                `json:"releasedAt,omitempty"`
	EndOfSalesAt            *Time                `json:"endOfSalesAt,omitempty"`
	EndOfSupportAt          *Time                `json:"endOfSupportAt,omitempty"`
	ExtendedSupportAt       *Time                `json:"extendedSupportAt,omitempty"`
	SupportPhase            string               `json:"supportPhase,omitempty"`
}

// BackupPolicyDetails lists an instance's backups and backup policies.
type BackupPolicyDetails struct {
	Backups  []Backup       `json:"backups,omitempty"`
	Policies []BackupPolicy `json:"policies,omitempty"`
}

// Backup is one backup of an instance or node.
type Backup struct {
	BackupLastDate *Time  `json:"backupLastDate,omitempty"`
	BackupSize     int64  `json:"backupSize,omitempty"`
	ID             int64  `json:"id,omitempty"`
	Type           string `json:"type,omitempty"`
}

// BackupPolicy is one backup policy applied to an instance or node.
type BackupPolicy struct {
	BackupLastDate  *Time          `json:"backupLastDate,omitempty"`
	BackupSize      int64          `json:"backupSize,omitempty"`
	DurationInHours int64          `json:"durationInHours,omitempty"`
	Frequencies     map[string]any `json:"frequencies,omitempty"`
	Label           string         `json:"label,omitempty"`
	Name            string         `json:"name,omitempty"`
	PolicyID        string         `json:"policyId,omitempty"`
	Replication     bool           `json:"replication"`
	Scope           string         `json:"scope,omitempty"`
	StartTime       string         `json:"startTime,omitempty"`
	Timezone        string         `json:"timezone,omitempty"`
	Type            string         `json:"type,omitempty"`
}

// PatchParty is the patch-party membership of an instance or node.
type PatchParty struct {
	Excluded        bool   `json:"excluded"`
	ExcludedBy      string `json:"excludedBy,omitempty"`
	ExclusionDate   *Time  `json:"exclusionDate,omitempty"`
	ExclusionReason string `json:"exclusionReason,omitempty"`
	ID              int64  `json:"id,omitempty"`
	Name            string `json:"name,omitempty"`
	PatchDate       *Time  `json:"patchDate,omitempty"`
	PatchGroup      string `json:"patchGroup,omitempty"`
	PatchTag        string `json:"patchTag,omitempty"`
}

// Database is one item of GET …/{id}/databases.
type Database struct {
	Name       string              `json:"name"`
	Extensions []DatabaseExtension `json:"extensions"`
}

// DatabaseExtension is an extension installed in a database.
type DatabaseExtension struct {
	Name    string `json:"name"`
	Schema  string `json:"schema,omitempty"`
	Version string `json:"version,omitempty"`
}

// Extension is one item of GET …/{id}/extensions: an extension the
// instance can install.
type Extension struct {
	Name               string `json:"name"`
	Version            string `json:"version,omitempty"`
	Comment            string `json:"comment,omitempty"`
	Link               string `json:"link,omitempty"`
	RequiresRestarting bool   `json:"requiresRestarting"`
}

// Network is one item of GET …/{id}/networks, and a node's network.
type Network struct {
	ID                      int64   `json:"id"`
	Area                    string  `json:"area,omitempty"`
	CIDR                    string  `json:"cidr,omitempty"`
	Cloud                   string  `json:"cloud,omitempty"`
	DefaultNetwork          bool    `json:"defaultNetwork"`
	Description             string  `json:"description,omitempty"`
	DNS                     []DNS   `json:"dns,omitempty"`
	Environment             string  `json:"environment,omitempty"`
	Gateway                 string  `json:"gateway,omitempty"`
	IPAddress               string  `json:"ipAddress,omitempty"`
	IPFreeNumber            int64   `json:"ipFreeNumber,omitempty"`
	IsIPRangePublic         bool    `json:"isIpRangePublic"`
	Mask                    string  `json:"mask,omitempty"`
	NetworkShortDescription string  `json:"networkShortDescription,omitempty"`
	Region                  string  `json:"region,omitempty"`
	Scope                   string  `json:"scope,omitempty"`
	ShortDescription        string  `json:"shortDescription,omitempty"`
	TechnicalID             string  `json:"technicalId,omitempty"`
	UsedPercent             float64 `json:"usedPercent,omitempty"`
}

// DNS is a DNS alias of a network.
type DNS struct {
	Alias  string `json:"alias,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// AvailabilityZone describes one availability zone.
type AvailabilityZone struct {
	AvailabilityZoneGroup string `json:"availabilityZoneGroup,omitempty"`
	DatacenterID          string `json:"datacenterId,omitempty"`
	DefaultZone           bool   `json:"defaultZone"`
	ID                    string `json:"id,omitempty"`
	Location              string `json:"location,omitempty"`
	Routable              bool   `json:"routable"`
}

// Area describes one area of a region.
type Area struct {
	AvailabilityZones []AvailabilityZone `json:"availabilityZones,omitempty"`
	DefaultArea       bool               `json:"defaultArea"`
	ID                string             `json:"id,omitempty"`
	Location          string             `json:"location,omitempty"`
	Regulation        string             `json:"regulation,omitempty"`
}

// Region describes the region of a node.
type Region struct {
	Areas      []Area `json:"areas,omitempty"`
	DataCenter string `json:"dataCenter,omitempty"`
	ID         string `json:"id,omitempty"`
	Location   string `json:"location,omitempty"`
}

// NodeBackup is the backup summary of a node.
type NodeBackup struct {
	BackupSystem string `json:"backupSystem,omitempty"`
	FilesNb      int64  `json:"filesNb,omitempty"`
	LastDate     *Time  `json:"lastDate,omitempty"`
	Size         int64  `json:"size,omitempty"`
	Type         string `json:"type,omitempty"`
}

// LoadBalancer is a load balancer a node belongs to.
type LoadBalancer struct {
	ID                int64  `json:"id,omitempty"`
	MemberCount       int64  `json:"memberCount,omitempty"`
	MonitoringEnabled bool   `json:"monitoringEnabled"`
	Name              string `json:"name,omitempty"`
	ServiceID         int64  `json:"serviceId,omitempty"`
	Status            string `json:"status,omitempty"`
}

// Replication is the storage replication of a node.
type Replication struct {
	NoStoRplExplanation     string `json:"noStoRplExplanation,omitempty"`
	StorageClass            string `json:"storageClass,omitempty"`
	StorageClassOverride    string `json:"storageClassOverride,omitempty"`
	StorageMoveInProgress   bool   `json:"storageMoveInProgress"`
	StorageMoveTicket       string `json:"storageMoveTicket,omitempty"`
	StorageReplicationClass string `json:"storageReplicationClass,omitempty"`
}

// Snapshot is the latest snapshot of a node.
type Snapshot struct {
	ChangeReference string `json:"changeReference,omitempty"`
	CreatedAt       *Time  `json:"createdAt,omitempty"`
	CreatedBy       string `json:"createdBy,omitempty"`
	Description     string `json:"description,omitempty"`
	ExpiresAt       *Time  `json:"expiresAt,omitempty"`
	ID              string `json:"id,omitempty"`
	Label           string `json:"label,omitempty"`
	RecoveredAt     *Time  `json:"recoveredAt,omitempty"`
	SnapshotSize    int64  `json:"snapshotSize,omitempty"`
}

// FileSystem is one file system of a node.
type FileSystem struct {
	Free          int64  `json:"free,omitempty"`
	MountingPoint string `json:"mountingPoint,omitempty"`
	SizeOf        int64  `json:"sizeOf,omitempty"`
	Type          string `json:"type,omitempty"`
}

// StorageInformation is the storage summary of a node.
type StorageInformation struct {
	FileSystems          []FileSystem `json:"fileSystems,omitempty"`
	TotalSizeDisks       int64        `json:"totalSizeDisks,omitempty"`
	TotalSizeFileSystems int64        `json:"totalSizeFileSystems,omitempty"`
}

// Node is one item of GET …/{id}/nodes: a VM of the instance.
type Node struct {
	Area                            *Area                `json:"area,omitempty"`
	AuthenticationDomain            string               `json:"authenticationDomain,omitempty"`
	AvailabilityZone                *AvailabilityZone    `json:"availabilityZone,omitempty"`
	Backup                          *NodeBackup          `json:"backup,omitempty"`
	BackupPolicyDetails             *BackupPolicyDetails `json:"backupPolicyDetails,omitempty"`
	BackupStatus                    bool                 `json:"backupStatus"`
	Category                        string               `json:"category,omitempty"`
	CloudID                         int64                `json:"cloudId,omitempty"`
	CloudName                       string               `json:"cloudName,omitempty"`
	Comment                         string               `json:"comment,omitempty"`
	CPU                             int64                `json:"cpu,omitempty"`
	CreationTime                    string               `json:"creationTime,omitempty"`
	CreationUser                    string               `json:"creationUser,omitempty"`
	EnableProfileBaseNtp            bool                 `json:"enableProfileBaseNtp"`
	EnableProfileBaseResolve        bool                 `json:"enableProfileBaseResolve"`
	EndOfSalesAt                    *Time                `json:"endOfSalesAt,omitempty"`
	EndOfSupportAt                  *Time                `json:"endOfSupportAt,omitempty"`
	Environment                     string               `json:"environment,omitempty"`
	ExtendedSupportAt               *Time                `json:"extendedSupportAt,omitempty"`
	Family                          string               `json:"family,omitempty"`
	FirewallBlockIntraSubnetTraffic bool                 `json:"firewallBlockIntraSubnetTraffic"`
	FirewallEnable                  bool                 `json:"firewallEnable"`
	FirewallPurge                   bool                 `json:"firewallPurge"`
	ID                              int64                `json:"id"`
	ImageCode                       string               `json:"imageCode,omitempty"`
	InternalResourceID              int64                `json:"internalResourceId,omitempty"`
	InternalType                    string               `json:"internalType,omitempty"`
	IPAddress                       string               `json:"ipAddress,omitempty"`
	IsExternalIngressNode           bool                 `json:"isExternalIngressNode"`
	IsInternalIngressNode           bool                 `json:"isInternalIngressNode"`
	IsMemberOFLoadBalancer          bool                 `json:"isMemberOFLoadBalancer"`
	Label                           string               `json:"label,omitempty"`
	LabelArea                       string               `json:"labelArea,omitempty"`
	LabelAvailabilityZone           string               `json:"labelAvailabilityZone,omitempty"`
	LabelDataCenter                 string               `json:"labelDataCenter,omitempty"`
	LabelRegion                     string               `json:"labelRegion,omitempty"`
	LoadBalancers                   []LoadBalancer       `json:"loadbalancers,omitempty"`
	ManageSentinelOne               bool                 `json:"manageSentinelOne"`
	MetrologyURL                    string               `json:"metrologyUrl,omitempty"`
	MonitoringAlerting              bool                 `json:"monitoringAlerting"`
	MonitoringEnabled               bool                 `json:"monitoringEnabled"`
	MonitoringOnCallEnabled         bool                 `json:"monitoringOnCallEnabled"`
	MonitoringRequested             bool                 `json:"monitoringRequested"`
	Name                            string               `json:"name,omitempty"`
	Network                         *Network             `json:"network,omitempty"`
	NTPServers                      []string             `json:"ntpServers,omitempty"`
	OSName                          string               `json:"osName,omitempty"`
	OSType                          string               `json:"osType,omitempty"`
	ParentResourceType              string               `json:"parentResourceType,omitempty"`
	PatchParty                      *PatchParty          `json:"patchParty,omitempty"`
	Path                            string               `json:"path,omitempty"`
	PrettyLabel                     string               `json:"prettyLabel,omitempty"`
	ProductCode                     string               `json:"productCode,omitempty"`
	ProductName                     string               `json:"productName,omitempty"`
	ProductVersion                  string               `json:"productVersion,omitempty"`
	RAM                             int64                `json:"ram,omitempty"`
	Region                          *Region              `json:"region,omitempty"`
	RelayHost                       string               `json:"relayHost,omitempty"`
	ReleasedAt                      *Time                `json:"releasedAt,omitempty"`
	Replication                     *Replication         `json:"replication,omitempty"`
	ReplicationStatus               bool                 `json:"replicationStatus"`
	ResourceType                    string               `json:"resourceType,omitempty"`
	ServiceID                       int64                `json:"serviceId,omitempty"`
	ServiceKey                      string               `json:"serviceKey,omitempty"`
	ServiceName                     string               `json:"serviceName,omitempty"`
	Snapshot                        *Snapshot            `json:"snapshot,omitempty"`
	Status                          string               `json:"status,omitempty"`
	Storage                         int64                `json:"storage,omitempty"`
	StorageInformation              *StorageInformation  `json:"storageInformation,omitempty"`
	StorageMoveInProgress           bool                 `json:"storageMoveInProgress"`
	SupportPhase                    string               `json:"supportPhase,omitempty"`
	Technology                      string               `json:"technology,omitempty"`
	Type                            string               `json:"type,omitempty"`
}

// Operation names of PATCH /itcare/databases/postgresql/{id}.
const (
	OpStart            = "start"
	OpStop             = "stop"
	OpResize           = "resize"
	OpRestore          = "restore"
	OpEnableHA         = "enable_ha"
	OpUpdateMonitoring = "update_monitoring"
	OpUpdatePatchParty = "update_patch_party"
	OpInstallExtension = "install_extension"
	OpUpgrade          = "upgrade"
)

// Operation is the body of PATCH /itcare/databases/postgresql/{id}.
// Options is one of the *Options types below, or nil.
type Operation struct {
	Operation string `json:"operation"`
	Options   any    `json:"options,omitempty"`
}

// ResizeOptions are the options of the resize operation.
type ResizeOptions struct {
	Sizing string `json:"sizing"`
}

// RestoreOptions are the options of the restore operation.
type RestoreOptions struct {
	SourceID  int64  `json:"sourceId"`
	Stop      string `json:"stop"`
	Timestamp string `json:"timestamp"`
}

// EnableHAOptions are the options of the enable_ha operation.
type EnableHAOptions struct {
	ReplicationLag  int64  `json:"replicationLag"`
	ChangeReference string `json:"changeReference,omitempty"`
}

// MonitoringOptions are the options of the update_monitoring operation.
type MonitoringOptions struct {
	State  bool `json:"state"`
	OnCall bool `json:"on_call"`
}

// PatchPartyOptions are the options of the update_patch_party operation.
type PatchPartyOptions struct {
	PatchParty PatchPartyUpdate `json:"patchParty"`
}

// PatchPartyUpdate is the patch party requested by update_patch_party.
type PatchPartyUpdate struct {
	Excluded        bool   `json:"excluded"`
	PatchGroup      string `json:"patchGroup,omitempty"`
	ExclusionReason string `json:"exclusionReason,omitempty"`
}

// InstallExtensionOptions are the options of the install_extension operation.
type InstallExtensionOptions struct {
	DBName         string          `json:"dbname"`
	ExtensionsList []ExtensionName `json:"extensions_list"`
}

// ExtensionName names one extension to install.
type ExtensionName struct {
	Name string `json:"name"`
}

// UpgradeOptions are the options of the upgrade operation.
type UpgradeOptions struct {
	TargetVersion   string `json:"targetVersion"`
	ChangeReference string `json:"changeReference,omitempty"`
}

// Time is a date-time of the API. It accepts the forms the API is known to
// send ("Z", "+hhmm" and "+hh:mm" offsets, with or without fractional
// seconds) and marshals as RFC 3339 with milliseconds.
type Time struct {
	time.Time
}
