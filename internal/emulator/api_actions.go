package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func (s *Server) handleActionGet(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.lock()
	a, ok := s.actions[id]
	var out Action
	if ok {
		if a.Action.Status != ActionInProgress && a.Action.FirstSeenCompletedAt == nil {
			t := s.now()
			a.Action.FirstSeenCompletedAt = &t
			s.dirty = true
		}
		out = a.Action
	}
	s.unlock()
	if !ok {
		s.writeError(w, r, notFound("action", id))
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Compat.actionView(out))
}

// handleActionList answers the matching actions newest first: a bare
// array, or a page under CompatPagedLists.
func (s *Server) handleActionList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, e := parseActionFilter(q)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	paged := s.cfg.Compat.Has(CompatPagedLists)
	var pageNo, size int
	if paged {
		if pageNo, size, e = pageParams(q, s.cfg.Compat.defaultPageSize()); e != nil {
			s.writeError(w, r, e)
			return
		}
	}
	s.lock()
	var found []Action
	for _, a := range s.actions {
		if f.match(a) {
			found = append(found, a.Action)
		}
	}
	s.unlock()
	sort.Slice(found, func(i, j int) bool { return found[i].ID > found[j].ID })
	out := make([]actionWire, len(found))
	for i, a := range found {
		out[i] = s.cfg.Compat.actionView(a)
	}
	if paged {
		writeJSON(w, http.StatusOK, paginate(out, pageNo, size))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// actionFilter is the query of GET /itcare/actions; nil or empty fields
// match every action.
type actionFilter struct {
	resourceID, serviceID, requestID *int64
	statuses                         map[string]bool
	resourceName                     string
}

func parseActionFilter(q url.Values) (actionFilter, *APIError) {
	f := actionFilter{statuses: map[string]bool{}, resourceName: q.Get("resourceName")}
	for _, p := range []struct {
		name string
		out  **int64
	}{{"resourceId", &f.resourceID}, {"serviceId", &f.serviceID}, {"requestId", &f.requestID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return actionFilter{}, fieldErr(p.name, "must be an integer")
			}
			*p.out = &n
		}
	}
	for _, v := range q["statuses"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.statuses[strings.ToUpper(st)] = true
			}
		}
	}
	return f, nil
}

// match reports whether a passes the filter. resourceId is the instance's
// id whatever internalId an answer shows.
func (f actionFilter) match(a *actionState) bool {
	switch {
	case f.resourceName != "" && a.Action.ResourceName != f.resourceName,
		f.resourceID != nil && a.Action.InternalID != *f.resourceID,
		f.serviceID != nil && a.ServiceID != *f.serviceID,
		f.requestID != nil && a.Action.ID != *f.requestID,
		len(f.statuses) > 0 && !f.statuses[a.Action.Status]:
		return false
	}
	return true
}
