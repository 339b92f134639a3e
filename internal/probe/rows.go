package probe

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

const (
	pgPath = "/databases/postgresql"
	// unknownID is a valid int64 that no instance has: the largest.
	unknownID = "9223372036854775807"
	// invalidToken is sent to see how the API refuses a token.
	invalidToken = "itcare-probe-invalid-token"
	// maxPages bounds the pages read of one list, as the client does.
	maxPages = 100
)

// RowDef is one assumption of the client. ID is a contract: the client's
// documentation names it ("Probe row: <id>") next to the assumption.
type RowDef struct {
	ID         string
	Assumption string
	// NotChecked says why a row without a check cannot be checked
	// read-only.
	NotChecked string
	check      func(*run) (Result, string)
}

// Rows are the assumptions, in the order of the probe's output.
var Rows = []RowDef{
	{ID: "health", Assumption: "GET <api>/health answers 2xx, which proves the base URL so that its 404s can be trusted", check: checkHealth},
	{ID: "not-found", Assumption: "GET <api>/databases/postgresql/<unknown id> answers 404, not a web page", check: checkNotFound},
	{ID: "error-body", Assumption: "an error body is {status (a string), errorCode, errorDesc, errorMessage}", check: checkErrorBody},
	{ID: "instance-id", Assumption: "GET <api>/databases/postgresql/<id> answers the instance whose id is <id>", check: checkInstanceID},
	{ID: "internal-id", Assumption: "the read model's internalResourceId equals its id, so a 202's internalId names the instance either way", check: checkInternalID},
	{ID: "action-internal-id", Assumption: "the instance's actions carry internalId = the instance's id", check: checkActionInternalID},
	{ID: "list-by-name", Assumption: "GET <api>/databases/postgresql?name=<name> lists the instance (bare array or page envelope)", check: checkListByName},
	{ID: "actions-list", Assumption: "GET <api>/actions?resourceId=<id> answers a bare JSON array", check: checkActionsList},
	{ID: "actions-statuses", Assumption: "GET <api>/actions takes several statuses as a repeated statuses parameter and answers only those", check: checkActionsStatuses},
	{ID: "action-status-words", Assumption: "an action's status is IN_PROGRESS, SUCCESS or ERROR", check: checkActionStatusWords},
	{ID: "instance-status", Assumption: "an instance's status is ACTIVE, STOPPED, CREATING, UPDATING, DELETING or ERROR", check: checkInstanceStatus},
	{ID: "versions", Assumption: "GET <api>/databases/postgresql/<id>/versions answers a JSON array of numbers", check: checkVersions},
	{ID: "backup-status", Assumption: "the read model's backupStatus and replicationStatus are booleans that report what the create asked", check: checkBackupStatus},
	{ID: "dates", Assumption: "dates are RFC 3339 with Z, +hh:mm or +hhmm, with or without a fraction, or without an offset (UTC)", check: checkDates},
	{ID: "media-type", Assumption: "2xx answers are application/vnd.cegedim-it.v1+json or application/json", check: checkMediaType},
	{ID: "token", Assumption: "the token endpoint answers an access_token of token_type Bearer with expires_in above 60 s", check: checkToken},
	{ID: "api-401", Assumption: "the API answers 401 to an invalid bearer token", check: checkAPI401},
	{ID: "action-visible-after-202", Assumption: "an action id may be unreadable for a moment right after its 202", NotChecked: "needs a write; the probe only reads"},
	{ID: "write-answers", Assumption: "a write answers 202 with an action {id, internalId, status…}; an empty 202 or another 2xx is handled", NotChecked: "needs a write; the probe only reads"},
	{ID: "rate-limit", Assumption: "429 means refused before any work; Retry-After is seconds or an HTTP date", NotChecked: "needs a fault (a rate limit)"},
	{ID: "gateway-errors", Assumption: "502/503/504 come from a gateway that may have forwarded the request; 500 is the API's own answer", NotChecked: "needs a fault (a gateway or API failure)"},
	{ID: "change-reference", Assumption: "upgrade accepts, or needs, a changeReference", NotChecked: "needs a write (an upgrade); the probe only reads"},
}

func checkHealth(r *run) (Result, string) {
	a := r.health
	if a.ok() && !a.html() {
		return Holds, a.brief()
	}
	if a.ok() {
		return Differs, a.brief() + ": not the API's health check"
	}
	return Differs, a.brief()
}

func checkNotFound(r *run) (Result, string) {
	a := r.get(pgPath+"/"+unknownID, nil)
	if a.err != nil {
		return CouldNotTell, a.brief()
	}
	if a.status == http.StatusNotFound && !a.html() {
		return Holds, fmt.Sprintf("GET …/postgresql/%s: %s", unknownID, a.brief())
	}
	return Differs, fmt.Sprintf("GET …/postgresql/%s: %s", unknownID, a.brief())
}

func checkErrorBody(r *run) (Result, string) {
	a := r.get(pgPath+"/"+unknownID, nil)
	if a.err != nil || a.status < 400 {
		return CouldNotTell, "the unknown id answered " + a.brief() + ": no error body to read"
	}
	prefix := ""
	if a.status != http.StatusNotFound {
		prefix = fmt.Sprintf("(a %d) ", a.status)
	}
	res, seen := errorShape(a)
	return res, prefix + seen
}

// errorShape names the shape of an error body.
func errorShape(a *answer) (Result, string) {
	if len(strings.TrimSpace(string(a.body))) == 0 {
		return Differs, "empty body"
	}
	if a.html() {
		return Differs, "a web page (" + a.media + ")"
	}
	v, err := a.decode()
	if err != nil {
		return Differs, "not JSON: " + excerpt(a.body, 80)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Differs, "JSON that is not an object: " + excerpt(a.body, 80)
	}
	status, statusIsString := obj["status"].(string)
	_, statusIsNumber := obj["status"].(jsonNumber)
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case statusIsString && has("errorCode", "errorDesc", "errorMessage"):
		code, _ := obj["errorCode"].(string)
		return Holds, fmt.Sprintf("status %q, errorCode %q (%s)", status, code, a.media)
	case a.media == "application/problem+json" || statusIsNumber && has("title") && (has("type") || has("detail")):
		return Differs, "RFC 9457 problem (type, title, status, detail): keys " + keys(obj)
	case statusIsNumber && has("error") && (has("path") || has("timestamp")):
		return Differs, "Spring's default body (timestamp, status number, error, message, path): keys " + keys(obj)
	}
	return Differs, "other: keys " + keys(obj)
}

func keys(m map[string]any) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func checkInstanceID(r *run) (Result, string) {
	if r.inst == nil {
		return Differs, "not a JSON object: " + r.instAns.brief() + " " + excerpt(r.instAns.body, 60)
	}
	v, present := r.inst["id"]
	id, ok := int64Of(v)
	switch {
	case !present || v == nil:
		return Differs, "no id in the read model"
	case !ok:
		return Differs, fmt.Sprintf("id is %s, not an integer", jsonText(v))
	case id != r.id:
		return Differs, fmt.Sprintf("id %d for path id %d", id, r.id)
	}
	return Holds, fmt.Sprintf("id %d", id)
}

func checkInternalID(r *run) (Result, string) {
	if r.inst == nil {
		return CouldNotTell, "the instance is not a JSON object"
	}
	v, present := r.inst["internalResourceId"]
	if !present || v == nil {
		return CouldNotTell, "no internalResourceId in the read model"
	}
	n, ok := int64Of(v)
	if !ok {
		return Differs, fmt.Sprintf("internalResourceId is %s, not an integer", jsonText(v))
	}
	if n != r.id {
		return Differs, fmt.Sprintf("internalResourceId %d ≠ id %d", n, r.id)
	}
	return Holds, fmt.Sprintf("internalResourceId = id = %d", n)
}

func checkActionInternalID(r *run) (Result, string) {
	v := r.actions()
	if len(v.own) == 0 {
		return CouldNotTell, v.why()
	}
	var absent, equal int
	other := map[string]int{}
	for _, act := range v.own {
		x, present := act["internalId"]
		switch n, ok := int64Of(x); {
		case !present || x == nil:
			absent++
		case ok && n == r.id:
			equal++
		default:
			other[jsonText(x)]++
		}
	}
	total := len(v.own)
	from := fmt.Sprintf("%s (%s)", plural(total, "action"), v.keyText)
	switch {
	case absent == total:
		return Differs, "no internalId in actions: " + from
	case len(other) > 0:
		var parts []string
		irid, _ := int64Of(r.inst["internalResourceId"])
		for x, n := range other {
			what := "internalId " + x
			if x == fmt.Sprint(irid) && irid != r.id {
				what += " (the internalResourceId)"
			}
			parts = append(parts, fmt.Sprintf("%s ≠ id %d on %d", what, r.id, n))
		}
		sort.Strings(parts)
		return Differs, strings.Join(parts, "; ") + " of " + from
	case absent > 0:
		return Differs, fmt.Sprintf("no internalId in %d of %s", absent, from)
	}
	return Holds, fmt.Sprintf("internalId = id %d on %s%s", r.id, from, v.note())
}

func checkListByName(r *run) (Result, string) {
	if r.name == "" {
		return CouldNotTell, "no name: -name not given and the read model shows none"
	}
	l := r.list(pgPath, url.Values{"name": {r.name}})
	a := l.first
	switch {
	case a.err != nil:
		return CouldNotTell, a.brief()
	case a.status == http.StatusNotFound || a.status == http.StatusMethodNotAllowed:
		return Differs, fmt.Sprintf("%d: no collection GET: import and data source by name need the id", a.status)
	case l.problem != "":
		return Differs, l.problem
	}
	var found bool
	others := 0
	for _, in := range l.items {
		if n, ok := int64Of(in["id"]); ok && n == r.id {
			found = true
		}
		if name, _ := in["name"].(string); !strings.EqualFold(name, r.name) {
			others++
		}
	}
	seen := fmt.Sprintf("%s of %s", l.describe(), plural(len(l.items), "instance"))
	if others > 0 {
		seen += fmt.Sprintf("; %d of another name (the name filter is not applied; the client keeps names equal to %q)", others, r.name)
	}
	if !found {
		return Differs, fmt.Sprintf("%s; instance %d is missing", seen, r.id)
	}
	return Holds, fmt.Sprintf("%s, %d among them", seen, r.id)
}

func checkActionsList(r *run) (Result, string) {
	v := r.actions()
	l := v.byID
	a := l.first
	switch {
	case a.err != nil:
		return CouldNotTell, a.brief()
	case a.status == http.StatusNotFound || a.status == http.StatusMethodNotAllowed:
		return Differs, fmt.Sprintf("no action list (%d)", a.status)
	case l.problem != "":
		return Differs, l.problem
	case l.shape == shapeEnvelope:
		return Differs, fmt.Sprintf("page envelope: read page by page (%s in %s)", plural(len(l.items), "action"), plural(l.pages, "page"))
	case v.foreign > 0:
		return Differs, fmt.Sprintf("bare array, but the resourceId filter is not applied: %d of %d actions name other resources", v.foreign, len(l.items))
	}
	return Holds, fmt.Sprintf("bare array of %s%s", plural(len(l.items), "action"), v.note())
}

func checkActionsStatuses(r *run) (Result, string) {
	v := r.actions()
	if v.key == nil {
		return CouldNotTell, v.why()
	}
	q := cloneValues(v.key)
	q["statuses"] = []string{"SUCCESS", "ERROR"}
	l := r.list("/actions", q)
	if l.first.err != nil {
		return CouldNotTell, l.first.brief()
	}
	if l.problem != "" {
		return Differs, "with statuses=SUCCESS&statuses=ERROR: " + l.problem
	}
	own, _ := r.split(l.items)
	if len(own) == 0 {
		return CouldNotTell, fmt.Sprintf("no SUCCESS or ERROR action (%s)", v.keyText)
	}
	if bad := statusCounts(own, "SUCCESS", "ERROR"); bad != "" {
		return Differs, "statuses=SUCCESS&statuses=ERROR answered " + bad + ": the filter is not applied"
	}
	want := 0
	for _, act := range v.own {
		if s, _ := act["status"].(string); s == "SUCCESS" || s == "ERROR" {
			want++
		}
	}
	if len(own) < want {
		return Differs, fmt.Sprintf("statuses=SUCCESS&statuses=ERROR answered %d of the %d such actions: a repeated statuses value is dropped", len(own), want)
	}
	q = cloneValues(v.key)
	q["statuses"] = []string{"IN_PROGRESS"}
	l2 := r.list("/actions", q)
	seen := fmt.Sprintf("%s SUCCESS or ERROR (%s)", plural(len(own), "action"), v.keyText)
	switch own2, _ := r.split(l2.items); {
	case l2.first.err != nil:
		seen += "; statuses=IN_PROGRESS: " + l2.first.brief()
	case l2.problem != "":
		return Differs, seen + "; statuses=IN_PROGRESS alone: " + l2.problem
	default:
		if bad := statusCounts(own2, "IN_PROGRESS"); bad != "" {
			return Differs, "statuses=IN_PROGRESS answered " + bad + ": the filter is not applied"
		}
		seen += fmt.Sprintf("; statuses=IN_PROGRESS answered %d", len(own2))
	}
	return Holds, seen
}

// statusCounts lists the actions whose status is none of allowed, as
// "SUCCESS ×2, QUEUED ×1"; empty when there are none.
func statusCounts(acts []map[string]any, allowed ...string) string {
	counts := map[string]int{}
	for _, act := range acts {
		s := jsonText(act["status"])
		if str, ok := act["status"].(string); ok {
			s = str
		}
		ok := false
		for _, a := range allowed {
			ok = ok || s == a
		}
		if !ok {
			counts[s]++
		}
	}
	return countText(counts)
}

func countText(counts map[string]int) string {
	var parts []string
	for s, n := range counts {
		parts = append(parts, fmt.Sprintf("%s ×%d", s, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func checkActionStatusWords(r *run) (Result, string) {
	v := r.actions()
	if len(v.own) == 0 {
		return CouldNotTell, v.why()
	}
	if bad := statusCounts(v.own, "IN_PROGRESS", "SUCCESS", "ERROR"); bad != "" {
		return Differs, "other statuses: " + bad
	}
	counts := map[string]int{}
	for _, act := range v.own {
		s, _ := act["status"].(string)
		counts[s]++
	}
	return Holds, fmt.Sprintf("%s: %s", plural(len(v.own), "action"), countText(counts))
}

func checkInstanceStatus(r *run) (Result, string) {
	if r.inst == nil {
		return CouldNotTell, "the instance is not a JSON object"
	}
	v, present := r.inst["status"]
	s, ok := v.(string)
	switch {
	case !present || v == nil:
		return Differs, "no status in the read model"
	case !ok:
		return Differs, "status is " + jsonText(v)
	}
	switch s {
	case "ACTIVE", "STOPPED", "CREATING", "UPDATING", "DELETING", "ERROR":
		return Holds, s
	}
	return Differs, s
}

func checkVersions(r *run) (Result, string) {
	a := r.get(pgPath+"/"+r.idText+"/versions", nil)
	switch {
	case a.err != nil:
		return CouldNotTell, a.brief()
	case !a.ok():
		return Differs, a.brief()
	}
	v, err := a.decode()
	if err != nil {
		return Differs, "not JSON: " + excerpt(a.body, 80)
	}
	arr, ok := v.([]any)
	if !ok {
		return Differs, "not a JSON array: " + excerpt(a.body, 80)
	}
	if len(arr) == 0 {
		return CouldNotTell, "[] (the instance is on the latest version offered)"
	}
	numbers, numericStrings := 0, 0
	for _, x := range arr {
		switch y := x.(type) {
		case jsonNumber:
			if _, ok := int64Of(y); ok {
				numbers++
			}
		case string:
			if digits.MatchString(y) {
				numericStrings++
			}
		}
	}
	text := excerpt(a.body, 80)
	switch {
	case numbers == len(arr):
		return Holds, text
	case numericStrings == len(arr):
		return Differs, "numeric strings " + text
	}
	return Differs, "other: " + text
}

var digits = regexp.MustCompile(`^[0-9]+$`)

func checkBackupStatus(r *run) (Result, string) {
	if r.inst == nil {
		return CouldNotTell, "the instance is not a JSON object"
	}
	var seen, bad []string
	for _, k := range []string{"backupStatus", "replicationStatus"} {
		v, present := r.inst[k]
		switch v.(type) {
		case bool:
			seen = append(seen, fmt.Sprintf("%s %v", k, v))
		default:
			if !present {
				bad = append(bad, k+" missing")
			} else {
				bad = append(bad, k+" is "+jsonText(v))
			}
		}
	}
	if len(bad) > 0 {
		return Differs, strings.Join(append(bad, seen...), ", ")
	}
	return Holds, strings.Join(seen, ", ") + " (whether they report what the create asked needs a create; the probe only reads)"
}

// dateLayouts are the forms the client's assumption names. Go's parser
// takes a fraction after the seconds when the layout has none.
var dateLayouts = []string{
	time.RFC3339,               // Z or +hh:mm
	"2006-01-02T15:04:05Z0700", // Z or +hhmm
	"2006-01-02T15:04:05",      // no offset
}

var (
	offsetColon = regexp.MustCompile(`[+-]\d\d:\d\d$`)
	offsetPlain = regexp.MustCompile(`[+-]\d{4}$`)
)

// dateForm parses s in one of the assumed forms and names the form.
func dateForm(s string) (string, bool) {
	parsed := false
	for _, layout := range dateLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			parsed = true
			break
		}
	}
	if !parsed {
		return "", false
	}
	var form string
	switch {
	case strings.HasSuffix(s, "Z"):
		form = "Z"
	case offsetColon.MatchString(s):
		form = "+hh:mm"
	case offsetPlain.MatchString(s):
		form = "+hhmm"
	default:
		form = "no offset"
	}
	if strings.Contains(s, ".") {
		form += " with a fraction"
	}
	return form, true
}

func checkDates(r *run) (Result, string) {
	if r.inst == nil {
		return CouldNotTell, "the instance is not a JSON object"
	}
	type field struct {
		name string
		v    any
	}
	fields := []field{}
	for _, k := range []string{"creationTime", "releasedAt", "endOfSalesAt", "endOfSupportAt", "extendedSupportAt"} {
		fields = append(fields, field{k, r.inst[k]})
	}
	pp, _ := r.inst["patchParty"].(map[string]any)
	for _, k := range []string{"patchDate", "exclusionDate"} {
		fields = append(fields, field{"patchParty." + k, pp[k]})
	}
	forms := map[string]int{}
	example := map[string]string{}
	var unset, bad []string
	for _, f := range fields {
		s, isString := f.v.(string)
		switch {
		case f.v == nil || isString && strings.TrimSpace(s) == "":
			unset = append(unset, f.name)
		case !isString:
			bad = append(bad, f.name+" "+jsonText(f.v))
		default:
			form, ok := dateForm(s)
			if !ok {
				bad = append(bad, fmt.Sprintf("%s %q", f.name, excerpt([]byte(s), 40)))
				continue
			}
			forms[form]++
			if example[form] == "" {
				example[form] = s
			}
		}
	}
	if len(bad) > 0 {
		return Differs, "unparseable: " + strings.Join(bad, ", ")
	}
	if len(forms) == 0 {
		return CouldNotTell, "no date set"
	}
	var parts []string
	for form, n := range forms {
		parts = append(parts, fmt.Sprintf("%s ×%d (e.g. %s)", form, n, example[form]))
	}
	sort.Strings(parts)
	seen := strings.Join(parts, ", ")
	if len(unset) > 0 {
		seen += "; not set: " + strings.Join(unset, ", ")
	}
	return Holds, seen
}

func checkMediaType(r *run) (Result, string) {
	good, bad := map[string]int{}, map[string]int{}
	for _, a := range r.answers {
		if !a.ok() {
			continue
		}
		switch a.media {
		case "application/vnd.cegedim-it.v1+json", "application/json":
			good[a.media]++
		default:
			m := a.media
			if m == "" {
				m = "no Content-Type"
			}
			bad[m]++
		}
	}
	switch {
	case len(bad) > 0:
		return Differs, countText(bad) + " (besides " + orNone(countText(good)) + ")"
	case len(good) == 0:
		return CouldNotTell, "no 2xx answer"
	}
	return Holds, countText(good)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func checkToken(r *run) (Result, string) {
	t := r.tok
	var problems []string
	typ, _ := t.tokenType.(string)
	if !strings.EqualFold(typ, "bearer") {
		problems = append(problems, "token_type "+jsonText(t.tokenType))
	}
	exp, ok := int64Of(t.expiresIn)
	switch {
	case t.expiresIn == nil:
		problems = append(problems, "no expires_in")
	case !ok:
		problems = append(problems, "expires_in "+jsonText(t.expiresIn)+" is not an integer")
	case exp <= 60:
		problems = append(problems, fmt.Sprintf("expires_in %d s, not above the client's 60 s margin", exp))
	}
	if len(problems) > 0 {
		return Differs, strings.Join(problems, ", ")
	}
	return Holds, fmt.Sprintf("token_type %s, expires_in %d s", typ, exp)
}

func checkAPI401(r *run) (Result, string) {
	a := r.getWith(r.api+pgPath+"/"+r.idText, invalidToken)
	switch {
	case a.err != nil:
		return CouldNotTell, a.brief()
	case a.status == http.StatusUnauthorized:
		return Holds, a.brief()
	}
	return Differs, a.brief()
}
