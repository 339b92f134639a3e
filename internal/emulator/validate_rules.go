package emulator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// createRule is one row of createRules: how a field of a create body is
// read, which rules it must keep and where it goes in the request.
type createRule struct {
	field string
	kind  valueKind
	// applies, when set, limits the row to some bodies (an HA create, a
	// production service); the field's type is checked regardless.
	applies func(c *createCheck, v value) bool
	// missing, when set, is the rule an absent, null or empty value
	// breaks; present, when set, the rule any value breaks.
	missing, present string
	// def stands for an absent value, and for 0 too with zeroIsAbsent.
	def          *value
	zeroIsAbsent bool
	checks       []check
	set          func(r *createRequest, v value)
}

// check returns the rule a value breaks, "" when it keeps it.
type check func(c *createCheck, v value) string

// createCheck is one create body on its way through createRules.
type createCheck struct {
	s                *Server
	req              *createRequest
	passwordRequired bool
}

// valueKind is what a field holds; fields coerces each kind as Jackson
// does.
type valueKind int

const (
	kindString valueKind = iota
	kindInt
	kindBool
)

// value is a field as read; ok is false when it is absent or null.
type value struct {
	ok  bool
	str string
	num int64
	yes bool
}

func (k valueKind) read(f fields, name string) (value, *APIError) {
	var v value
	var e *APIError
	switch k {
	case kindString:
		v.str, v.ok, e = f.str(name)
	case kindInt:
		v.num, v.ok, e = f.integer(name)
	default:
		v.yes, v.ok, e = f.boolean(name)
	}
	return v, e
}

// apply checks one row against the body and stores the value when it
// keeps every rule.
func (c *createCheck) apply(r createRule, f fields) *APIError {
	v, e := r.kind.read(f, r.field)
	if e != nil {
		return e
	}
	if r.applies != nil && !r.applies(c, v) {
		return nil
	}
	if r.def != nil && (!v.ok || r.zeroIsAbsent && v.num == 0) {
		v = *r.def
	}
	missing := !v.ok || r.kind == kindString && v.str == ""
	switch {
	case r.missing != "" && missing:
		return fieldErr(r.field, r.missing)
	case r.present != "" && v.ok:
		return fieldErr(r.field, r.present)
	}
	for _, chk := range r.checks {
		if rule := chk(c, v); rule != "" {
			return fieldErr(r.field, rule)
		}
	}
	if r.set != nil {
		r.set(c.req, v)
	}
	return nil
}

// flag is an optional boolean with its default.
func flag(field string, def bool, set func(r *createRequest, b bool)) createRule {
	return createRule{field: field, kind: kindBool, def: &value{ok: true, yes: def},
		set: func(r *createRequest, v value) { set(r, v.yes) }}
}

// optionalString is a string stored as sent, "" when absent.
func optionalString(field string) createRule {
	return createRule{field: field, kind: kindString,
		set: func(r *createRequest, v value) { r.Strings[field] = v.str }}
}

func length(minLen, maxLen int, rule string) check {
	return func(_ *createCheck, v value) string {
		if len(v.str) < minLen || len(v.str) > maxLen {
			return rule
		}
		return ""
	}
}

func matches(re *regexp.Regexp, rule string) check {
	return func(_ *createCheck, v value) string {
		if !re.MatchString(v.str) {
			return rule
		}
		return ""
	}
}

func isNot(word, rule string) check {
	return func(_ *createCheck, v value) string {
		if v.str == word {
			return rule
		}
		return ""
	}
}

func between(lo, hi int64, rule string) check {
	return func(_ *createCheck, v value) string {
		if v.num < lo || v.num > hi {
			return rule
		}
		return ""
	}
}

func notBlank(rule string) check {
	return func(_ *createCheck, v value) string {
		if strings.TrimSpace(v.str) == "" {
			return rule
		}
		return ""
	}
}

func uniqueName(c *createCheck, v value) string {
	if _, taken := c.s.instanceByNameLocked(v.str); taken {
		return fmt.Sprintf("an instance named '%s' already exists", v.str)
	}
	return ""
}

func knownArea(c *createCheck, v value) string {
	if _, known := c.s.areas[v.str]; !known {
		return fmt.Sprintf("unknown area '%s'", v.str)
	}
	return ""
}

func strongPassword(_ *createCheck, v value) string { return passwordProblem(v.str) }

func supportedMajor(_ *createCheck, v value) string {
	major, err := strconv.Atoi(v.str)
	if _, supported := majors[major]; err != nil || !supported {
		return fmt.Sprintf("must be one of %d to %d", minMajor, maxMajor)
	}
	return ""
}

func knownService(c *createCheck, v value) string {
	if _, known := c.s.services[v.num]; !known {
		return fmt.Sprintf("unknown service %d", v.num)
	}
	return ""
}

// knownNetworkOfArea follows the area row, whose value is in the request.
func knownNetworkOfArea(c *createCheck, v value) string {
	nw, known := c.s.networks[v.num]
	switch {
	case !known:
		return fmt.Sprintf("unknown network %d", v.num)
	case nw.Area != c.req.Area:
		return fmt.Sprintf("network %d is in area '%s', not '%s'", v.num, nw.Area, c.req.Area)
	}
	return ""
}

func knownTopology(_ *createCheck, v value) string {
	if t := strings.ToUpper(v.str); t != "STANDALONE" && t != "HA" {
		return "must be STANDALONE or HA"
	}
	return ""
}

func zoneOfArea(c *createCheck, v value) string {
	if ar := c.s.areas[c.req.Area]; !ar.hasZone(v.str) {
		return fmt.Sprintf("must be one of the zones of area '%s': %s", c.req.Area, strings.Join(ar.Zones, ", "))
	}
	return ""
}

// passwordExpected: a create needs the admin password, a seed checks it
// only when given.
func passwordExpected(c *createCheck, v value) bool { return v.ok || c.passwordRequired }

func ha(c *createCheck, _ value) bool { return c.req.Topology == "HA" }

// productionWithout applies a row to a production service's instance
// created without what enabled says.
func productionWithout(enabled func(r *createRequest) bool) func(c *createCheck, _ value) bool {
	return func(c *createCheck, _ value) bool {
		return c.s.services[c.req.ServiceID].Environment == "PRODUCTION" && !enabled(c.req)
	}
}
