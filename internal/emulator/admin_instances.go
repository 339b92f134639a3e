package emulator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ConsoleUser is the creationUser of instances seeded through the admin
// API, which stand for instances made by a person in the ITCare console.
const ConsoleUser = "itcare-console"

// SeedInstance creates an ACTIVE instance at once, as if made in the ITCare
// console: the body is a create body, validated like POST, password
// optional. The error is an *APIError.
func (s *Server) SeedInstance(req map[string]any) (Instance, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return Instance{}, err
	}
	f, e := decodeObject(b, "body")
	if e != nil {
		return Instance{}, e
	}
	s.lock()
	defer s.unlock()
	cr, e := s.validateCreate(f, false)
	if e != nil {
		return Instance{}, e
	}
	return s.newInstanceLocked(cr, ConsoleUser, StatusActive).clone(), nil
}

// Instance returns a copy of an instance's read model.
func (s *Server) Instance(id int64) (Instance, bool) {
	s.lock()
	defer s.unlock()
	in, ok := s.instances[id]
	if !ok {
		return Instance{}, false
	}
	return in.clone(), true
}

// InstanceView returns an instance as GET /itcare/databases/postgresql/{id}
// shows it: Instance with the compatibility switches applied.
func (s *Server) InstanceView(id int64) (Instance, bool) {
	in, ok := s.Instance(id)
	if !ok {
		return Instance{}, false
	}
	return s.cfg.Compat.instanceView(in), true
}

// NodeViews returns an instance's nodes as GET …/{id}/nodes shows them (on
// the postgres backend, with the size of the databases read again).
func (s *Server) NodeViews(id int64) ([]Node, bool) {
	s.pgReadDataSize(id)
	s.lock()
	defer s.unlock()
	in, ok := s.instances[id]
	if !ok {
		return nil, false
	}
	return s.cfg.Compat.nodeViews(s.nodeViewsLocked(in)), true
}

// InstanceByName returns a copy of the instance with that name.
func (s *Server) InstanceByName(name string) (Instance, bool) {
	s.lock()
	defer s.unlock()
	in, ok := s.instanceByNameLocked(name)
	if !ok {
		return Instance{}, false
	}
	return in.clone(), true
}

// Instances returns copies of every instance, by id.
func (s *Server) Instances() []Instance {
	s.lock()
	defer s.unlock()
	out := []Instance{}
	for _, in := range s.sortedInstancesLocked() {
		out = append(out, in.clone())
	}
	return out
}

// extraKeys are UpdateInstance keys outside the read model.
var extraKeys = map[string]bool{"databases": true, "az": true, "nodePrefix": true, "diskSize": true}

// UpdateInstance merges read-model fields into an instance, as a person
// acting in the ITCare console would change it. Derived fields follow:
// cpu and ram follow nodeSizing, product fields follow version, nodes
// follow topology, storage follows diskSize. "databases" replaces the
// database list. The error is an *APIError.
func (s *Server) UpdateInstance(id int64, changes map[string]any) error {
	s.lock()
	defer s.unlock()
	in, ok := s.instances[id]
	if !ok {
		return notFound("PostgreSQL instance", id)
	}
	next, err := mergeReadModel(in, changes)
	if err != nil {
		return err
	}
	if err := s.deriveLocked(&next, changes); err != nil {
		return err
	}
	if next.Name != in.Name {
		if other, taken := s.instanceByNameLocked(next.Name); taken && other.ID != id {
			return fieldErr("name", fmt.Sprintf("an instance named '%s' already exists", next.Name))
		}
	}
	if err := mergeExtra(&next, changes); err != nil {
		return err
	}
	*in = next
	s.dirty = true
	return nil
}

// mergeReadModel returns in with the read-model fields of changes
// replaced, through the JSON names clients know them by.
func mergeReadModel(in *Instance, changes map[string]any) (Instance, error) {
	cur, err := json.Marshal(in)
	if err != nil {
		return Instance{}, err
	}
	var m map[string]any
	if err := json.Unmarshal(cur, &m); err != nil {
		return Instance{}, err
	}
	for k, v := range changes {
		if extraKeys[k] {
			continue
		}
		if _, known := m[k]; !known {
			return Instance{}, fieldErr(k, "is not a field of the instance read model")
		}
		if k == "id" {
			return Instance{}, fieldErr(k, "cannot be changed")
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Instance{}, fieldErr("body", err.Error())
	}
	var next Instance
	if err := json.Unmarshal(b, &next); err != nil {
		return Instance{}, fieldErr("body", err.Error())
	}
	next.Extra = in.clone().Extra
	return next, nil
}

// deriveLocked makes the fields derived from a changed nodeSizing,
// version or topology follow it.
func (s *Server) deriveLocked(next *Instance, changes map[string]any) error {
	if _, ok := changes["nodeSizing"]; ok {
		if !sizingRe.MatchString(next.NodeSizing) {
			return fieldErr("nodeSizing", "must look like 2cpu4gb")
		}
		next.setSizing(next.NodeSizing)
	}
	if _, ok := changes["version"]; ok {
		n, err := strconv.Atoi(next.Version)
		if _, supported := majors[n]; err != nil || !supported {
			return fieldErr("version", fmt.Sprintf("must be one of %d to %d", minMajor, maxMajor))
		}
		pv := next.ProductVersion
		next.setVersion(n)
		if _, given := changes["productVersion"]; given {
			next.ProductVersion = pv
		}
	}
	if _, ok := changes["topology"]; ok {
		t := strings.ToUpper(next.Topology)
		if t != "STANDALONE" && t != "HA" {
			return fieldErr("topology", "must be STANDALONE or HA")
		}
		next.setTopology(t)
		if t == "HA" {
			s.enableHALocked(next, next.AllowedReplicationLag)
		} else {
			next.Extra.Nodes = next.Extra.Nodes[:min(1, len(next.Extra.Nodes))]
			if next.PatchParty.PatchGroup == nil {
				next.PatchParty.PatchGroup = strPtr("1")
			}
		}
	}
	return nil
}

// mergeExtra applies the changes to what the read model does not show.
func mergeExtra(next *Instance, changes map[string]any) error {
	f := fields(changes)
	if v, ok, e := f.str("az"); e != nil {
		return e
	} else if ok {
		next.Extra.AZ = v
	}
	if v, ok, e := f.str("nodePrefix"); e != nil {
		return e
	} else if ok {
		next.Extra.NodePrefix = v
	}
	if v, ok, e := f.integer("diskSize"); e != nil {
		return e
	} else if ok {
		next.Extra.DiskSize, next.Storage = int(v), int(v)
	}
	if _, ok := changes["storage"]; ok {
		next.Extra.DiskSize = next.Storage
	}
	if raw, ok := changes["databases"]; ok {
		b, _ := json.Marshal(raw)
		var dbs []Database
		if err := json.Unmarshal(b, &dbs); err != nil {
			return fieldErr("databases", "must be an array of {name, extensions: [{name, schema, version}]}")
		}
		next.Extra.Databases = dbs
	}
	return nil
}

// DeleteInstance removes an instance at once, as if deleted in the ITCare
// console. An action still running on it ends: a delete in SUCCESS, any
// other in ERROR.
func (s *Server) DeleteInstance(id int64) error {
	s.lock()
	defer s.unlock()
	in, ok := s.instances[id]
	if !ok {
		return notFound("PostgreSQL instance", id)
	}
	now := s.now()
	for _, a := range s.actions {
		if a.Action.InternalID != id || a.Action.Status != ActionInProgress {
			continue
		}
		t := now
		a.Action.CompletedAt, a.Action.LastUpdatedAt = &t, t
		a.Hang = false
		if a.Op == "delete" {
			a.Action.Status = ActionSuccess
			a.Action.Message = fmt.Sprintf("PostgreSQL delete of '%s' done", in.Name)
		} else {
			a.Action.Status = ActionError
			a.Action.Message = fmt.Sprintf("instance '%s' was deleted while the action ran", in.Name)
		}
	}
	delete(s.instances, id)
	s.pgDiscardLocked(id)
	s.dirty = true
	return nil
}
