package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Each switch's test has a documented row (no switch) and a row with the
// switch on, so that it fails both when the switch does nothing and when
// it leaks into the default behaviour.

func newCompatEnv(t *testing.T, c Compat, d time.Duration) *env {
	t.Helper()
	return newEnvWith(t, Config{ActionDuration: d, Compat: c})
}

func on(sw string) Compat { return Compat{sw: true} }

// num reads a JSON number as an int64 (ids fit a float64 exactly).
func num(t *testing.T, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	return int64(f)
}

func (e *env) admin(method, path string, body any) response {
	e.t.Helper()
	return e.callWith(method, path, body, "")
}

// actionList decodes GET /itcare/actions, a bare array or a page.
func actionList(t *testing.T, r response) []map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(r.raw, &list); err == nil {
		return list
	}
	var pg page[map[string]any]
	if err := json.Unmarshal(r.raw, &pg); err != nil {
		t.Fatalf("actions list: %v: %s", err, r.raw)
	}
	return pg.Content
}

var stopOp = map[string]any{"operation": "stop"}

func TestCompatDistinctIDs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		compat Compat
		offset int64
	}{
		{"documented", nil, 0},
		{CompatDistinctIDs, on(CompatDistinctIDs), distinctIDOffset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			seeded := e.seed(validCreate("seeded01"))
			created := e.mustStatus(e.call("POST", pgPath, validCreate("created01")), 202)
			in, _ := e.srv.InstanceByName("created01")
			if got := num(t, created.obj()["internalId"]); got != in.ID+tc.offset {
				t.Errorf("create 202 internalId %d, want %d", got, in.ID+tc.offset)
			}
			if got := num(t, e.waitAction(created.actionID())["internalId"]); got != in.ID+tc.offset {
				t.Errorf("GET action internalId %d, want %d", got, in.ID+tc.offset)
			}

			stop := e.mustStatus(e.call("PATCH", pgURL(seeded.ID), stopOp), 202)
			if got := num(t, stop.obj()["internalId"]); got != seeded.ID+tc.offset {
				t.Errorf("PATCH 202 internalId %d, want %d", got, seeded.ID+tc.offset)
			}
			// resourceId filters by the instance's id whatever internalId shows.
			list := actionList(t, e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions?resourceId=%d", seeded.ID), nil), 200))
			if len(list) != 1 || num(t, list[0]["internalId"]) != seeded.ID+tc.offset {
				t.Errorf("actions of %d: %v", seeded.ID, list)
			}

			got := e.get(seeded.ID)
			if num(t, got["id"]) != seeded.ID || num(t, got["internalResourceId"]) != seeded.ID+tc.offset {
				t.Errorf("read model id %v internalResourceId %v", got["id"], got["internalResourceId"])
			}
			wantStatus := http.StatusOK
			if tc.offset != 0 {
				wantStatus = http.StatusNotFound
			}
			e.mustStatus(e.call("GET", pgURL(seeded.ID+tc.offset), nil), wantStatus)

			// The admin API and the Go API keep the stored read model.
			adm := e.mustStatus(e.admin("GET", fmt.Sprintf("/_emulator/instances/%d", seeded.ID), nil), 200).obj()
			if num(t, adm["internalResourceId"]) != seeded.ID {
				t.Errorf("admin internalResourceId %v, want %d", adm["internalResourceId"], seeded.ID)
			}
			e.waitAction(stop.actionID())
			del := e.mustStatus(e.call("DELETE", pgURL(in.ID), nil), 202)
			if got := num(t, del.obj()["internalId"]); got != in.ID+tc.offset {
				t.Errorf("DELETE 202 internalId %d, want %d", got, in.ID+tc.offset)
			}
			if acts := e.srv.Actions(); acts[len(acts)-1].InternalID != in.ID {
				t.Errorf("stored internalId %d, want the instance id %d", acts[len(acts)-1].InternalID, in.ID)
			}
		})
	}
}

func TestCompatNoList(t *testing.T) {
	for _, tc := range []struct {
		name       string
		compat     Compat
		wantStatus int
		wantAllow  []string
	}{
		{"documented", nil, http.StatusOK, nil},
		{CompatNoList, on(CompatNoList), http.StatusMethodNotAllowed, []string{"POST"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			in := e.seed(validCreate("listed01"))
			for _, path := range []string{pgPath, pgPath + "?name=listed01", pgPath + "?page=0&size=5"} {
				r := e.mustStatus(e.call("GET", path, nil), tc.wantStatus)
				if got := r.header.Values("Allow"); !slices.Equal(got, tc.wantAllow) {
					t.Errorf("GET %s: Allow %q, want %q", path, got, tc.wantAllow)
				}
				if tc.wantStatus == http.StatusMethodNotAllowed {
					if o := r.obj(); o["status"] != "METHOD_NOT_ALLOWED" || o["errorCode"] != "METHOD_NOT_ALLOWED" {
						t.Errorf("GET %s: body %s", path, r.raw)
					}
				}
			}
			e.mustStatus(e.call("POST", pgPath, validCreate("listed02")), 202)
			e.mustStatus(e.call("GET", pgURL(in.ID), nil), 200)
			e.mustStatus(e.call("GET", pgURL(in.ID, "nodes"), nil), 200)
			i := slices.IndexFunc(e.srv.Requests(), func(rr RequestRecord) bool { return rr.Method == "GET" && rr.Path == pgPath })
			if i < 0 || e.srv.Requests()[i].Status != tc.wantStatus {
				t.Errorf("request log: no GET %s answered %d", pgPath, tc.wantStatus)
			}
		})
	}
}

func TestCompatNoActionsList(t *testing.T) {
	for _, tc := range []struct {
		name       string
		compat     Compat
		wantStatus int
		// wantAllow is nil for no header at all.
		wantAllow []string
	}{
		{"documented", nil, http.StatusOK, nil},
		{CompatNoActionsList, on(CompatNoActionsList), http.StatusMethodNotAllowed, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			created := e.mustStatus(e.call("POST", pgPath, validCreate("acts0001")), 202)
			for _, path := range []string{"/itcare/actions", "/itcare/actions?statuses=IN_PROGRESS"} {
				r := e.mustStatus(e.call("GET", path, nil), tc.wantStatus)
				if got := r.header.Values("Allow"); !slices.Equal(got, tc.wantAllow) {
					t.Errorf("GET %s: Allow %q, want %q", path, got, tc.wantAllow)
				}
				if tc.wantStatus == http.StatusMethodNotAllowed && r.obj()["errorCode"] != "METHOD_NOT_ALLOWED" {
					t.Errorf("GET %s: body %s", path, r.raw)
				}
			}
			if a := e.waitAction(created.actionID()); a["status"] != ActionSuccess {
				t.Errorf("GET action: %v", a)
			}
		})
	}
}

func TestCompatNoInternalID(t *testing.T) {
	for _, tc := range []struct {
		name    string
		compat  Compat
		present bool
	}{
		{"documented", nil, true},
		{CompatNoInternalID, on(CompatNoInternalID), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			check := func(what string, obj map[string]any) {
				t.Helper()
				if _, has := obj["internalId"]; has != tc.present {
					t.Errorf("%s: internalId present %v, want %v: %v", what, has, tc.present, obj)
				}
			}
			created := e.mustStatus(e.call("POST", pgPath, validCreate("noint001")), 202)
			check("create 202", created.obj())
			check("GET action", e.waitAction(created.actionID()))
			in, _ := e.srv.InstanceByName("noint001")
			stop := e.mustStatus(e.call("PATCH", pgURL(in.ID), stopOp), 202)
			check("PATCH 202", stop.obj())
			e.waitAction(stop.actionID())
			check("DELETE 202", e.mustStatus(e.call("DELETE", pgURL(in.ID), nil), 202).obj())
			list := actionList(t, e.mustStatus(e.call("GET", "/itcare/actions", nil), 200))
			if len(list) != 3 {
				t.Fatalf("%d actions, want 3", len(list))
			}
			for i, a := range list {
				check(fmt.Sprintf("actions[%d]", i), a)
			}
		})
	}
}

func TestCompatStatusSpellings(t *testing.T) {
	for _, tc := range []struct {
		name                string
		compat              Compat
		active, stopped     string
		creating, nodeState string
	}{
		{"documented", nil, StatusActive, StatusStopped, StatusCreating, StatusActive},
		{CompatStatusSpellings, on(CompatStatusSpellings), "RUNNING", "POWERED_OFF", StatusCreating, "RUNNING"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Actions never end here: the created instance stays CREATING.
			e := newCompatEnv(t, tc.compat, time.Hour)
			active := e.seed(validHA("running01"))
			stopped := e.seed(validCreate("stopped01"))
			if err := e.srv.UpdateInstance(stopped.ID, map[string]any{"status": StatusStopped}); err != nil {
				t.Fatal(err)
			}
			e.mustStatus(e.call("POST", pgPath, validCreate("creating1")), 202)
			want := map[string]string{"running01": tc.active, "stopped01": tc.stopped, "creating1": tc.creating}
			for name, st := range want {
				in, _ := e.srv.InstanceByName(name)
				if got := e.get(in.ID)["status"]; got != st {
					t.Errorf("GET %s: status %v, want %s", name, got, st)
				}
			}
			var pg page[Instance]
			_ = json.Unmarshal(e.mustStatus(e.call("GET", pgPath, nil), 200).raw, &pg)
			for _, in := range pg.Content {
				if in.Status != want[in.Name] {
					t.Errorf("collection %s: status %s, want %s", in.Name, in.Status, want[in.Name])
				}
			}
			var nodes []Node
			_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(active.ID, "nodes"), nil), 200).raw, &nodes)
			for _, n := range nodes {
				if n.Status != tc.nodeState {
					t.Errorf("node %s: status %s, want %s", n.Name, n.Status, tc.nodeState)
				}
			}
			if len(nodes) != 3 {
				t.Errorf("%d nodes, want 3", len(nodes))
			}
			// The admin and Go APIs keep the canonical names.
			if st := e.mustStatus(e.admin("GET", fmt.Sprintf("/_emulator/instances/%d", active.ID), nil), 200).obj()["status"]; st != StatusActive {
				t.Errorf("admin status %v", st)
			}
			if in, _ := e.srv.Instance(stopped.ID); in.Status != StatusStopped {
				t.Errorf("Go API status %s", in.Status)
			}
		})
	}
}

// errorCase is a request the emulator itself refuses.
type errorCase struct {
	method, path, body, contentType string
	noToken                         bool
	status                          int
	msg                             string // part of the documented errorMessage
}

var errorCases = []errorCase{
	{method: "GET", path: pgPath + "/999", status: 404, msg: "999 not found"},
	{method: "GET", path: pgPath + "/abc", status: 400, msg: "'abc' is not an int64"},
	{method: "GET", path: "/itcare/actions", noToken: true, status: 401, msg: "Full authentication is required"},
	{method: "PUT", path: pgPath, status: 405, msg: "Request method 'PUT' is not supported"},
	{method: "POST", path: pgPath, body: "name=x", contentType: "text/plain", status: 415, msg: "Content-Type 'text/plain' is not supported"},
	{method: "POST", path: pgPath, body: `{"name":"x"}`, contentType: "application/json", status: 400, msg: "Error on field 'name'"},
	{method: "GET", path: "/itcare/nowhere", status: 404, msg: "No endpoint GET /itcare/nowhere"},
}

func (e *env) send(c errorCase) response {
	e.t.Helper()
	req, _ := http.NewRequest(c.method, e.srv.URL()+c.path, strings.NewReader(c.body))
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if !c.noToken {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: buf.Bytes()}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkErrorShape checks that r, the answer to a request for path, is an
// error of the given shape ("documented", "admin", spring-errors or
// problem-errors) with the documented message.
func checkErrorShape(t *testing.T, shape, path string, status int, msg string, r response) {
	t.Helper()
	o := r.obj()
	ct := r.header.Get("Content-Type")
	text := func(k string) string { s, _ := o[k].(string); return s }
	code := func(k string) int { f, _ := o[k].(float64); return int(f) }
	var ok bool
	switch shape {
	case CompatSpringErrors:
		_, err := time.Parse(time.RFC3339, text("timestamp"))
		ok = ct == "application/json" && slices.Equal(keys(o), []string{"error", "message", "path", "status", "timestamp"}) &&
			err == nil && code("status") == status && text("error") == http.StatusText(status) &&
			strings.Contains(text("message"), msg) && text("path") == path
	case CompatProblemErrors:
		ok = ct == "application/problem+json" && slices.Equal(keys(o), []string{"detail", "instance", "status", "title", "type"}) &&
			text("type") == "about:blank" && code("status") == status && text("title") == http.StatusText(status) &&
			strings.Contains(text("detail"), msg) && text("instance") == path
	default:
		// The admin API has the documented body as plain JSON.
		wantCT := MediaType
		if shape == "admin" {
			wantCT = "application/json"
		}
		ok = ct == wantCT && slices.Equal(keys(o), []string{"errorCode", "errorDesc", "errorMessage", "status"}) &&
			text("status") == statusName(status) && strings.Contains(text("errorMessage"), msg)
	}
	if !ok || r.status != status {
		t.Errorf("%s: want a %s error %d with %q; got %d %s %s", path, shape, status, msg, r.status, ct, r.raw)
	}
}

func testErrorShape(t *testing.T, sw string) {
	for _, tc := range []struct {
		name   string
		compat Compat
		shape  string
	}{
		{"documented", nil, "documented"},
		{sw, on(sw), sw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			for _, c := range errorCases {
				checkErrorShape(t, tc.shape, c.path, c.status, c.msg, e.send(c))
			}
			// A token-expiry fault stands for the emulator's own 401.
			e.srv.AddFault(Fault{Kind: FaultTokenExpiry, Path: "/itcare/actions", Count: 1})
			checkErrorShape(t, tc.shape, "/itcare/actions", 401, "expired", e.call("GET", "/itcare/actions", nil))
			e.token = e.getToken()

			// A status fault answers what the fault says: the documented body.
			e.srv.AddFault(Fault{Kind: FaultStatus, Path: "/itcare/actions", Status: 503, Count: 1})
			checkErrorShape(t, "documented", "/itcare/actions", 503, "injected fault", e.call("GET", "/itcare/actions", nil))
			// The admin API and the token endpoint keep their own shapes.
			checkErrorShape(t, "admin", "/_emulator/instances/999", 404, "999 not found", e.admin("GET", "/_emulator/instances/999", nil))
			resp, err := formPost(e.srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}}, "nobody", "wrong")
			if err != nil {
				t.Fatal(err)
			}
			var oauth map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&oauth)
			resp.Body.Close()
			if resp.StatusCode != 401 || oauth["error"] != "unauthorized_client" || len(oauth) != 2 {
				t.Errorf("token endpoint: %d %v", resp.StatusCode, oauth)
			}
		})
	}
}

func TestCompatSpringErrors(t *testing.T) { testErrorShape(t, CompatSpringErrors) }

func TestCompatProblemErrors(t *testing.T) { testErrorShape(t, CompatProblemErrors) }

func TestCompatStringVersions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		compat Compat
		want   string
	}{
		{"documented", nil, `[16,17]`},
		{CompatStringVersions, on(CompatStringVersions), `["16","17"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, 20*time.Millisecond)
			in := e.seed(validCreate("versions1"))
			r := e.mustStatus(e.call("GET", pgURL(in.ID, "versions"), nil), 200)
			if got := string(bytes.TrimSpace(r.raw)); got != tc.want {
				t.Errorf("versions %s, want %s", got, tc.want)
			}
			// An upgrade target is still accepted from the list as read.
			var targets []any
			_ = json.Unmarshal(r.raw, &targets)
			e.mustStatus(e.call("PATCH", pgURL(in.ID), map[string]any{"operation": "upgrade", "options": map[string]any{"targetVersion": targets[0]}}), 202)
		})
	}
}

func TestCompatPagedLists(t *testing.T) {
	for _, tc := range []struct {
		name          string
		compat        Compat
		defaultSize   int
		actionsPaged  bool
		firstListSize int
	}{
		{"documented", nil, 20, false, 3},
		{CompatPagedLists, on(CompatPagedLists), 2, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCompatEnv(t, tc.compat, time.Hour)
			var actionIDs []int64
			for i := range 3 {
				r := e.mustStatus(e.call("POST", pgPath, validCreate(fmt.Sprintf("paged%04d", i))), 202)
				actionIDs = append(actionIDs, r.actionID())
			}
			var pg page[Instance]
			_ = json.Unmarshal(e.mustStatus(e.call("GET", pgPath, nil), 200).raw, &pg)
			if pg.Size != tc.defaultSize || len(pg.Content) != tc.firstListSize || pg.TotalElements != 3 || pg.Last != (tc.firstListSize == 3) {
				t.Errorf("collection first page: size %d, %d of %d, last %v", pg.Size, len(pg.Content), pg.TotalElements, pg.Last)
			}
			_ = json.Unmarshal(e.mustStatus(e.call("GET", pgPath+"?size=5", nil), 200).raw, &pg)
			if len(pg.Content) != 3 {
				t.Errorf("collection with size=5: %d entries", len(pg.Content))
			}

			r := e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)
			var acts page[map[string]any]
			if err := json.Unmarshal(r.raw, &acts); (err == nil) != tc.actionsPaged {
				t.Fatalf("actions: paged %v, want %v: %s", err == nil, tc.actionsPaged, r.raw)
			}
			if !tc.actionsPaged {
				if list := actionList(t, r); len(list) != 3 {
					t.Errorf("actions: %d, want 3", len(list))
				}
				return
			}
			if acts.Size != 2 || acts.TotalElements != 3 || acts.TotalPages != 2 || !acts.First || acts.Last ||
				len(acts.Content) != 2 || num(t, acts.Content[0]["id"]) != actionIDs[2] {
				t.Errorf("actions first page: %+v", acts)
			}
			_ = json.Unmarshal(e.mustStatus(e.call("GET", "/itcare/actions?page=1", nil), 200).raw, &acts)
			if len(acts.Content) != 1 || num(t, acts.Content[0]["id"]) != actionIDs[0] || !acts.Last || acts.Number != 1 {
				t.Errorf("actions second page: %+v", acts)
			}
			_ = json.Unmarshal(e.mustStatus(e.call("GET", "/itcare/actions?size=10", nil), 200).raw, &acts)
			if len(acts.Content) != 3 || acts.Size != 10 {
				t.Errorf("actions with size=10: %+v", acts)
			}
			e.mustStatus(e.call("GET", "/itcare/actions?page=-1", nil), 400)
		})
	}
}

func TestCompatProfiles(t *testing.T) {
	used := map[string]bool{}
	for name, switches := range CompatProfiles {
		c, err := ParseCompat(name)
		if err != nil {
			t.Errorf("profile %s: %v", name, err)
			continue
		}
		want := append([]string(nil), switches...)
		sort.Strings(want)
		if got := c.String(); got != strings.Join(want, ",") {
			t.Errorf("profile %s: %q, want %q", name, got, strings.Join(want, ","))
		}
		for _, sw := range switches {
			used[sw] = used[sw] || name != "default"
		}
		// A profile's name in a Config stands for its switches.
		srv, err := New(Config{Compat: Compat{name: true}})
		if err != nil {
			t.Errorf("profile %s: New: %v", name, err)
		} else if got := srv.cfg.Compat.String(); got != strings.Join(want, ",") {
			t.Errorf("profile %s in a Config: %q, want %q", name, got, strings.Join(want, ","))
		}
	}
	for _, sw := range CompatSwitches {
		if !used[sw] {
			t.Errorf("switch %s is in no profile", sw)
		}
	}
	if len(CompatProfiles["default"]) != 0 {
		t.Errorf("default profile: %v", CompatProfiles["default"])
	}
}

func TestCompatRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		compat Compat
		want   string
	}{
		{"unknown switch", Compat{"no-such-switch": true}, CompatPagedLists},
		{"two error shapes", Compat{CompatSpringErrors: true, CompatProblemErrors: true}, "choose one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseCompat(tc.compat.String()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseCompat: %v, want an error naming %q", err, tc.want)
			}
			if _, err := New(Config{Compat: tc.compat}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestCompatSettingsAndBanner(t *testing.T) {
	for _, tc := range []struct {
		name, flag string
		want       string
	}{
		{"documented", "", ""},
		{"sparse", "sparse", "no-actions-list,no-list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCompat(tc.flag)
			if err != nil {
				t.Fatal(err)
			}
			e := newCompatEnv(t, c, 20*time.Millisecond)
			st := e.mustStatus(e.admin("GET", "/_emulator/settings", nil), 200).obj()
			if got, has := st["compat"]; has != (tc.want != "") || (has && got != tc.want) {
				t.Errorf("settings: %v", st)
			}
			e.mustStatus(e.admin("PUT", "/_emulator/settings", map[string]any{"compat": "ids"}), 400)
			var banner bytes.Buffer
			e.srv.WriteBanner(&banner)
			if has := strings.Contains(banner.String(), "Compat:        "+tc.want+" "); has != (tc.want != "") {
				t.Errorf("banner:\n%s", banner.String())
			}
		})
	}
}

// The switches shape answers only: a state written under them reads back
// with the documented ids, statuses and internalId.
func TestCompatKeepsStateCanonical(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	c := Compat{CompatDistinctIDs: true, CompatStatusSpellings: true, CompatNoInternalID: true}
	e := newEnvWith(t, Config{ActionDuration: 20 * time.Millisecond, StatePath: path, Compat: c})
	created := e.mustStatus(e.call("POST", pgPath, validCreate("kept0001")), 202)
	e.waitAction(created.actionID())
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}

	plain := newEnvWith(t, Config{ActionDuration: 20 * time.Millisecond, StatePath: path})
	in, ok := plain.srv.InstanceByName("kept0001")
	if !ok {
		t.Fatal("instance not kept")
	}
	got := plain.get(in.ID)
	if got["status"] != StatusActive || num(t, got["internalResourceId"]) != in.ID {
		t.Errorf("read model: status %v internalResourceId %v", got["status"], got["internalResourceId"])
	}
	a := plain.mustStatus(plain.call("GET", fmt.Sprintf("/itcare/actions/%d", created.actionID()), nil), 200).obj()
	if num(t, a["internalId"]) != in.ID {
		t.Errorf("action internalId %v, want %d", a["internalId"], in.ID)
	}
}
