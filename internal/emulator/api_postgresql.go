package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// newInstanceLocked builds the read model of a validated create request.
func (s *Server) newInstanceLocked(req *createRequest, user, status string) *Instance {
	now := s.now()
	id := s.nextInstanceID
	s.nextInstanceID++
	svc := s.services[req.ServiceID]
	nw := s.networks[req.NetworkID]
	in := &Instance{
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
	zones := s.areas[req.Area].Zones
	start := 0
	for i, z := range zones {
		if z == req.AZ {
			start = i
		}
	}
	if in.Topology == "HA" {
		in.IPAddress = s.allocIPLocked(nw)
	}
	roles := []string{"PRIMARY", "REPLICA", "WITNESS"}
	for k := 1; k <= in.NodeCount; k++ {
		zone := ""
		if len(zones) > 0 {
			zone = zones[(start+k-1)%len(zones)]
		}
		node := NodeState{ID: id*100 + int64(k), Name: fmt.Sprintf("%s%02d", base, k),
			IP: s.allocIPLocked(nw), Zone: zone, Role: roles[k-1]}
		in.Extra.Nodes = append(in.Extra.Nodes, node)
	}
	if in.IPAddress == "" {
		in.IPAddress = in.Extra.Nodes[0].IP
	}
	if in.Extra.AZ == "" {
		in.Extra.AZ = in.Extra.Nodes[0].Zone
	}
	s.instances[id] = in
	s.dirty = true
	return in
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
	nw := s.networks[inst.NetworkID]
	zones := s.areas[inst.Area].Zones
	base := strings.ToUpper(inst.Name)
	if len(inst.Extra.Nodes) > 0 {
		base = strings.TrimSuffix(inst.Extra.Nodes[0].Name, "01")
	}
	start := 0
	for i, z := range zones {
		if z == inst.Extra.AZ {
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

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	f, e := decodeObject(ri.body, "body")
	if e != nil {
		writeError(w, e)
		return
	}
	s.lock()
	req, e := s.validateCreate(f, true)
	var act Action
	if e == nil {
		inst := s.newInstanceLocked(req, ri.user, StatusCreating)
		act = publicAction(s.startActionLocked(inst, "create", opOptions{}, ri, "").Action)
	}
	s.unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusAccepted, act)
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	in, ok := s.Instance(id)
	if !ok {
		writeError(w, notFound("PostgreSQL instance", id))
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// page is the Spring Data page envelope.
type page struct {
	Content          []Instance `json:"content"`
	TotalElements    int        `json:"totalElements"`
	TotalPages       int        `json:"totalPages"`
	Size             int        `json:"size"`
	Number           int        `json:"number"`
	NumberOfElements int        `json:"numberOfElements"`
	First            bool       `json:"first"`
	Last             bool       `json:"last"`
	Empty            bool       `json:"empty"`
	Sort             pageSort   `json:"sort"`
}

type pageSort struct {
	Empty    bool `json:"empty"`
	Sorted   bool `json:"sorted"`
	Unsorted bool `json:"unsorted"`
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, size := 0, 20
	for _, p := range []struct {
		name string
		out  *int
		min  int
	}{{"page", &pageNo, 0}, {"size", &size, 1}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < p.min {
				writeError(w, fieldErr(p.name, fmt.Sprintf("must be an integer of at least %d", p.min)))
				return
			}
			*p.out = n
		}
	}
	if size > 2000 {
		size = 2000
	}
	name := q.Get("name")
	s.lock()
	var all []Instance
	for _, in := range s.sortedInstancesLocked() {
		if name == "" || in.Name == name {
			all = append(all, in.clone())
		}
	}
	s.unlock()
	p := page{Size: size, Number: pageNo, TotalElements: len(all), Sort: pageSort{Empty: true, Unsorted: true}}
	p.TotalPages = (len(all) + size - 1) / size
	from := min(pageNo*size, len(all))
	to := min(from+size, len(all))
	p.Content = append([]Instance{}, all[from:to]...)
	p.NumberOfElements = len(p.Content)
	p.First = pageNo == 0
	p.Last = pageNo >= p.TotalPages-1
	p.Empty = len(p.Content) == 0
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	id, e := pathID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.lock()
	var act Action
	inst, ok := s.instances[id]
	switch {
	case !ok:
		e = notFound("PostgreSQL instance", id)
	default:
		if a := s.inProgressLocked(id); a != nil {
			e = conflict(a)
			break
		}
		act = publicAction(s.startActionLocked(inst, "delete", opOptions{}, ri, StatusDeleting).Action)
	}
	s.unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusAccepted, act)
}

func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	id, e := pathID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	f, e := decodeObject(ri.body, "body")
	if e != nil {
		writeError(w, e)
		return
	}
	op, ok, e := f.str("operation")
	if e != nil {
		writeError(w, e)
		return
	}
	if !ok || op == "" {
		writeError(w, fieldErr("operation", "is required"))
		return
	}
	if _, known := processNames[op]; !known || op == "create" || op == "delete" {
		writeError(w, fieldErr("operation", fmt.Sprintf("unknown operation '%s' (start, stop, resize, restore, enable_ha, update_monitoring, update_patch_party, install_extension, upgrade)", op)))
		return
	}
	opts, _, e := f.object("options")
	if e != nil {
		writeError(w, e)
		return
	}
	if opts == nil {
		opts = fields{}
	}
	s.lock()
	act, e := s.patchLocked(id, op, opts, ri)
	s.unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusAccepted, act)
}

func (s *Server) patchLocked(id int64, op string, opts fields, ri *reqInfo) (Action, *APIError) {
	inst, ok := s.instances[id]
	if !ok {
		return Action{}, notFound("PostgreSQL instance", id)
	}
	if a := s.inProgressLocked(id); a != nil {
		return Action{}, conflict(a)
	}
	if inst.Status != StatusActive && inst.Status != StatusStopped {
		return Action{}, apiErr(http.StatusConflict, "INVALID_STATUS", "status",
			fmt.Sprintf("instance '%s' is %s; operations need it ACTIVE or STOPPED", inst.Name, inst.Status))
	}
	o, e := s.validateOperationLocked(inst, op, opts, ri)
	if e != nil {
		return Action{}, e
	}
	transitional := StatusUpdating
	if op == "update_patch_party" {
		transitional = ""
	}
	return publicAction(s.startActionLocked(inst, op, o, ri, transitional).Action), nil
}

var activeOnly = map[string]bool{"restore": true, "enable_ha": true, "install_extension": true, "upgrade": true}

// validateOperationLocked checks an operation's documented rules and
// returns what to apply when its action completes.
func (s *Server) validateOperationLocked(inst *Instance, op string, opts fields, ri *reqInfo) (opOptions, *APIError) {
	var o opOptions
	if activeOnly[op] && inst.Status != StatusActive {
		return o, fieldErr("status", fmt.Sprintf("%s needs the instance ACTIVE, it is %s", op, inst.Status))
	}
	switch op {
	case "start":
		o.FinalStatus = StatusActive
		o.NoOp = inst.Status == StatusActive
	case "stop":
		o.FinalStatus = StatusStopped
		o.NoOp = inst.Status == StatusStopped
	case "resize":
		v, ok, e := opts.str("sizing")
		if e != nil {
			return o, e
		}
		if !ok || v == "" {
			return o, fieldErr("sizing", "is required")
		}
		if !sizingRe.MatchString(v) {
			return o, fieldErr("sizing", "must look like 2cpu4gb")
		}
		o.Sizing = v
	case "restore":
		return s.validateRestoreLocked(inst, opts)
	case "enable_ha":
		lag, ok, e := opts.integer("replicationLag")
		if e != nil {
			return o, e
		}
		if !ok {
			return o, fieldErr("replicationLag", "is required")
		}
		if lag < 1 || lag > 500 {
			return o, fieldErr("replicationLag", "must be between 1 and 500")
		}
		cr, _, e := opts.str("changeReference")
		if e != nil {
			return o, e
		}
		if inst.Topology != "STANDALONE" {
			return o, fieldErr("topology", "the instance is already HA")
		}
		if inst.major() < 12 {
			return o, fieldErr("version", fmt.Sprintf("enable_ha needs version 12 or later, the instance runs %s", inst.Version))
		}
		o.ReplicationLag, o.ChangeReference = int(lag), cr
	case "update_monitoring":
		state, hasState, e := opts.boolean("state")
		if e != nil {
			return o, e
		}
		onCall, hasOnCall, e := opts.boolean("on_call")
		if e != nil {
			return o, e
		}
		if !hasState && !hasOnCall {
			return o, fieldErr("state", "state or on_call is required")
		}
		if hasState {
			o.State = &state
		}
		if hasOnCall {
			o.OnCall = &onCall
		}
	case "update_patch_party":
		pp, e := validatePatchParty(inst, opts, ri.user, s.now())
		if e != nil {
			return o, e
		}
		o.PatchParty = pp
	case "install_extension":
		db, ok, e := opts.str("dbname")
		if e != nil {
			return o, e
		}
		if !ok || db == "" {
			return o, fieldErr("dbname", "is required")
		}
		if len(db) > 63 || !dbNameRe.MatchString(db) {
			return o, fieldErr("dbname", "must be a lowercase PostgreSQL identifier of at most 63 characters")
		}
		list, ok := opts["extensions_list"].([]any)
		if _, present := opts["extensions_list"]; present && !ok && opts["extensions_list"] != nil {
			return o, fieldErr("extensions_list", "must be an array of {\"name\": …}")
		}
		if len(list) == 0 {
			return o, fieldErr("extensions_list", "at least one extension is required")
		}
		for _, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				return o, fieldErr("extensions_list", "must be an array of {\"name\": …}")
			}
			name, _ := m["name"].(string)
			if name == "" {
				return o, fieldErr("extensions_list", "every extension needs a name")
			}
			if _, known := findExtension(name); !known {
				return o, fieldErr("extensions_list", fmt.Sprintf("extension '%s' is not available on this instance", name))
			}
			o.Extensions = append(o.Extensions, name)
		}
		if inst.major() < 15 {
			return o, fieldErr("version", fmt.Sprintf("extensions are self-service from version 15, the instance runs %s", inst.Version))
		}
		if e := s.pgCheckExtensionsLocked(inst, o.Extensions); e != nil {
			return o, e
		}
		o.DBName = db
	case "upgrade":
		tv, ok, e := opts.str("targetVersion")
		if e != nil {
			return o, e
		}
		if !ok || tv == "" {
			return o, fieldErr("targetVersion", "is required")
		}
		cr, _, e := opts.str("changeReference")
		if e != nil {
			return o, e
		}
		n, err := strconv.Atoi(tv)
		offered := availableVersions(inst.major())
		found := false
		for _, v := range offered {
			found = found || (err == nil && int64(n) == v)
		}
		if !found {
			return o, fieldErr("targetVersion", fmt.Sprintf("'%s' is not offered for this instance (offered: %v)", tv, offered))
		}
		o.TargetVersion, o.ChangeReference = n, cr
	}
	return o, nil
}

func validatePatchParty(inst *Instance, opts fields, user string, now time.Time) (*PatchParty, *APIError) {
	ppf, ok, e := opts.object("patchParty")
	if e != nil {
		return nil, e
	}
	if !ok {
		return nil, fieldErr("patchParty", "is required")
	}
	excluded, ok, e := ppf.boolean("excluded")
	if e != nil {
		return nil, e
	}
	if !ok {
		return nil, fieldErr("excluded", "is required")
	}
	group, hasGroup, e := ppf.str("patchGroup")
	if e != nil {
		return nil, e
	}
	reason, _, e := ppf.str("exclusionReason")
	if e != nil {
		return nil, e
	}
	if hasGroup {
		if inst.NodeCount != 1 {
			return nil, fieldErr("patchGroup", "is only allowed when the instance has one member")
		}
		if group != "1" && group != "2" && group != "3" {
			return nil, fieldErr("patchGroup", "must be 1, 2 or 3")
		}
	}
	if excluded && strings.TrimSpace(reason) == "" {
		return nil, fieldErr("exclusionReason", "is required when excluded is true")
	}
	pp := inst.clone().PatchParty
	pp.Excluded = excluded
	if excluded {
		pp.ExcludedBy, pp.ExclusionDate, pp.ExclusionReason = strPtr(user), strPtr(fmtTime(now)), strPtr(reason)
	} else {
		pp.ExcludedBy, pp.ExclusionDate, pp.ExclusionReason = nil, nil, nil
	}
	if hasGroup {
		pp.PatchGroup = strPtr(group)
	}
	return &pp, nil
}

// validateRestoreLocked checks a restore into dst. The window follows the
// source's service: backups belong to the source.
func (s *Server) validateRestoreLocked(dst *Instance, opts fields) (opOptions, *APIError) {
	var o opOptions
	srcID, ok, e := opts.integer("sourceId")
	if e != nil {
		return o, e
	}
	if !ok {
		return o, fieldErr("sourceId", "is required")
	}
	stop, ok, e := opts.str("stop")
	if e != nil {
		return o, e
	}
	if !ok || stop == "" {
		return o, fieldErr("stop", "is required")
	}
	if stop != "BEFORE" && stop != "AFTER" {
		return o, fieldErr("stop", "must be BEFORE or AFTER")
	}
	ts, ok, e := opts.str("timestamp")
	if e != nil {
		return o, e
	}
	if !ok || ts == "" {
		return o, fieldErr("timestamp", "is required")
	}
	t, err := parseAPITime(ts)
	if err != nil {
		return o, fieldErr("timestamp", "must be a date-time such as 2022-11-02T09:32:02.000+00:00")
	}
	src, ok := s.instances[srcID]
	switch {
	case !ok:
		return o, fieldErr("sourceId", fmt.Sprintf("unknown PostgreSQL instance %d", srcID))
	case srcID == dst.ID:
		return o, fieldErr("sourceId", "must be another instance than the destination")
	case src.Status != StatusActive:
		return o, fieldErr("sourceId", fmt.Sprintf("the source must be ACTIVE, it is %s", src.Status))
	case src.Version != dst.Version:
		return o, fieldErr("sourceId", fmt.Sprintf("the source runs version %s, the destination %s: they must match", src.Version, dst.Version))
	case !src.BackupStatus:
		return o, fieldErr("sourceId", "the source instance is not backed up")
	}
	days := 7
	if s.services[src.ServiceID].Environment == "PRODUCTION" {
		days = 14
	}
	now := s.now()
	if t.After(now) || t.Before(now.AddDate(0, 0, -days)) {
		return o, fieldErr("timestamp", fmt.Sprintf("must be between now - %d days and now", days))
	}
	o.SourceID, o.Stop, o.Timestamp = srcID, stop, ts
	o.Databases = cloneDatabases(src.Extra.Databases)
	return o, nil
}

func (s *Server) handleSub(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	sub := r.PathValue("sub")
	switch sub {
	case "databases", "extensions", "networks", "nodes", "versions":
	default:
		writeError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No endpoint GET "+r.URL.Path))
		return
	}
	if out, handled := s.pgReadSub(id, sub); handled {
		writeJSON(w, http.StatusOK, out)
		return
	}
	s.lock()
	inst, ok := s.instances[id]
	var out any
	if ok {
		switch sub {
		case "databases":
			out = cloneDatabases(inst.Extra.Databases)
		case "extensions":
			out = append([]Extension{}, extensionCatalogue...)
		case "networks":
			out = []NetworkView{s.networkViewLocked(inst)}
		case "nodes":
			out = s.nodeViewsLocked(inst)
		case "versions":
			out = availableVersions(inst.major())
		}
	}
	s.unlock()
	if !ok {
		writeError(w, notFound("PostgreSQL instance", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
