package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	e := newEnvWith(t, Config{ActionDuration: 30 * time.Millisecond, StatePath: path})
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("persist01")), 202)
	e.waitAction(r.actionID())
	id := int64(r.obj()["internalId"].(float64))
	r = e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "install_extension",
		"options": map[string]any{"dbname": "shop", "extensions_list": []any{map[string]any{"name": "citext"}}}}), 202)
	e.waitAction(r.actionID())
	if _, err := e.srv.AddService(Service{ID: 1500, Name: "extra", Environment: "PRODUCTION"}); err != nil {
		t.Fatal(err)
	}
	before, _ := e.srv.Instance(id)
	_ = e.srv.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Test123@2022xx")) {
		t.Error("the state file holds the password")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}

	e2 := newEnvWith(t, Config{ActionDuration: 30 * time.Millisecond, StatePath: path})
	after, ok := e2.srv.Instance(id)
	if !ok {
		t.Fatal("instance lost across restart")
	}
	bj, _ := json.Marshal(before)
	aj, _ := json.Marshal(after)
	if string(bj) != string(aj) || fmt.Sprint(before.Extra) != fmt.Sprint(after.Extra) {
		t.Errorf("instance changed across restart:\n%s\n%s", bj, aj)
	}
	if len(after.Extra.Databases) != 2 || after.Extra.Databases[1].Name != "shop" {
		t.Errorf("databases %+v", after.Extra.Databases)
	}
	if len(e2.srv.Actions()) != 2 {
		t.Errorf("actions %d, want 2", len(e2.srv.Actions()))
	}
	found := false
	for _, sv := range e2.srv.Services() {
		found = found || sv.ID == 1500
	}
	if !found {
		t.Error("added service lost")
	}
	r = e2.mustStatus(e2.call("POST", "/itcare/databases/postgresql", validCreate("persist02")), 202)
	if newID := int64(r.obj()["internalId"].(float64)); newID <= id {
		t.Errorf("ids restarted: %d after %d", newID, id)
	}
	if ids := r.actionID(); ids <= firstActionID+1 {
		t.Errorf("action ids restarted: %d", ids)
	}
}

func TestStateFileBroken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{StatePath: path}); err == nil {
		t.Fatal("a broken state file was accepted")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLogRedaction(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnvWith(t, Config{ActionDuration: testDuration, Logger: logger})
	const pw = "Sup3r$ecretPassw0rd"
	e.mustStatus(e.call("POST", "/itcare/databases/postgresql", with(validCreate("logged01"), "admPassword", pw)), 202)
	e.call("POST", "/itcare/databases/postgresql", `{"admPassword": "`+pw+`", broken`)
	e.call("POST", "/_emulator/instances", with(validCreate("logged02"), "admPassword", pw))
	in, _ := e.srv.InstanceByName("logged01")
	// 409: the create is still running; the body is logged all the same.
	e.call("PATCH", pgURL(in.ID), map[string]any{"operation": "stop", "options": map[string]any{"password": pw}})

	recs := e.srv.Requests()
	all, _ := json.Marshal(recs)
	for _, secret := range []string{pw, e.srv.ClientSecret(), e.token} {
		if strings.Contains(string(all), secret) {
			t.Errorf("request log holds a secret %q", secret[:4])
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("slog output holds a secret %q", secret[:4])
		}
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4 (token, 2 creates, patch; admin excluded)", len(recs))
	}
	tok, create, broken, patch := recs[0], recs[1], recs[2], recs[3]
	if tok.Path != TokenPath || tok.Status != 200 || !strings.Contains(tok.Body, `"grant_type":"client_credentials"`) {
		t.Errorf("token record %+v", tok)
	}
	if create.Status != 202 || !strings.Contains(create.Body, `"admPassword":"***"`) || !strings.Contains(create.Body, `"name":"logged01"`) {
		t.Errorf("create record %+v", create)
	}
	if broken.Status != 400 || strings.Contains(broken.Body, "admPassword") {
		t.Errorf("malformed record %+v", broken)
	}
	if patch.Operation != "stop" || patch.Method != "PATCH" || patch.Status != 409 || !strings.Contains(patch.Body, `"password":"***"`) || patch.Duration <= 0 {
		t.Errorf("patch record %+v", patch)
	}
	if n := strings.Count(logs.String(), "itcare request"); n != 4 {
		t.Errorf("%d log lines, want 4:\n%s", n, logs.String())
	}
	e.srv.ResetRequests()
	if len(e.srv.Requests()) != 0 {
		t.Error("ResetRequests kept records")
	}
}

func TestAdminInstances(t *testing.T) {
	e := newEnv(t, testDuration)
	admin := func(method, path string, body any) response { return e.callWith(method, path, body, "") }
	r := admin("POST", "/_emulator/instances", with(validCreate("console1"), "admPassword", nil))
	if r.status != 201 || r.obj()["status"] != StatusActive || r.obj()["creationUser"] != ConsoleUser {
		t.Fatalf("seed: %d %s", r.status, r.raw)
	}
	id := int64(r.obj()["id"].(float64))
	if r := admin("POST", "/_emulator/instances", with(validCreate("console2"), "diskSize", 2000)); r.status != 400 || r.errorDesc() != "diskSize" {
		t.Errorf("seed is validated: %d %s", r.status, r.raw)
	}
	if r := admin("POST", "/_emulator/instances", with(validCreate("console2"), "admPassword", "weak")); r.status != 400 || r.errorDesc() != "admPassword" {
		t.Errorf("a given password is validated: %d %s", r.status, r.raw)
	}

	r = admin("PATCH", fmt.Sprintf("/_emulator/instances/%d", id), map[string]any{"nodeSizing": "4cpu8gb", "status": "STOPPED"})
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	in := e.get(id)
	if in["nodeSizing"] != "4cpu8gb" || in["cpu"] != 4.0 || in["ram"] != 8.0 || in["status"] != StatusStopped {
		t.Errorf("after out-of-band update: %v %v %v %v", in["nodeSizing"], in["cpu"], in["ram"], in["status"])
	}
	if err := e.srv.UpdateInstance(id, map[string]any{"version": "16", "topology": "HA"}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.srv.Instance(id)
	if got.ProductCode != "deb12pg16" || got.NodeCount != 3 || len(got.Extra.Nodes) != 3 {
		t.Errorf("derived fields: %s %d %d", got.ProductCode, got.NodeCount, len(got.Extra.Nodes))
	}
	if err := e.srv.UpdateInstance(id, map[string]any{"databases": []any{map[string]any{"name": "manual", "extensions": []any{}}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(e.call("GET", pgURL(id, "databases"), nil).raw), "manual") {
		t.Error("databases not replaced")
	}
	for _, bad := range []map[string]any{{"noSuchField": 1}, {"nodeSizing": "huge"}, {"id": 5}, {"cpu": "x"}} {
		if r := admin("PATCH", fmt.Sprintf("/_emulator/instances/%d", id), bad); r.status != 400 {
			t.Errorf("update %v: %d", bad, r.status)
		}
	}
	if r := admin("PATCH", "/_emulator/instances/42", map[string]any{"status": "ACTIVE"}); r.status != 404 {
		t.Errorf("update unknown: %d", r.status)
	}

	var list []Instance
	_ = json.Unmarshal(admin("GET", "/_emulator/instances", nil).raw, &list)
	if len(list) != 1 || list[0].ID != id {
		t.Errorf("list %+v", list)
	}
	if r := admin("DELETE", fmt.Sprintf("/_emulator/instances/%d", id), nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	e.mustStatus(e.call("GET", pgURL(id), nil), 404)
	if r := admin("DELETE", fmt.Sprintf("/_emulator/instances/%d", id), nil); r.status != 404 {
		t.Errorf("second delete: %d", r.status)
	}
	// The admin API is never under /itcare and needs no token.
	e.mustStatus(e.callWith("GET", "/itcare/_emulator/instances", nil, ""), 401)
}

func TestAdminCatalogueSettingsAndActions(t *testing.T) {
	e := newEnv(t, time.Hour)
	admin := func(method, path string, body any) response { return e.callWith(method, path, body, "") }
	if r := admin("POST", "/_emulator/services", map[string]any{"name": "billing", "environment": "production"}); r.status != 201 || r.obj()["id"] != 1003.0 {
		t.Fatalf("add service: %d %s", r.status, r.raw)
	}
	if r := admin("POST", "/_emulator/networks", map[string]any{"id": 2100, "area": "EB-DEV", "cidr": "10.99.0.0/24"}); r.status != 201 {
		t.Fatalf("add network: %d %s", r.status, r.raw)
	}
	if r := admin("POST", "/_emulator/networks", map[string]any{"area": "EB-DEV", "cidr": "nope"}); r.status != 400 {
		t.Errorf("bad cidr: %d", r.status)
	}
	if r := admin("POST", "/_emulator/networks", map[string]any{"id": 2100, "area": "EB-DEV", "cidr": "10.98.0.0/24"}); r.status != 409 {
		t.Errorf("duplicate network: %d", r.status)
	}
	body := with(validHA("newarea1"), "area", "EB-DEV", "networkId", 2100, "serviceId", 1003, "az", "EB-DEV-B")
	e.mustStatus(e.call("POST", "/itcare/databases/postgresql", body), 202)

	if r := admin("PUT", "/_emulator/settings", map[string]any{"actionDuration": "20ms", "tokenTTL": "5m"}); r.status != 200 || r.obj()["actionDuration"] != "20ms" {
		t.Fatalf("settings: %d %s", r.status, r.raw)
	}
	if r := admin("PUT", "/_emulator/settings", map[string]any{"actionDuration": "fast"}); r.status != 400 {
		t.Errorf("bad setting: %d", r.status)
	}
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("quick001")), 202)
	time.Sleep(40 * time.Millisecond)
	var acts []Action
	_ = json.Unmarshal(admin("GET", "/_emulator/actions", nil).raw, &acts)
	if len(acts) != 2 || acts[1].Status != ActionSuccess || acts[1].FirstSeenCompletedAt != nil {
		t.Fatalf("actions before polling: %+v", acts)
	}
	polled := e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions/%d", r.actionID()), nil), 200)
	if _, shown := polled.obj()["firstSeenCompletedAt"]; shown {
		t.Error("the API shows emulator bookkeeping")
	}
	_ = json.Unmarshal(admin("GET", "/_emulator/actions", nil).raw, &acts)
	if acts[1].FirstSeenCompletedAt == nil || acts[1].FirstSeenCompletedAt.Before(*acts[1].CompletedAt) {
		t.Fatalf("firstSeenCompletedAt %+v", acts[1])
	}
	first := *acts[1].FirstSeenCompletedAt
	e.call("GET", fmt.Sprintf("/itcare/actions/%d", r.actionID()), nil)
	if a := e.srv.Actions()[1]; !a.FirstSeenCompletedAt.Truncate(time.Millisecond).Equal(first) {
		t.Error("firstSeenCompletedAt moved on a second poll")
	}

	if r := admin("POST", "/_emulator/tokens/expire", nil); r.status != 204 {
		t.Fatalf("expire: %d", r.status)
	}
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 401)
	if r := admin("GET", "/_emulator/requests", nil); r.status != 200 || !strings.Contains(string(r.raw), "quick001") {
		t.Errorf("requests: %d", r.status)
	}
	admin("DELETE", "/_emulator/requests", nil)
	if len(e.srv.Requests()) != 0 {
		t.Error("request log not emptied")
	}
}

func TestBanner(t *testing.T) {
	e := newEnv(t, testDuration)
	var b bytes.Buffer
	e.srv.WriteBanner(&b)
	for _, want := range []string{e.srv.APIURL(), e.srv.TokenURL(), DefaultClientID, DefaultClientSecret, "1001", "payments", "2003", "10.40.1.0/24", "EB-QA-A"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
}

func TestConcurrentClients(t *testing.T) {
	e := newEnv(t, 10*time.Millisecond)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("conc%04d", i)
			ce := &env{t: t, srv: e.srv, token: e.token}
			r := ce.call("POST", "/itcare/databases/postgresql", validCreate(name))
			if r.status != 202 {
				t.Errorf("create %s: %d", name, r.status)
				return
			}
			for range 20 {
				ce.call("GET", fmt.Sprintf("/itcare/actions/%d", r.actionID()), nil)
				ce.call("GET", "/itcare/databases/postgresql?name="+name, nil)
			}
		}()
	}
	wg.Wait()
	if n := len(e.srv.Instances()); n != 8 {
		t.Errorf("%d instances, want 8", n)
	}
}

// InstanceView and NodeViews are what the API answers, switches included.
func TestInstanceAndNodeViews(t *testing.T) {
	e := newEnvWith(t, Config{ActionDuration: testDuration, Compat: Compat{CompatDistinctIDs: true, CompatStatusSpellings: true}})
	in := e.seed(validCreate("pgviews01"))
	view, ok := e.srv.InstanceView(in.ID)
	if !ok || view.InternalResourceID == in.InternalResourceID || view.Status != "RUNNING" {
		t.Fatalf("view %v: internalResourceId %d, status %s", ok, view.InternalResourceID, view.Status)
	}
	var api Instance
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(in.ID), nil), 200).raw, &api); err != nil {
		t.Fatal(err)
	}
	if api.InternalResourceID != view.InternalResourceID || api.Status != view.Status {
		t.Errorf("API shows internalResourceId %d status %s, InstanceView %d %s", api.InternalResourceID, api.Status, view.InternalResourceID, view.Status)
	}
	nodes, ok := e.srv.NodeViews(in.ID)
	var apiNodes []Node
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(in.ID, "nodes"), nil), 200).raw, &apiNodes); err != nil {
		t.Fatal(err)
	}
	gotJSON, _ := json.Marshal(nodes)
	wantJSON, _ := json.Marshal(apiNodes)
	if !ok || string(gotJSON) != string(wantJSON) {
		t.Errorf("NodeViews %s\nAPI      %s", gotJSON, wantJSON)
	}
	if _, ok := e.srv.InstanceView(42); ok {
		t.Error("InstanceView of an unknown id")
	}
	if _, ok := e.srv.NodeViews(42); ok {
		t.Error("NodeViews of an unknown id")
	}
}
