package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ConsoleUser is the creationUser of instances seeded through the admin
// API, which stand for instances made by a person in the ITCare console.
const ConsoleUser = "itcare-console"

func (s *Server) adminRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /_emulator/instances", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Instances())
	})
	m.HandleFunc("POST /_emulator/instances", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if !decodeAdmin(w, r, &req) {
			return
		}
		in, err := s.SeedInstance(req)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, in)
	})
	m.HandleFunc("GET /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, e := pathID(r)
		if e != nil {
			adminError(w, e)
			return
		}
		in, ok := s.Instance(id)
		if !ok {
			adminError(w, notFound("PostgreSQL instance", id))
			return
		}
		adminJSON(w, http.StatusOK, in)
	})
	m.HandleFunc("PATCH /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, e := pathID(r)
		if e != nil {
			adminError(w, e)
			return
		}
		var changes map[string]any
		if !decodeAdmin(w, r, &changes) {
			return
		}
		if err := s.UpdateInstance(id, changes); err != nil {
			adminError(w, err)
			return
		}
		in, _ := s.Instance(id)
		adminJSON(w, http.StatusOK, in)
	})
	m.HandleFunc("DELETE /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, e := pathID(r)
		if e != nil {
			adminError(w, e)
			return
		}
		if err := s.DeleteInstance(id); err != nil {
			adminError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Faults())
	})
	m.HandleFunc("POST /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !decodeAdmin(w, r, &f) {
			return
		}
		if err := f.validate(); err != nil {
			adminError(w, fieldErr("kind", err.Error()))
			return
		}
		adminJSON(w, http.StatusCreated, s.addFault(f))
	})
	m.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Requests())
	})
	m.HandleFunc("DELETE /_emulator/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_emulator/tokens/expire", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/settings", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.settings())
	})
	m.HandleFunc("PUT /_emulator/settings", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		if !decodeAdmin(w, r, &req) {
			return
		}
		for k, v := range req {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				adminError(w, fieldErr(k, "must be a duration such as 2s or 20m"))
				return
			}
			switch k {
			case "actionDuration":
				s.SetActionDuration(d)
			case "tokenTTL":
				if d == 0 {
					adminError(w, fieldErr(k, "must be positive"))
					return
				}
				s.SetTokenTTL(d)
			default:
				adminError(w, fieldErr(k, "unknown setting (actionDuration, tokenTTL)"))
				return
			}
		}
		adminJSON(w, http.StatusOK, s.settings())
	})
	m.HandleFunc("GET /_emulator/services", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Services())
	})
	m.HandleFunc("POST /_emulator/services", func(w http.ResponseWriter, r *http.Request) {
		var sv Service
		if !decodeAdmin(w, r, &sv) {
			return
		}
		out, err := s.AddService(sv)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, out)
	})
	m.HandleFunc("GET /_emulator/networks", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Networks())
	})
	m.HandleFunc("POST /_emulator/networks", func(w http.ResponseWriter, r *http.Request) {
		var nw Network
		if !decodeAdmin(w, r, &nw) {
			return
		}
		out, err := s.AddNetwork(nw)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, out)
	})
	m.HandleFunc("GET /_emulator/actions", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Actions())
	})
	m.HandleFunc("GET /_emulator/postgres", s.handlePGAdmin)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No admin endpoint "+r.Method+" "+r.URL.Path))
	})
	return m
}

func (s *Server) settings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{"actionDuration": s.actionDuration.String(), "tokenTTL": s.tokenTTL.String()}
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	b, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		adminError(w, apiErr(http.StatusBadRequest, "MALFORMED_JSON", "body", "JSON parse error: "+err.Error()))
		return false
	}
	return true
}

func adminJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = apiErr(http.StatusBadRequest, "INVALID_FIELD_VALUE", "", err.Error())
	}
	adminJSON(w, ae.HTTPStatus, ae)
}

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
	cur, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(cur, &m); err != nil {
		return err
	}
	for k, v := range changes {
		if extraKeys[k] {
			continue
		}
		if _, known := m[k]; !known {
			return fieldErr(k, "is not a field of the instance read model")
		}
		if k == "id" {
			return fieldErr(k, "cannot be changed")
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fieldErr("body", err.Error())
	}
	var next Instance
	if err := json.Unmarshal(b, &next); err != nil {
		return fieldErr("body", err.Error())
	}
	next.Extra = in.clone().Extra
	f := fields(changes)
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
			s.enableHALocked(&next, next.AllowedReplicationLag)
		} else {
			next.Extra.Nodes = next.Extra.Nodes[:min(1, len(next.Extra.Nodes))]
			if next.PatchParty.PatchGroup == nil {
				next.PatchParty.PatchGroup = strPtr("1")
			}
		}
	}
	if next.Name != in.Name {
		if other, taken := s.instanceByNameLocked(next.Name); taken && other.ID != id {
			return fieldErr("name", fmt.Sprintf("an instance named '%s' already exists", next.Name))
		}
	}
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
	*in = next
	s.dirty = true
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

// WriteBanner prints what a user needs to point a client at the emulator:
// URLs, credentials and the catalogue.
func (s *Server) WriteBanner(w io.Writer) {
	fmt.Fprintf(w, "ITCare emulator\n")
	fmt.Fprintf(w, "  API URL:       %s\n", s.APIURL())
	fmt.Fprintf(w, "  Token URL:     %s\n", s.TokenURL())
	fmt.Fprintf(w, "  Client ID:     %s\n", s.ClientID())
	fmt.Fprintf(w, "  Client secret: %s\n", s.ClientSecret())
	fmt.Fprintf(w, "  Admin API:     %s%s/\n", s.URL(), adminPath)
	st := s.settings()
	fmt.Fprintf(w, "  Action duration %s, token TTL %s\n", st["actionDuration"], st["tokenTTL"])
	fmt.Fprintf(w, "Services:\n")
	for _, sv := range s.Services() {
		fmt.Fprintf(w, "  %d  %-12s %s\n", sv.ID, sv.Name, sv.Environment)
	}
	fmt.Fprintf(w, "Networks:\n")
	s.mu.Lock()
	areas := s.areas
	zones := map[string]string{}
	for id, a := range areas {
		zones[id] = strings.Join(a.Zones, ", ")
	}
	s.mu.Unlock()
	for _, nw := range s.Networks() {
		fmt.Fprintf(w, "  %d  area %-8s %-15s region %-3s %-12s az: %s\n", nw.ID, nw.Area, nw.CIDR, nw.Region, nw.Environment, zones[nw.Area])
	}
}
