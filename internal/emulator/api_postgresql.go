package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	f, e := decodeObject(ri.body, "body")
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.lock()
	req, e := s.validateCreate(f, true)
	var act Action
	if e == nil {
		inst := s.newInstanceLocked(req, ri.user, StatusCreating)
		act = s.startActionLocked(inst, "create", opOptions{}, ri, "").Action
	}
	s.unlock()
	s.writeAccepted(w, r, act, e)
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	in, e := s.instanceAt(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Compat.instanceView(in))
}

// instanceAt returns the instance whose id the path names.
func (s *Server) instanceAt(r *http.Request) (Instance, *APIError) {
	id, e := pathID(r)
	if e != nil {
		return Instance{}, e
	}
	in, ok := s.Instance(id)
	if !ok {
		return Instance{}, notFound("PostgreSQL instance", id)
	}
	return in, nil
}

// writeAccepted answers a write with the action it started, or with the
// error that stopped it.
func (s *Server) writeAccepted(w http.ResponseWriter, r *http.Request, act Action, e *APIError) {
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	writeJSON(w, http.StatusAccepted, s.cfg.Compat.actionView(act))
}

// page is the Spring Data page envelope.
type page[T any] struct {
	Content          []T      `json:"content"`
	TotalElements    int      `json:"totalElements"`
	TotalPages       int      `json:"totalPages"`
	Size             int      `json:"size"`
	Number           int      `json:"number"`
	NumberOfElements int      `json:"numberOfElements"`
	First            bool     `json:"first"`
	Last             bool     `json:"last"`
	Empty            bool     `json:"empty"`
	Sort             pageSort `json:"sort"`
}

type pageSort struct {
	Empty    bool `json:"empty"`
	Sorted   bool `json:"sorted"`
	Unsorted bool `json:"unsorted"`
}

// maxPageSize caps size as Spring Data's default max-page-size does.
const maxPageSize = 2000

// pageParams reads the 0-based page number and the page size of a list,
// size defaulting to def.
func pageParams(q url.Values, def int) (pageNo, size int, e *APIError) {
	pageNo, size = 0, def
	for _, p := range []struct {
		name string
		out  *int
		min  int
	}{{"page", &pageNo, 0}, {"size", &size, 1}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < p.min {
				return 0, 0, fieldErr(p.name, fmt.Sprintf("must be an integer of at least %d", p.min))
			}
			*p.out = n
		}
	}
	return pageNo, min(size, maxPageSize), nil
}

// paginate is page pageNo of all, size entries a page.
func paginate[T any](all []T, pageNo, size int) page[T] {
	p := page[T]{Size: size, Number: pageNo, TotalElements: len(all), Sort: pageSort{Empty: true, Unsorted: true}}
	p.TotalPages = (len(all) + size - 1) / size
	from := min(pageNo*size, len(all))
	to := min(from+size, len(all))
	p.Content = append([]T{}, all[from:to]...)
	p.NumberOfElements = len(p.Content)
	p.First = pageNo == 0
	p.Last = pageNo >= p.TotalPages-1
	p.Empty = len(p.Content) == 0
	return p
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, size, e := pageParams(q, s.cfg.Compat.defaultPageSize())
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	name := q.Get("name")
	s.lock()
	var all []Instance
	for _, in := range s.sortedInstancesLocked() {
		if name == "" || in.Name == name {
			all = append(all, s.cfg.Compat.instanceView(in.clone()))
		}
	}
	s.unlock()
	writeJSON(w, http.StatusOK, paginate(all, pageNo, size))
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	id, e := pathID(r)
	if e != nil {
		s.writeError(w, r, e)
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
		act = s.startActionLocked(inst, "delete", opOptions{}, ri, StatusDeleting).Action
	}
	s.unlock()
	s.writeAccepted(w, r, act, e)
}

func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	ri := infoFrom(r)
	id, e := pathID(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	f, e := decodeObject(ri.body, "body")
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	op, ok, e := f.str("operation")
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if !ok || op == "" {
		s.writeError(w, r, fieldErr("operation", "is required"))
		return
	}
	if _, known := processNames[op]; !known || op == "create" || op == "delete" {
		s.writeError(w, r, fieldErr("operation", fmt.Sprintf("unknown operation '%s' (start, stop, resize, restore, enable_ha, update_monitoring, update_patch_party, install_extension, upgrade)", op)))
		return
	}
	opts, _, e := f.object("options")
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if opts == nil {
		opts = fields{}
	}
	s.lock()
	act, e := s.patchLocked(id, op, opts, ri)
	s.unlock()
	s.writeAccepted(w, r, act, e)
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
	return s.startActionLocked(inst, op, o, ri, transitional).Action, nil
}

func (s *Server) handleSub(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	sub := r.PathValue("sub")
	switch sub {
	case "databases", "extensions", "networks", "nodes", "versions":
	default:
		s.writeError(w, r, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No endpoint GET "+r.URL.Path))
		return
	}
	if sub == "nodes" {
		s.pgReadDataSize(id)
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
			out = s.cfg.Compat.nodeViews(s.nodeViewsLocked(inst))
		case "versions":
			out = s.cfg.Compat.versionsView(availableVersions(inst.major()))
		}
	}
	s.unlock()
	if !ok {
		s.writeError(w, r, notFound("PostgreSQL instance", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
