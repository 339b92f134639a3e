package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func (s *Server) handleActionGet(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		writeError(w, e)
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
		out = publicAction(a.Action)
	}
	s.unlock()
	if !ok {
		writeError(w, notFound("action", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleActionList answers a bare array, newest action first.
func (s *Server) handleActionList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var intFilters [3]*int64
	for i, name := range []string{"resourceId", "serviceId", "requestId"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				writeError(w, fieldErr(name, "must be an integer"))
				return
			}
			intFilters[i] = &n
		}
	}
	statuses := map[string]bool{}
	for _, v := range q["statuses"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				statuses[strings.ToUpper(st)] = true
			}
		}
	}
	name := q.Get("resourceName")
	s.lock()
	out := []Action{}
	for _, a := range s.actions {
		switch {
		case name != "" && a.Action.ResourceName != name,
			intFilters[0] != nil && a.Action.InternalID != *intFilters[0],
			intFilters[1] != nil && a.ServiceID != *intFilters[1],
			intFilters[2] != nil && a.Action.ID != *intFilters[2],
			len(statuses) > 0 && !statuses[a.Action.Status]:
			continue
		}
		out = append(out, publicAction(a.Action))
	}
	s.unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	writeJSON(w, http.StatusOK, out)
}
