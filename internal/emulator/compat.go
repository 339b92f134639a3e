package emulator

import (
	"fmt"
	"sort"
	"strings"
)

// Compatibility switches: each plays a plausible alternative reading of a
// point the reference page leaves open, so that the provider (and a
// user's module) can be tested against it. Without any switch the emulator
// plays the readings listed in the package doc.
const (
	// CompatDistinctIDs gives every instance an internalResourceId unlike
	// its id, and puts that internalResourceId in the "internalId" of 202
	// bodies and actions: GET …/{internalId} is not the instance.
	CompatDistinctIDs = "distinct-ids"
	// CompatNoList removes the collection GET /databases/postgresql
	// (405, as Spring answers a path served for POST only).
	CompatNoList = "no-list"
	// CompatNoActionsList removes GET /actions (405); GET /actions/{id}
	// stays.
	CompatNoActionsList = "no-actions-list"
	// CompatNoInternalID leaves "internalId" out of 202 bodies and actions.
	CompatNoInternalID = "no-internal-id"
	// CompatStatusSpellings spells the instance statuses ACTIVE as
	// RUNNING and STOPPED as POWERED_OFF in every answer.
	CompatStatusSpellings = "status-spellings"
	// CompatSpringErrors answers errors with Spring Boot's default body
	// {timestamp, status (a number), error, message, path}.
	CompatSpringErrors = "spring-errors"
	// CompatProblemErrors answers errors with an RFC 9457 problem
	// (application/problem+json: type, title, status, detail, instance).
	CompatProblemErrors = "problem-errors"
	// CompatStringVersions answers GET …/{id}/versions with strings.
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
