package emulator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Instance statuses.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusStopped  = "STOPPED"
	StatusDeleting = "DELETING"
	StatusError    = "ERROR"
)

// Action statuses.
const (
	ActionInProgress = "IN_PROGRESS"
	ActionSuccess    = "SUCCESS"
	ActionError      = "ERROR"
)

// Instance is the read model of GET /itcare/databases/postgresql/{id}. The
// JSON tags are the API's field names; Extra holds what the API takes on
// create but never reads back.
type Instance struct {
	AllowMonitoringDisplay  bool                `json:"allowMonitoringDisplay"`
	AllowedReplicationLag   int                 `json:"allowedReplicationLag"`
	Area                    string              `json:"area"`
	BackupPolicyDetails     BackupPolicyDetails `json:"backupPolicyDetails"`
	BackupStatus            bool                `json:"backupStatus"`
	Category                string              `json:"category"`
	CloudID                 int64               `json:"cloudId"`
	CloudName               string              `json:"cloudName"`
	Comment                 string              `json:"comment"`
	CPU                     int                 `json:"cpu"`
	CreationTime            string              `json:"creationTime"`
	CreationUser            string              `json:"creationUser"`
	EndOfSalesAt            string              `json:"endOfSalesAt"`
	EndOfSupportAt          string              `json:"endOfSupportAt"`
	Environment             string              `json:"environment"`
	ExtendedSupportAt       string              `json:"extendedSupportAt"`
	Family                  string              `json:"family"`
	ID                      int64               `json:"id"`
	InstanceCount           int                 `json:"instanceCount"`
	InternalResourceID      int64               `json:"internalResourceId"`
	InternalType            string              `json:"internalType"`
	IPAddress               string              `json:"ipAddress"`
	Label                   string              `json:"label"`
	MetrologyURL            string              `json:"metrologyUrl"`
	MonitoringAlerting      bool                `json:"monitoringAlerting"`
	MonitoringEnabled       bool                `json:"monitoringEnabled"`
	MonitoringOnCallEnabled bool                `json:"monitoringOnCallEnabled"`
	MonitoringRequested     bool                `json:"monitoringRequested"`
	Name                    string              `json:"name"`
	NetworkID               int64               `json:"networkId"`
	NodeCount               int                 `json:"nodeCount"`
	NodeSizing              string              `json:"nodeSizing"`
	PatchParty              PatchParty          `json:"patchParty"`
	Path                    string              `json:"path"`
	PrettyLabel             string              `json:"prettyLabel"`
	ProductCode             string              `json:"productCode"`
	ProductName             string              `json:"productName"`
	ProductVersion          string              `json:"productVersion"`
	RAM                     int                 `json:"ram"`
	ReleasedAt              string              `json:"releasedAt"`
	ReplicationStatus       bool                `json:"replicationStatus"`
	ResourceType            string              `json:"resourceType"`
	ServiceID               int64               `json:"serviceId"`
	ServiceKey              string              `json:"serviceKey"`
	ServiceName             string              `json:"serviceName"`
	Status                  string              `json:"status"`
	Storage                 int                 `json:"storage"`
	SupportPhase            string              `json:"supportPhase"`
	Technology              string              `json:"technology"`
	TLSEnabled              bool                `json:"tlsEnabled"`
	Topology                string              `json:"topology"`
	Trigram                 string              `json:"trigram"`
	Type                    string              `json:"type"`
	URL                     string              `json:"url"`
	Version                 string              `json:"version"`

	Extra InstanceExtra `json:"-"`
}

// InstanceExtra is the part of an instance that the read model does not
// show: create-only fields, the databases and the nodes.
type InstanceExtra struct {
	AZ                      string `json:"az,omitempty"`
	NodePrefix              string `json:"nodePrefix,omitempty"`
	DiskSize                int    `json:"diskSize"`
	DBBackupPolicyID        string `json:"dbBackupPolicyId,omitempty"`
	ServerBackupPolicyID    string `json:"serverBackupPolicyId,omitempty"`
	NoBackupProdReason      string `json:"noBackupProdReason,omitempty"`
	NoMonitoringProdReason  string `json:"noMonitoringProdReason,omitempty"`
	NoReplicationProdReason string `json:"noReplicationProdReason,omitempty"`
	Platform                string `json:"platform,omitempty"`
	Region                  string `json:"region,omitempty"`
	Regulation              string `json:"regulation,omitempty"`
	Prefix                  string `json:"prefix,omitempty"`
	// DataBytes is the size of the databases as the instance's server last
	// reported it (postgres backend); 0 when it has no server.
	DataBytes int64       `json:"dataBytes,omitempty"`
	Databases []Database  `json:"databases"`
	Nodes     []NodeState `json:"nodes"`
}

// NodeState is what the emulator keeps about one VM of an instance; the
// node read model is derived from it and from the instance.
type NodeState struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	IP   string `json:"ip"`
	Zone string `json:"zone"`
	Role string `json:"role"`
}

// PatchParty is the patch party plan of an instance. Unset values are null
// on the wire, as a Spring API writes them.
type PatchParty struct {
	Excluded        bool    `json:"excluded"`
	ExcludedBy      *string `json:"excludedBy"`
	ExclusionDate   *string `json:"exclusionDate"`
	ExclusionReason *string `json:"exclusionReason"`
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	PatchDate       string  `json:"patchDate"`
	PatchGroup      *string `json:"patchGroup"`
	PatchTag        string  `json:"patchTag"`
}

// BackupPolicyDetails lists the backups and backup policies of a resource.
type BackupPolicyDetails struct {
	Backups  []Backup       `json:"backups"`
	Policies []BackupPolicy `json:"policies"`
}

// Backup is one backup of a resource.
type Backup struct {
	BackupLastDate *string `json:"backupLastDate"`
	BackupSize     int64   `json:"backupSize"`
	ID             int64   `json:"id"`
	Type           string  `json:"type"`
}

// BackupPolicy is one backup policy applied to a resource.
type BackupPolicy struct {
	BackupLastDate  *string        `json:"backupLastDate"`
	BackupSize      int64          `json:"backupSize"`
	DurationInHours int            `json:"durationInHours"`
	Frequencies     map[string]any `json:"frequencies"`
	Label           string         `json:"label"`
	Name            string         `json:"name"`
	PolicyID        string         `json:"policyId"`
	Replication     bool           `json:"replication"`
	Scope           string         `json:"scope"`
	StartTime       string         `json:"startTime"`
	Timezone        string         `json:"timezone"`
	Type            string         `json:"type"`
}

// Database is one database of an instance, as GET …/{id}/databases shows it.
type Database struct {
	Extensions []DatabaseExtension `json:"extensions"`
	Name       string              `json:"name"`
}

// DatabaseExtension is an extension installed in a database.
type DatabaseExtension struct {
	Name    string `json:"name"`
	Schema  string `json:"schema"`
	Version string `json:"version"`
}

// Extension is an extension available on an instance.
type Extension struct {
	Comment            string `json:"comment"`
	Link               string `json:"link"`
	Name               string `json:"name"`
	RequiresRestarting bool   `json:"requiresRestarting"`
	Version            string `json:"version"`
}

// Action is the object a write answers with and GET /itcare/actions/{id}
// returns. FirstSeenCompletedAt is emulator bookkeeping, shown only by the
// admin API.
type Action struct {
	ID                   int64
	InternalID           int64
	Status               string
	Message              string
	Process              string
	Family               string
	ResourceName         string
	ResourceType         string
	SubmittedAt          time.Time
	SubmittedBy          string
	LastUpdatedAt        time.Time
	CompletedAt          *time.Time
	FirstSeenCompletedAt *time.Time
}

type actionWire struct {
	Family               string  `json:"family"`
	ID                   int64   `json:"id"`
	InternalID           *int64  `json:"internalId,omitempty"`
	LastUpdatedAt        string  `json:"lastUpdatedAt"`
	Message              string  `json:"message"`
	Process              string  `json:"process"`
	ResourceName         string  `json:"resourceName"`
	ResourceType         string  `json:"resourceType"`
	Status               string  `json:"status"`
	SubmittedAt          string  `json:"submittedAt"`
	SubmittedBy          string  `json:"submittedBy"`
	CompletedAt          *string `json:"completedAt"`
	FirstSeenCompletedAt *string `json:"firstSeenCompletedAt,omitempty"`
}

// MarshalJSON writes dates with millisecond precision and a Z zone, as the
// documented samples show them.
func (a Action) MarshalJSON() ([]byte, error) { return json.Marshal(a.wire()) }

// wire is the action as JSON shows it; internalId is a pointer so that an
// answer can leave it out (see Compat.actionView).
func (a Action) wire() actionWire {
	internalID := a.InternalID
	w := actionWire{
		Family: a.Family, ID: a.ID, InternalID: &internalID,
		LastUpdatedAt: fmtTime(a.LastUpdatedAt), Message: a.Message, Process: a.Process,
		ResourceName: a.ResourceName, ResourceType: a.ResourceType, Status: a.Status,
		SubmittedAt: fmtTime(a.SubmittedAt), SubmittedBy: a.SubmittedBy,
	}
	if a.CompletedAt != nil {
		s := fmtTime(*a.CompletedAt)
		w.CompletedAt = &s
	}
	if a.FirstSeenCompletedAt != nil {
		s := fmtTime(*a.FirstSeenCompletedAt)
		w.FirstSeenCompletedAt = &s
	}
	return w
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Action) UnmarshalJSON(b []byte) error {
	var w actionWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = Action{
		ID: w.ID, Status: w.Status, Message: w.Message,
		Process: w.Process, Family: w.Family, ResourceName: w.ResourceName,
		ResourceType: w.ResourceType, SubmittedBy: w.SubmittedBy,
	}
	if w.InternalID != nil {
		a.InternalID = *w.InternalID
	}
	var err error
	if a.SubmittedAt, err = parseAPITime(w.SubmittedAt); err != nil {
		return err
	}
	if a.LastUpdatedAt, err = parseAPITime(w.LastUpdatedAt); err != nil {
		return err
	}
	for _, p := range []struct {
		in  *string
		out **time.Time
	}{{w.CompletedAt, &a.CompletedAt}, {w.FirstSeenCompletedAt, &a.FirstSeenCompletedAt}} {
		if p.in == nil {
			continue
		}
		t, err := parseAPITime(*p.in)
		if err != nil {
			return err
		}
		*p.out = &t
	}
	return nil
}

// Service is an ITCare service (the owner of resources).
type Service struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Environment string `json:"environment"`
	Key         string `json:"key"`
}

// Network is a network of the catalogue.
type Network struct {
	ID          int64  `json:"id"`
	Area        string `json:"area"`
	CIDR        string `json:"cidr"`
	Region      string `json:"region"`
	Environment string `json:"environment"`
	Description string `json:"description"`
}

// Area is an area of a region with its availability zones.
type Area struct {
	ID         string   `json:"id"`
	Region     string   `json:"region"`
	Location   string   `json:"location"`
	Regulation string   `json:"regulation"`
	Zones      []string `json:"zones"`
	// DataCenters gives the data centre of each zone, in the order of Zones.
	DataCenters []string `json:"dataCenters"`
}

const (
	apiTimeLayout = "2006-01-02T15:04:05.000Z"
	family        = "PostgreSQL"
	resourceType  = "postgresql"
	urlDomain     = "pg.cegedim.cloud"
)

func fmtTime(t time.Time) string { return t.UTC().Format(apiTimeLayout) }

func strPtr(s string) *string { return &s }

// parseAPITime reads the date forms the docs show: a Z zone, +hhmm and
// +hh:mm offsets, with or without fractional seconds.
func parseAPITime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date-time with a zone (e.g. 2022-11-02T09:32:02.000+00:00)", s)
}

// setVersion keeps every field derived from the major version consistent.
func (in *Instance) setVersion(major int) {
	mi := majors[major]
	in.Version = strconv.Itoa(major)
	in.ProductVersion = mi.minor
	in.ProductCode = fmt.Sprintf("deb12pg%d", major)
	in.ProductName = "PostgreSQL " + in.Version
	in.ReleasedAt = dateAt(mi.releasedAt)
	in.EndOfSalesAt = dateAt(mi.endOfSales)
	in.EndOfSupportAt = dateAt(mi.endOfSupport)
	in.ExtendedSupportAt = dateAt(mi.extended)
	in.SupportPhase = "STANDARD"
}

func (in *Instance) major() int {
	n, _ := strconv.Atoi(in.Version)
	return n
}

// parseSizing reads "<n>cpu<m>gb".
func parseSizing(s string) (cpu, ram int, ok bool) {
	if !sizingRe.MatchString(s) {
		return 0, 0, false
	}
	i := strings.Index(s, "cpu")
	cpu, err1 := strconv.Atoi(s[:i])
	ram, err2 := strconv.Atoi(strings.TrimSuffix(s[i+3:], "gb"))
	return cpu, ram, err1 == nil && err2 == nil
}

func (in *Instance) setSizing(s string) {
	cpu, ram, ok := parseSizing(s)
	if !ok {
		return
	}
	in.NodeSizing, in.CPU, in.RAM = s, cpu, ram
}

// setTopology keeps node and instance counts in line with the topology.
func (in *Instance) setTopology(t string) {
	in.Topology = t
	in.NodeCount = 1
	if t == "HA" {
		in.NodeCount = 3
	}
	in.InstanceCount = in.NodeCount
}

// nextPatchParty returns the patch party of the quarter after now: the QA
// party on the second Thursday of the quarter's second month, the
// production party three and a half weeks later on a Sunday.
func nextPatchParty(now time.Time, production bool) (date time.Time, tag string, id int64) {
	now = now.UTC()
	q := (int(now.Month())-1)/3 + 1
	year := now.Year()
	q++
	if q == 5 {
		q, year = 1, year+1
	}
	month := time.Month(3*(q-1) + 2)
	d := time.Date(year, month, 1, 9, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Thursday {
		d = d.AddDate(0, 0, 1)
	}
	d = d.AddDate(0, 0, 7)
	id = int64(year*10 + q)
	if production {
		d = d.AddDate(0, 0, 24).Add(-3 * time.Hour)
		id = id*10 + 2
	} else {
		id = id*10 + 1
	}
	return d, fmt.Sprintf("%d-Q%d", year, q), id
}

func cloneDatabases(in []Database) []Database {
	out := make([]Database, len(in))
	for i, d := range in {
		out[i] = Database{Name: d.Name, Extensions: append([]DatabaseExtension{}, d.Extensions...)}
	}
	return out
}

func cloneStrPtr(p *string) *string {
	if p == nil {
		return nil
	}
	s := *p
	return &s
}

// clone returns a deep copy, so callers never share state with the server.
func (in Instance) clone() Instance {
	out := in
	pp := in.PatchParty
	pp.ExcludedBy, pp.ExclusionDate = cloneStrPtr(pp.ExcludedBy), cloneStrPtr(pp.ExclusionDate)
	pp.ExclusionReason, pp.PatchGroup = cloneStrPtr(pp.ExclusionReason), cloneStrPtr(pp.PatchGroup)
	out.PatchParty = pp
	out.BackupPolicyDetails = BackupPolicyDetails{Backups: []Backup{}}
	for _, b := range in.BackupPolicyDetails.Backups {
		b.BackupLastDate = cloneStrPtr(b.BackupLastDate)
		out.BackupPolicyDetails.Backups = append(out.BackupPolicyDetails.Backups, b)
	}
	for _, p := range in.BackupPolicyDetails.Policies {
		p.BackupLastDate = cloneStrPtr(p.BackupLastDate)
		freq := make(map[string]any, len(p.Frequencies))
		for k, v := range p.Frequencies {
			freq[k] = v
		}
		p.Frequencies = freq
		out.BackupPolicyDetails.Policies = append(out.BackupPolicyDetails.Policies, p)
	}
	if out.BackupPolicyDetails.Policies == nil {
		out.BackupPolicyDetails.Policies = []BackupPolicy{}
	}
	out.Extra.Databases = cloneDatabases(in.Extra.Databases)
	out.Extra.Nodes = append([]NodeState{}, in.Extra.Nodes...)
	return out
}
