package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// env is one emulator on a loopback port with a valid token.
type env struct {
	t     *testing.T
	srv   *Server
	token string
}

func newEnv(t *testing.T, d time.Duration) *env {
	t.Helper()
	return newEnvWith(t, Config{ActionDuration: d})
}

func newEnvWith(t *testing.T, cfg Config) *env {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := &env{t: t, srv: srv}
	e.token = e.getToken()
	return e
}

func (e *env) getToken() string {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.TokenURL(), strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(e.srv.ClientID(), e.srv.ClientSecret())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 {
		e.t.Fatalf("token: status %d", resp.StatusCode)
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) obj() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.raw, &m)
	return m
}

func (r response) errorDesc() string {
	s, _ := r.obj()["errorDesc"].(string)
	return s
}

func (r response) actionID() int64 {
	n, _ := r.obj()["id"].(float64)
	return int64(n)
}

// call sends a request to the emulator with the env's token; body may be
// nil, a string (sent as is) or a value encoded as JSON.
func (e *env) call(method, path string, body any) response {
	e.t.Helper()
	return e.callWith(method, path, body, e.token)
}

func (e *env) callWith(method, path string, body any, token string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL()+path, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

func (e *env) mustStatus(r response, want int) response {
	e.t.Helper()
	if r.status != want {
		e.t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

func (e *env) seed(fields map[string]any) Instance {
	e.t.Helper()
	in, err := e.srv.SeedInstance(fields)
	if err != nil {
		e.t.Fatalf("seed: %v", err)
	}
	return in
}

// waitAction polls an action until it leaves IN_PROGRESS.
func (e *env) waitAction(id int64) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r := e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions/%d", id), nil), 200)
		if st := r.obj()["status"]; st != ActionInProgress {
			return r.obj()
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("action %d still in progress", id)
	return nil
}

func pgURL(id int64, sub ...string) string {
	p := fmt.Sprintf("/itcare/databases/postgresql/%d", id)
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

// validCreate is a create body that passes every rule.
func validCreate(name string) map[string]any {
	return map[string]any{
		"name": name, "area": "EB-QA", "nodeSizing": "2cpu4gb", "diskSize": 40,
		"admPassword": "Test123@2022xx", "postgreVersion": "15", "serviceId": 1001,
		"networkId": 2001, "topology": "STANDALONE", "trigram": "tri", "allowedReplicationLag": 10,
	}
}

func validHA(name string) map[string]any {
	m := validCreate(name)
	m["topology"] = "HA"
	m["nodePrefix"] = "PGNODE"
	m["az"] = "EB-QA-A"
	m["tls"] = true
	return m
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

func formPost(u string, vals url.Values, user, pass string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return http.DefaultClient.Do(req)
}

func (e *env) rawCall(method, path, body, contentType string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// backdate makes an instance a month old, so that restore points in the
// recent past are after its creation.
func (e *env) backdate(id int64) {
	e.t.Helper()
	if err := e.srv.UpdateInstance(id, map[string]any{"creationTime": time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		e.t.Fatal(err)
	}
}
