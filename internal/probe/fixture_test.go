package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// fixture is an emulator holding one instance made through the API, with
// a few actions, among instances of other names. The test writes; the
// probe must not.
type fixture struct {
	t     *testing.T
	srv   *emulator.Server
	token string
	id    int64
	name  string
}

const fixtureName = "probedb01"

func newFixture(t *testing.T, compat emulator.Compat) *fixture {
	t.Helper()
	srv, err := emulator.New(emulator.Config{ActionDuration: 20 * time.Millisecond, Compat: compat})
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	f := &fixture{t: t, srv: srv, name: fixtureName}
	f.token = f.getToken()
	// Instances of other names, so that a list that ignores its filter
	// shows, and so that pages of 2 are more than one page.
	for _, n := range []string{"otherdb01", "otherdb02"} {
		if _, err := srv.SeedInstance(createBody(n)); err != nil {
			t.Fatalf("seed %s: %v", n, err)
		}
	}
	// Version 15, so that GET …/versions offers targets.
	f.wait(f.write(http.MethodPost, "/itcare/databases/postgresql", createBody(f.name)))
	in, ok := srv.InstanceByName(f.name)
	if !ok {
		t.Fatalf("instance %s not created", f.name)
	}
	f.id = in.ID
	path := fmt.Sprintf("/itcare/databases/postgresql/%d", f.id)
	f.wait(f.write(http.MethodPatch, path, map[string]any{"operation": "stop"}))
	f.wait(f.write(http.MethodPatch, path, map[string]any{"operation": "start"}))
	srv.ResetRequests()
	return f
}

func createBody(name string) map[string]any {
	return map[string]any{
		"name": name, "area": "EB-QA", "nodeSizing": "2cpu4gb", "diskSize": 40,
		"admPassword": "Test123@2022xx", "postgreVersion": "15", "serviceId": 1001,
		"networkId": 2001, "topology": "STANDALONE", "trigram": "tri", "allowedReplicationLag": 10,
	}
}

func (f *fixture) config() Config {
	return Config{
		APIURL: f.srv.APIURL(), TokenURL: f.srv.TokenURL(),
		ClientID: f.srv.ClientID(), ClientSecret: f.srv.ClientSecret(),
		InstanceID: f.id, Timeout: 10 * time.Second,
	}
}

func (f *fixture) getToken() string {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.TokenURL(), strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(f.srv.ClientID(), f.srv.ClientSecret())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		f.t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// write sends a write and returns the id of the action its 202 names.
func (f *fixture) write(method, path string, body any) int64 {
	f.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, f.srv.URL()+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		f.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var act struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(raw, &act); err != nil || act.ID == 0 {
		f.t.Fatalf("%s %s: no action id in %s", method, path, raw)
	}
	return act.ID
}

// wait polls an action until it ends.
func (f *fixture) wait(actionID int64) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/actions/%d", f.srv.APIURL(), actionID), nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			f.t.Fatalf("action %d: %v", actionID, err)
		}
		var act struct {
			Status string `json:"status"`
		}
		err = json.NewDecoder(resp.Body).Decode(&act)
		resp.Body.Close()
		if err != nil {
			f.t.Fatalf("action %d: %v", actionID, err)
		}
		switch act.Status {
		case "SUCCESS":
			return
		case "ERROR":
			f.t.Fatalf("action %d ended in ERROR", actionID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("action %d still running", actionID)
}

// probe runs the probe and fails the test on a setup error.
func (f *fixture) probe(cfg Config) []Row {
	f.t.Helper()
	rows, err := Run(context.Background(), cfg)
	if err != nil {
		f.t.Fatalf("Run: %v", err)
	}
	return rows
}

func rowsText(rows []Row) string {
	var b bytes.Buffer
	_ = WriteText(&b, rows)
	return b.String()
}
