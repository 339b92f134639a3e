package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Compatibility switches: each plays a plausible alternative reading of a
// point the reference page leaves open, so that the provider (and a
// user's module) can be tested against it. Without any switch the emulator
// plays the readings listed in the package doc. The switches shape /itcare
// answers only: the admin API, the token endpoint and the answers of
// status and body faults stay as they are.
const (
	// CompatDistinctIDs gives every instance an internalResourceId unlike
	// its id (the id plus 100000000), and puts that internalResourceId in
	// the "internalId" of 202 bodies and actions: GET …/{internalId} is
	// not the instance (404). GET /actions?resourceId= still takes the id.
	CompatDistinctIDs = "distinct-ids"
	// CompatNoList removes the collection GET /databases/postgresql
	// (405 with Allow: POST, as Spring answers a path served for POST
	// only).
	CompatNoList = "no-list"
	// CompatNoActionsList removes GET /actions (405 with an empty Allow
	// header: the path serves no method at all); GET /actions/{id} stays.
	CompatNoActionsList = "no-actions-list"
	// CompatNoInternalID leaves "internalId" out of 202 bodies and actions.
	CompatNoInternalID = "no-internal-id"
	// CompatStatusSpellings spells the instance statuses ACTIVE as
	// RUNNING and STOPPED as POWERED_OFF in every answer that shows an
	// instance's or a node's status.
	CompatStatusSpellings = "status-spellings"
	// CompatSpringErrors answers errors with Spring Boot's default body
	// {timestamp, status (a number), error, message, path} as
	// application/json: errorCode and errorDesc are lost.
	CompatSpringErrors = "spring-errors"
	// CompatProblemErrors answers errors with an RFC 9457 problem
	// (application/problem+json: type, title, status, detail, instance).
	CompatProblemErrors = "problem-errors"
	// CompatStringVersions answers GET …/{id}/versions with strings
	// (["16","17"]).
	CompatStringVersions = "string-versions"
	// CompatPagedLists answers GET /actions with a Spring page envelope,
	// and both lists with pages of 2 unless a size is asked for.
	CompatPagedLists = "paged-lists"
)

// CompatSwitches lists every switch, in the order the docs give them.
var CompatSwitches = []string{
	CompatDistinctIDs, CompatNoList, CompatNoActionsList, CompatNoInternalID,
	CompatStatusSpellings, CompatSpringErrors, CompatProblemErrors,
	CompatStringVersions, CompatPagedLists,
}

// CompatProfiles are named, coherent sets of switches: each is a whole API
// a client must work with. "default" is the emulator without switches.
var CompatProfiles = map[string][]string{
	"default": nil,
	"ids":     {CompatDistinctIDs, CompatProblemErrors},
	"sparse":  {CompatNoList, CompatNoActionsList},
	"shapes":  {CompatNoInternalID, CompatStatusSpellings, CompatSpringErrors, CompatStringVersions, CompatPagedLists},
}

// Compat is a set of compatibility switches; the zero value has none.
//
// The switches shape /itcare answers only, never the state: the state
// file, the admin API and the Go API keep the canonical ids, statuses and
// actions, so that a state written under one reading reads back under
// another.
type Compat map[string]bool

// ParseCompat reads a comma-separated list of switch and profile names
// (as the -compat flag takes it). "" and "default" give no switch.
func ParseCompat(s string) (Compat, error) {
	c := Compat{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if p, ok := CompatProfiles[name]; ok {
			for _, sw := range p {
				c[sw] = true
			}
			continue
		}
		known := false
		for _, sw := range CompatSwitches {
			known = known || sw == name
		}
		if !known {
			return nil, fmt.Errorf("unknown compatibility switch or profile %q (switches: %s; profiles: %s)",
				name, strings.Join(CompatSwitches, ", "), strings.Join(profileNames(), ", "))
		}
		c[name] = true
	}
	if c[CompatSpringErrors] && c[CompatProblemErrors] {
		return nil, fmt.Errorf("%s and %s are two shapes of the same error body: choose one", CompatSpringErrors, CompatProblemErrors)
	}
	return c, nil
}

// Has reports whether the switch is on.
func (c Compat) Has(name string) bool { return c[name] }

// String lists the switches that are on, sorted, comma-separated.
func (c Compat) String() string {
	var on []string
	for sw, v := range c {
		if v {
			on = append(on, sw)
		}
	}
	sort.Strings(on)
	return strings.Join(on, ",")
}

func profileNames() []string {
	var out []string
	for p := range CompatProfiles {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// distinctIDOffset separates an instance's internalResourceId from its id
// under CompatDistinctIDs: far enough that the one is never the other.
const distinctIDOffset = 100000000

// Statuses as CompatStatusSpellings spells them.
var statusSpellings = map[string]string{StatusActive: "RUNNING", StatusStopped: "POWERED_OFF"}

// internalResourceID is the internalResourceId an instance's id shows.
func (c Compat) internalResourceID(id int64) int64 {
	if c.Has(CompatDistinctIDs) {
		return id + distinctIDOffset
	}
	return id
}

// status is an instance (or node) status as /itcare answers spell it.
func (c Compat) status(st string) string {
	if alt, ok := statusSpellings[st]; ok && c.Has(CompatStatusSpellings) {
		return alt
	}
	return st
}

// instanceView is an instance as GET /itcare/databases/postgresql shows it.
func (c Compat) instanceView(in Instance) Instance {
	if c.Has(CompatDistinctIDs) {
		in.InternalResourceID = c.internalResourceID(in.ID)
	}
	in.Status = c.status(in.Status)
	return in
}

// nodeViews are an instance's nodes as GET …/{id}/nodes shows them: their
// status mirrors the instance's, so it is spelled the same way.
func (c Compat) nodeViews(nodes []Node) []Node {
	for i := range nodes {
		nodes[i].Status = c.status(nodes[i].Status)
	}
	return nodes
}

// actionView is an action as /itcare answers show it: without the
// emulator's bookkeeping, its internalId shaped by the switches.
func (c Compat) actionView(a Action) actionWire {
	a.FirstSeenCompletedAt = nil
	w := a.wire()
	switch {
	case c.Has(CompatNoInternalID):
		w.InternalID = nil
	case c.Has(CompatDistinctIDs):
		id := c.internalResourceID(a.InternalID)
		w.InternalID = &id
	}
	return w
}

// versionsView is the answer of GET …/{id}/versions.
func (c Compat) versionsView(versions []int64) any {
	if !c.Has(CompatStringVersions) {
		return versions
	}
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// defaultPageSize is the page size of a list whose client asks for none;
// a small one under CompatPagedLists, so that a client reading only the
// first page misses entries.
func (c Compat) defaultPageSize() int {
	if c.Has(CompatPagedLists) {
		return 2
	}
	return 20
}

// springError is Spring Boot's default error body (DefaultErrorAttributes).
type springError struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

// problemError is an RFC 9457 problem detail.
type problemError struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
}

// errorBody is the content type and body of an error answer to a request
// for path: the documented body unless a switch chooses another shape.
// The other shapes have no room for errorCode and errorDesc.
func (c Compat) errorBody(e *APIError, path string, now time.Time) (contentType string, body any) {
	switch {
	case c.Has(CompatSpringErrors):
		return "application/json", springError{Timestamp: fmtTime(now), Status: e.HTTPStatus,
			Error: http.StatusText(e.HTTPStatus), Message: e.ErrorMessage, Path: path}
	case c.Has(CompatProblemErrors):
		return "application/problem+json", problemError{Type: "about:blank", Title: http.StatusText(e.HTTPStatus),
			Status: e.HTTPStatus, Detail: e.ErrorMessage, Instance: path}
	}
	return MediaType, e
}
