package emulator

import (
	"fmt"
	"strings"
	"time"
)

// newInstanceLocked builds the read model of a validated create request.
func (s *Server) newInstanceLocked(req *createRequest, user, status string) *Instance {
	now := s.now()
	id := s.nextInstanceID
	s.nextInstanceID++
	svc := s.services[req.ServiceID]
	in := newReadModel(req, svc, id, user, status, now)
	in.setVersion(req.PostgreVersion)
	in.setSizing(req.NodeSizing)
	in.setTopology(req.Topology)
	in.BackupPolicyDetails = backupPolicies(req.BackupEnabled, req.Strings["dbBackupPolicyId"], req.Strings["serverBackupPolicyId"])
	date, tag, ppID := nextPatchParty(now, svc.Environment == "PRODUCTION")
	in.PatchParty = PatchParty{ID: ppID, Name: "Patch Party " + tag, PatchDate: fmtTime(date), PatchTag: tag}
	if in.NodeCount == 1 {
		in.PatchParty.PatchGroup = strPtr("1")
	}

	base := strings.ToUpper(req.Name)
	if req.NodePrefix != "" {
		base = req.NodePrefix
	}
	// An HA instance's virtual address comes before its nodes'.
	if in.Topology == "HA" {
		in.IPAddress = s.allocIPLocked(s.networks[req.NetworkID])
	}
	s.addNodesLocked(in, base, req.AZ)
	if in.IPAddress == "" {
		in.IPAddress = in.Extra.Nodes[0].IP
	}
	if in.Extra.AZ == "" {
		in.Extra.AZ = in.Extra.Nodes[0].Zone
	}
	s.instances[id] = in
	s.firstBackupLocked(in, now)
	s.dirty = true
	return in
}

// newReadModel is the part of a new instance's read model that the
// request and its service give as they are.
func newReadModel(req *createRequest, svc Service, id int64, user, status string, now time.Time) *Instance {
	return &Instance{
		AllowMonitoringDisplay:  true,
		AllowedReplicationLag:   req.AllowedReplicationLag,
		Area:                    req.Area,
		BackupStatus:            req.BackupEnabled,
		Category:                "Managed database",
		CloudID:                 req.CloudID,
		CloudName:               cloudName(req.CloudID),
		Comment:                 "",
		CreationTime:            fmtTime(now),
		CreationUser:            user,
		Environment:             svc.Environment,
		Family:                  family,
		ID:                      id,
		InternalResourceID:      id,
		InternalType:            "POSTGRESQL",
		Label:                   req.Name,
		MetrologyURL:            "https://metrology.cegedim.cloud/d/postgresql?var-instance=" + req.Name,
		MonitoringAlerting:      req.MonitoringAlerting,
		MonitoringEnabled:       req.MonitoringEnabled,
		MonitoringOnCallEnabled: req.OnCallSupervision,
		MonitoringRequested:     req.MonitoringEnabled,
		Name:                    req.Name,
		NetworkID:               req.NetworkID,
		Path:                    fmt.Sprintf("/databases/postgresql/%d", id),
		PrettyLabel:             req.Name + " (PostgreSQL)",
		ReplicationStatus:       req.ReplicationEnabled,
		ResourceType:            resourceType,
		ServiceID:               svc.ID,
		ServiceKey:              svc.Key,
		ServiceName:             svc.Name,
		Status:                  status,
		Storage:                 req.DiskSize,
		Technology:              "PostgreSQL",
		TLSEnabled:              req.TLS,
		Trigram:                 req.Trigram,
		Type:                    "Managed database",
		URL:                     fmt.Sprintf("%s.%s:5432", req.Name, urlDomain),
		Extra: InstanceExtra{
			AZ:                      req.AZ,
			NodePrefix:              req.NodePrefix,
			DiskSize:                req.DiskSize,
			DBBackupPolicyID:        req.Strings["dbBackupPolicyId"],
			ServerBackupPolicyID:    req.Strings["serverBackupPolicyId"],
			NoBackupProdReason:      req.Strings["noBackupProdReason"],
			NoMonitoringProdReason:  req.Strings["noMonitoringProdReason"],
			NoReplicationProdReason: req.Strings["noReplicationProdReason"],
			Platform:                req.Strings["platform"],
			Region:                  req.Strings["region"],
			Regulation:              req.Strings["regulation"],
			Prefix:                  req.Strings["prefix"],
			Databases:               defaultDatabases(),
		},
	}
}

func cloudName(id int64) string {
	if id == 1 {
		return "cegedim.cloud"
	}
	return fmt.Sprintf("cloud-%d", id)
}

func backupPolicies(enabled bool, dbPolicy, serverPolicy string) BackupPolicyDetails {
	d := BackupPolicyDetails{Backups: []Backup{}, Policies: []BackupPolicy{}}
	if !enabled {
		return d
	}
	if dbPolicy == "" {
		dbPolicy = "PG-PITR-DAILY"
	}
	d.Policies = append(d.Policies, BackupPolicy{
		DurationInHours: 2, Frequencies: map[string]any{"daily": true}, Label: "PostgreSQL daily backup with PITR",
		Name: strings.ToLower(dbPolicy), PolicyID: dbPolicy, Scope: "DATABASE", StartTime: "22:00",
		Timezone: "Europe/Paris", Type: "DATABASE",
	})
	if serverPolicy != "" {
		d.Policies = append(d.Policies, BackupPolicy{
			DurationInHours: 4, Frequencies: map[string]any{"weekly": "SUNDAY"}, Label: "Server backup",
			Name: strings.ToLower(serverPolicy), PolicyID: serverPolicy, Scope: "SERVER", StartTime: "01:00",
			Timezone: "Europe/Paris", Type: "SERVER",
		})
	}
	return d
}

// allocIPLocked hands out the next free address of a network, starting at
// .10 so that gateways and infrastructure addresses stay free.
func (s *Server) allocIPLocked(nw Network) string {
	n := s.nextIP[nw.ID]
	if n < 10 {
		n = 10
	}
	s.nextIP[nw.ID] = n + 1
	return hostIP(nw.CIDR, n)
}

// enableHALocked turns a standalone instance into the 3-node HA layout.
func (s *Server) enableHALocked(inst *Instance, lag int) {
	inst.setTopology("HA")
	inst.AllowedReplicationLag = lag
	inst.PatchParty.PatchGroup = nil
	base := strings.ToUpper(inst.Name)
	if len(inst.Extra.Nodes) > 0 {
		base = strings.TrimSuffix(inst.Extra.Nodes[0].Name, "01")
	}
	s.addNodesLocked(inst, base, inst.Extra.AZ)
}

// addNodesLocked adds the nodes inst's topology has and it lacks: named
// base01, base02…, spread over the area's zones from az onwards, each
// with the next free address of the instance's network.
func (s *Server) addNodesLocked(inst *Instance, base, az string) {
	nw := s.networks[inst.NetworkID]
	zones := s.areas[inst.Area].Zones
	start := 0
	for i, z := range zones {
		if z == az {
			start = i
		}
	}
	roles := []string{"PRIMARY", "REPLICA", "WITNESS"}
	for k := len(inst.Extra.Nodes) + 1; k <= inst.NodeCount; k++ {
		zone := ""
		if len(zones) > 0 {
			zone = zones[(start+k-1)%len(zones)]
		}
		inst.Extra.Nodes = append(inst.Extra.Nodes, NodeState{ID: inst.ID*100 + int64(k),
			Name: fmt.Sprintf("%s%02d", base, k), IP: s.allocIPLocked(nw), Zone: zone, Role: roles[(k-1)%3]})
	}
}
