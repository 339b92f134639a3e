package probe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAnswer is one scripted answer; body is sent as is when it is a
// string, as JSON otherwise.
type fakeAnswer struct {
	status int
	media  string
	body   any
}

// fakeAPI answers scripted bodies by method, path and query, to show the
// probe shapes the emulator does not play. Requests not scripted get the
// documented 404.
type fakeAPI struct {
	t       *testing.T
	srv     *httptest.Server
	answers map[string]fakeAnswer
	token   string

	mu      sync.Mutex
	methods []string
}

const (
	fakeID     = "7"
	fakeName   = "pgone"
	fakeToken  = "fake-access-token-0123456789"
	fakeSecret = "fake-secret-9876543210"
)

func fakeInstance() map[string]any {
	return map[string]any{
		"id": 7, "internalResourceId": 7, "name": fakeName, "status": "ACTIVE",
		"backupStatus": true, "replicationStatus": false,
		// One of each form the client reads.
		"creationTime":      "2025-05-08T22:13:32.563Z",
		"releasedAt":        "2022-10-13T00:00:00+02:00",
		"endOfSalesAt":      "2026-11-12T00:00:00.000+0200",
		"endOfSupportAt":    "2027-11-11T00:00:00",
		"extendedSupportAt": nil,
		"patchParty":        map[string]any{"patchDate": "2025-06-01T20:00:00Z", "exclusionDate": nil},
	}
}

func fakeAction(id int, status, resource string, internalID any) map[string]any {
	return map[string]any{"id": id, "status": status, "resourceName": resource, "internalId": internalID,
		"submittedAt": "2025-05-08T22:13:32.563Z"}
}

// documentedAnswers is an API that answers as the client assumes.
func documentedAnswers() map[string]fakeAnswer {
	inst := fakeInstance()
	a1, a2, a3 := fakeAction(11, "SUCCESS", fakeName, 7), fakeAction(12, "ERROR", fakeName, 7), fakeAction(13, "IN_PROGRESS", fakeName, 7)
	return map[string]fakeAnswer{
		"GET /itcare/health":                                               {200, "application/json", map[string]any{"status": "UP"}},
		"GET /itcare/databases/postgresql/7":                               {200, vendorJSON, inst},
		"GET /itcare/databases/postgresql?name=pgone":                      {200, vendorJSON, []any{inst}},
		"GET /itcare/databases/postgresql/7/versions":                      {200, vendorJSON, []any{16, 17}},
		"GET /itcare/actions?resourceId=7":                                 {200, vendorJSON, []any{a3, a2, a1}},
		"GET /itcare/actions?resourceId=7&statuses=SUCCESS&statuses=ERROR": {200, vendorJSON, []any{a2, a1}},
		"GET /itcare/actions?resourceId=7&statuses=IN_PROGRESS":            {200, vendorJSON, []any{a3}},
	}
}

const vendorJSON = "application/vnd.cegedim-it.v1+json"

func documented404() fakeAnswer {
	return fakeAnswer{404, vendorJSON, map[string]any{"status": "NOT_FOUND", "errorCode": "NOT_FOUND", "errorDesc": "id", "errorMessage": "not found"}}
}

func newFakeAPI(t *testing.T, edit func(map[string]fakeAnswer)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, answers: documentedAnswers(), token: fakeToken}
	f.answers["POST /token"] = fakeAnswer{200, "application/json", map[string]any{
		"access_token": fakeToken, "token_type": "Bearer", "expires_in": 1200}}
	if edit != nil {
		edit(f.answers)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.methods = append(f.methods, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	key := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		// The probe encodes queries with url.Values.Encode: sorted keys.
		q, _ := url.ParseQuery(r.URL.RawQuery)
		key += "?" + q.Encode()
	}
	if strings.HasPrefix(r.URL.Path, "/itcare/") && r.URL.Path != "/itcare/health" &&
		r.Header.Get("Authorization") != "Bearer "+f.token {
		if a, ok := f.answers["unauthorized"]; ok {
			f.write(w, a)
			return
		}
		f.write(w, fakeAnswer{401, vendorJSON, map[string]any{"status": "UNAUTHORIZED", "errorCode": "UNAUTHORIZED", "errorDesc": "", "errorMessage": "bad token"}})
		return
	}
	a, ok := f.answers[key]
	if !ok {
		a, ok = f.answers["default"]
	}
	if !ok {
		a = documented404()
	}
	f.write(w, a)
}

func (f *fakeAPI) write(w http.ResponseWriter, a fakeAnswer) {
	if a.media != "" {
		w.Header().Set("Content-Type", a.media)
	}
	w.WriteHeader(a.status)
	switch b := a.body.(type) {
	case nil:
	case string:
		_, _ = w.Write([]byte(b))
	default:
		_ = json.NewEncoder(w).Encode(b)
	}
}

func (f *fakeAPI) config() Config {
	return Config{
		APIURL: f.srv.URL + "/itcare", TokenURL: f.srv.URL + "/token",
		ClientID: "probe-client", ClientSecret: fakeSecret, InstanceID: 7, Timeout: 5 * time.Second,
	}
}

func (f *fakeAPI) run() []Row {
	f.t.Helper()
	rows, err := Run(context.Background(), f.config())
	if err != nil {
		f.t.Fatalf("Run: %v", err)
	}
	return rows
}

func seenOf(rows []Row, id string) string {
	for _, r := range rows {
		if r.ID == id {
			return r.Seen
		}
	}
	return ""
}

// Each reading of the API shows as the rows it changes, with what was
// seen; the rest hold.
func TestProbeReadings(t *testing.T) {
	inst := fakeInstance
	page := func(content []any, number int, last bool) map[string]any {
		return map[string]any{"content": content, "number": number, "last": last, "size": 1, "totalPages": 2}
	}
	other := map[string]any{"id": 8, "name": "pgtwo"}
	for _, tc := range []struct {
		name string
		edit func(map[string]fakeAnswer)
		want map[string]Result
		seen map[string]string // row → a part of its SEEN
	}{
		{name: "documented", seen: map[string]string{
			"dates":        "+hhmm with a fraction ×1",
			"list-by-name": "bare array of 1 instance",
			"actions-list": "bare array of 3 actions",
		}},
		{name: "health not served", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/health"] = fakeAnswer{404, "text/html", "<html>Not Found</html>"}
		}, want: map[string]Result{"health": Differs}, seen: map[string]string{"health": "a web page (404 text/html)"}},
		{name: "health is a login page", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/health"] = fakeAnswer{200, "text/html", "<!doctype html><p>log in</p>"}
		}, want: map[string]Result{"health": Differs, "media-type": Differs}, seen: map[string]string{"health": "not the API's health check"}},
		{name: "gateway 404", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{404, "text/html", "<html><body>404</body></html>"}
		}, want: map[string]Result{"not-found": Differs, "error-body": Differs}, seen: map[string]string{"error-body": "a web page"}},
		{name: "empty 404", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{404, "", nil}
		}, want: map[string]Result{"error-body": Differs}, seen: map[string]string{"error-body": "empty body"}},
		{name: "spring 404", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{404, "application/json", map[string]any{"timestamp": "2025-05-08T22:13:32.563+00:00", "status": 404, "error": "Not Found", "path": "/itcare/x"}}
		}, want: map[string]Result{"error-body": Differs}, seen: map[string]string{"error-body": "Spring's default body"}},
		{name: "problem 404", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{404, "application/problem+json", map[string]any{"type": "about:blank", "title": "Not Found", "status": 404, "detail": "x", "instance": "/x"}}
		}, want: map[string]Result{"error-body": Differs}, seen: map[string]string{"error-body": "RFC 9457 problem"}},
		{name: "other error body", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{404, "application/json", map[string]any{"code": 404, "reason": "gone"}}
		}, want: map[string]Result{"error-body": Differs}, seen: map[string]string{"error-body": "other: keys code, reason"}},
		{name: "unknown id is a bad request", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{400, vendorJSON, map[string]any{"status": "BAD_REQUEST", "errorCode": "INVALID_FIELD_VALUE", "errorDesc": "id", "errorMessage": "too large"}}
		}, want: map[string]Result{"not-found": Differs}, seen: map[string]string{"error-body": "(a 400)"}},
		{name: "distinct internal ids", edit: func(m map[string]fakeAnswer) {
			in := inst()
			in["internalResourceId"] = 100000007
			m["GET /itcare/databases/postgresql/7"] = fakeAnswer{200, vendorJSON, in}
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, []any{}}
			acts := []any{fakeAction(11, "SUCCESS", fakeName, 100000007)}
			m["GET /itcare/actions?resourceName=pgone"] = fakeAnswer{200, vendorJSON, acts}
			m["GET /itcare/actions?resourceName=pgone&statuses=SUCCESS&statuses=ERROR"] = fakeAnswer{200, vendorJSON, acts}
			m["GET /itcare/actions?resourceName=pgone&statuses=IN_PROGRESS"] = fakeAnswer{200, vendorJSON, []any{}}
		}, want: map[string]Result{"internal-id": Differs, "action-internal-id": Differs}, seen: map[string]string{
			"internal-id":        "internalResourceId 100000007 ≠ id 7",
			"action-internal-id": "internalId 100000007 (the internalResourceId) ≠ id 7",
			"actions-list":       "resourceId matched none, resourceName=pgone matched 1",
		}},
		{name: "no internalId", edit: func(m map[string]fakeAnswer) {
			a := fakeAction(11, "SUCCESS", fakeName, nil)
			delete(a, "internalId")
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, []any{a}}
			m["GET /itcare/actions?resourceId=7&statuses=SUCCESS&statuses=ERROR"] = fakeAnswer{200, vendorJSON, []any{a}}
			m["GET /itcare/actions?resourceId=7&statuses=IN_PROGRESS"] = fakeAnswer{200, vendorJSON, []any{}}
		}, want: map[string]Result{"action-internal-id": Differs}, seen: map[string]string{"action-internal-id": "no internalId in actions"}},
		{name: "no collection", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql?name=pgone"] = fakeAnswer{405, vendorJSON, map[string]any{"status": "METHOD_NOT_ALLOWED", "errorCode": "X", "errorDesc": "", "errorMessage": "no"}}
		}, want: map[string]Result{"list-by-name": Differs}, seen: map[string]string{"list-by-name": "405: no collection GET"}},
		{name: "name filter ignored", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql?name=pgone"] = fakeAnswer{200, vendorJSON, []any{other, inst()}}
		}, seen: map[string]string{"list-by-name": "1 of another name"}},
		{name: "instance on a second page", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql?name=pgone"] = fakeAnswer{200, vendorJSON, page([]any{other}, 0, false)}
			m["GET /itcare/databases/postgresql?name=pgone&page=1"] = fakeAnswer{200, vendorJSON, page([]any{inst()}, 1, true)}
		}, seen: map[string]string{"list-by-name": "page envelope (2 pages) of 2 instances"}},
		{name: "instance missing from the list", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql?name=pgone"] = fakeAnswer{200, vendorJSON, []any{}}
		}, want: map[string]Result{"list-by-name": Differs}, seen: map[string]string{"list-by-name": "instance 7 is missing"}},
		{name: "actions paged", edit: func(m map[string]fakeAnswer) {
			a1, a2 := fakeAction(11, "SUCCESS", fakeName, 7), fakeAction(12, "SUCCESS", fakeName, 7)
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, page([]any{a1}, 0, false)}
			m["GET /itcare/actions?page=1&resourceId=7"] = fakeAnswer{200, vendorJSON, page([]any{a2}, 1, true)}
			m["GET /itcare/actions?resourceId=7&statuses=SUCCESS&statuses=ERROR"] = fakeAnswer{200, vendorJSON, page([]any{a1}, 0, false)}
			m["GET /itcare/actions?page=1&resourceId=7&statuses=SUCCESS&statuses=ERROR"] = fakeAnswer{200, vendorJSON, page([]any{a2}, 1, true)}
			m["GET /itcare/actions?resourceId=7&statuses=IN_PROGRESS"] = fakeAnswer{200, vendorJSON, page([]any{}, 0, true)}
		}, want: map[string]Result{"actions-list": Differs}, seen: map[string]string{
			"actions-list":     "page envelope: read page by page (2 actions in 2 pages)",
			"actions-statuses": "2 actions SUCCESS or ERROR",
		}},
		{name: "no action list", edit: func(m map[string]fakeAnswer) {
			m["default"] = fakeAnswer{405, vendorJSON, map[string]any{"status": "METHOD_NOT_ALLOWED", "errorCode": "X", "errorDesc": "", "errorMessage": "no"}}
			m["GET /itcare/databases/postgresql/9223372036854775807"] = documented404()
			for k := range m {
				if strings.HasPrefix(k, "GET /itcare/actions") {
					delete(m, k)
				}
			}
		}, want: map[string]Result{
			"actions-list": Differs, "actions-statuses": CouldNotTell, "action-status-words": CouldNotTell, "action-internal-id": CouldNotTell,
		}, seen: map[string]string{"actions-list": "no action list (405)", "action-internal-id": "no action list (405"}},
		{name: "no action yet", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, []any{}}
			m["GET /itcare/actions?resourceName=pgone"] = fakeAnswer{200, vendorJSON, []any{}}
		}, want: map[string]Result{
			"actions-statuses": CouldNotTell, "action-status-words": CouldNotTell, "action-internal-id": CouldNotTell,
		}, seen: map[string]string{"action-internal-id": "no action for the instance"}},
		{name: "resourceId ignored", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, []any{fakeAction(11, "SUCCESS", fakeName, 7), fakeAction(9, "SUCCESS", "pgtwo", 8)}}
		}, want: map[string]Result{"actions-list": Differs}, seen: map[string]string{"actions-list": "1 of 2 actions name other resources"}},
		{name: "statuses ignored", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/actions?resourceId=7&statuses=IN_PROGRESS"] = m["GET /itcare/actions?resourceId=7"]
			m["GET /itcare/actions?resourceId=7&statuses=SUCCESS&statuses=ERROR"] = m["GET /itcare/actions?resourceId=7"]
		}, want: map[string]Result{"actions-statuses": Differs}, seen: map[string]string{"actions-statuses": "IN_PROGRESS ×1"}},
		{name: "one repeated status kept", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/actions?resourceId=7&statuses=SUCCESS&statuses=ERROR"] = fakeAnswer{200, vendorJSON, []any{fakeAction(11, "SUCCESS", fakeName, 7)}}
		}, want: map[string]Result{"actions-statuses": Differs}, seen: map[string]string{"actions-statuses": "1 of the 2"}},
		{name: "other action status", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/actions?resourceId=7"] = fakeAnswer{200, vendorJSON, []any{fakeAction(11, "QUEUED", fakeName, 7), fakeAction(12, "SUCCESS", fakeName, 7)}}
		}, want: map[string]Result{"action-status-words": Differs}, seen: map[string]string{"action-status-words": "QUEUED ×1"}},
		{name: "instance status spelled otherwise", edit: func(m map[string]fakeAnswer) {
			in := inst()
			in["status"] = "RUNNING"
			m["GET /itcare/databases/postgresql/7"] = fakeAnswer{200, vendorJSON, in}
		}, want: map[string]Result{"instance-status": Differs}, seen: map[string]string{"instance-status": "RUNNING"}},
		{name: "id is another", edit: func(m map[string]fakeAnswer) {
			in := inst()
			in["id"] = "7"
			m["GET /itcare/databases/postgresql/7"] = fakeAnswer{200, vendorJSON, in}
		}, want: map[string]Result{"instance-id": Differs}, seen: map[string]string{"instance-id": `id is "7"`}},
		{name: "versions as strings", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql/7/versions"] = fakeAnswer{200, vendorJSON, []any{"16", "17"}}
		}, want: map[string]Result{"versions": Differs}, seen: map[string]string{"versions": `numeric strings ["16","17"]`}},
		{name: "latest version", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/databases/postgresql/7/versions"] = fakeAnswer{200, vendorJSON, []any{}}
		}, want: map[string]Result{"versions": CouldNotTell}},
		{name: "backup status as a string", edit: func(m map[string]fakeAnswer) {
			in := inst()
			in["backupStatus"] = "ENABLED"
			delete(in, "replicationStatus")
			m["GET /itcare/databases/postgresql/7"] = fakeAnswer{200, vendorJSON, in}
		}, want: map[string]Result{"backup-status": Differs}, seen: map[string]string{"backup-status": `backupStatus is "ENABLED", replicationStatus missing`}},
		{name: "unparseable dates", edit: func(m map[string]fakeAnswer) {
			in := inst()
			in["creationTime"] = "08/05/2025 22:13"
			in["patchParty"] = map[string]any{"patchDate": "2025-06-01", "exclusionDate": 1748808000000}
			m["GET /itcare/databases/postgresql/7"] = fakeAnswer{200, vendorJSON, in}
		}, want: map[string]Result{"dates": Differs}, seen: map[string]string{
			"dates": `creationTime "08/05/2025 22:13", patchParty.patchDate "2025-06-01", patchParty.exclusionDate 1748808000000`,
		}},
		{name: "plain text answer", edit: func(m map[string]fakeAnswer) {
			m["GET /itcare/health"] = fakeAnswer{200, "text/plain", "UP"}
		}, want: map[string]Result{"media-type": Differs}, seen: map[string]string{"media-type": "text/plain ×1"}},
		{name: "short token", edit: func(m map[string]fakeAnswer) {
			m["POST /token"] = fakeAnswer{200, "application/json", map[string]any{"access_token": fakeToken, "token_type": "mac", "expires_in": 30}}
		}, want: map[string]Result{"token": Differs}, seen: map[string]string{"token": `token_type "mac", expires_in 30 s`}},
		{name: "invalid token forbidden", edit: func(m map[string]fakeAnswer) {
			m["unauthorized"] = fakeAnswer{403, "text/html", "<html>denied</html>"}
		}, want: map[string]Result{"api-401": Differs}, seen: map[string]string{"api-401": "a web page (403 text/html)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, tc.edit)
			rows := f.run()
			got := changed(rows)
			want := tc.want
			if want == nil {
				want = map[string]Result{}
			}
			if describe(got) != describe(want) {
				t.Errorf("rows that do not hold: %s, want %s", describe(got), describe(want))
			}
			for id, part := range tc.seen {
				if s := seenOf(rows, id); !strings.Contains(s, part) {
					t.Errorf("%s: seen %q, want it to say %q", id, s, part)
				}
			}
			if t.Failed() {
				t.Log("\n" + rowsText(rows))
			}
			for _, m := range f.methods {
				if strings.HasPrefix(m, "GET ") || m == "POST /token" {
					continue
				}
				t.Errorf("request %s", m)
			}
		})
	}
}

// The token and the secret never appear, even when the API echoes them.
func TestProbeRedactsEchoes(t *testing.T) {
	f := newFakeAPI(t, func(m map[string]fakeAnswer) {
		m["default"] = fakeAnswer{404, "text/plain", "no route for token " + fakeToken + " and secret " + fakeSecret}
		m["GET /itcare/databases/postgresql/7/versions"] = fakeAnswer{200, vendorJSON, []any{fakeToken, fakeSecret}}
	})
	rows := f.run()
	out := rowsText(rows)
	for _, s := range []string{fakeToken, fakeSecret} {
		if strings.Contains(out, s) {
			t.Errorf("output holds %q:\n%s", s, out)
		}
	}
	if !strings.Contains(seenOf(rows, "error-body"), "***") {
		t.Errorf("error-body: %q, want the echo redacted", seenOf(rows, "error-body"))
	}
}
