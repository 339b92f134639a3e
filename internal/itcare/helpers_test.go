package itcare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "tf-client"
	testClientSecret = "cl1ent-s3cret-value"
)

// seen is one API request as the fake server received it.
type seen struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// fakeAPI is an httptest server with a token endpoint and an API handler.
// Only tokens it issued and has not revoked are accepted.
type fakeAPI struct {
	srv *httptest.Server

	tokenTTL     int // expires_in; 0 omits it
	tokenHandler http.HandlerFunc
	tokenDelay   time.Duration
	tokenCalls   atomic.Int64
	apiCalls     atomic.Int64 // every API request, refused ones too
	// health answers GET /itcare/health (default: 200 {"status":"UP"});
	// its calls are counted apart from the API's.
	health      http.HandlerFunc
	healthCalls atomic.Int64

	mu       sync.Mutex
	valid    map[string]bool
	issued   []string
	tokenReq []*http.Request
	reqs     []seen
	api      func(w http.ResponseWriter, r *http.Request, n int)
}

// newFakeAPI starts a fake whose API handler receives the request and its
// 1-based number.
func newFakeAPI(t *testing.T, api func(w http.ResponseWriter, r *http.Request, n int)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{valid: map[string]bool{}, api: api, tokenTTL: 1200}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", f.token)
	mux.HandleFunc("/itcare/", f.serve)
	mux.HandleFunc("/itcare/health", f.serveHealth)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) token(w http.ResponseWriter, r *http.Request) {
	f.tokenCalls.Add(1)
	_ = r.ParseForm()
	f.mu.Lock()
	f.tokenReq = append(f.tokenReq, r)
	f.mu.Unlock()
	if f.tokenDelay > 0 {
		time.Sleep(f.tokenDelay)
	}
	if f.tokenHandler != nil {
		f.tokenHandler(w, r)
		return
	}
	f.mu.Lock()
	tok := fmt.Sprintf("access-token-%d-8f3a9c2e71", len(f.issued)+1)
	f.issued = append(f.issued, tok)
	f.valid[tok] = true
	f.mu.Unlock()
	body := map[string]any{"access_token": tok, "token_type": "bearer"}
	if f.tokenTTL > 0 {
		body["expires_in"] = f.tokenTTL
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.apiCalls.Add(1)
	body, _ := io.ReadAll(r.Body)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	ok := f.valid[tok]
	if ok {
		f.reqs = append(f.reqs, seen{r.Method, strings.TrimPrefix(r.URL.Path, "/itcare"), r.URL.RawQuery, r.Header.Clone(), body})
	}
	n := len(f.reqs)
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.api(w, r, n)
}

func (f *fakeAPI) serveHealth(w http.ResponseWriter, r *http.Request) {
	f.healthCalls.Add(1)
	if f.health != nil {
		f.health(w, r)
		return
	}
	writeJSON(w, http.StatusOK, `{"status":"UP"}`)
}

// revokeAll makes every issued token invalid, as an expiry on the server
// side would.
func (f *fakeAPI) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.valid = map[string]bool{}
}

func (f *fakeAPI) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func (f *fakeAPI) apiURL() string   { return f.srv.URL + "/itcare" }
func (f *fakeAPI) tokenURL() string { return f.srv.URL + "/token" }

// newTestClient returns a client of f with tiny retry waits.
func newTestClient(t *testing.T, f *fakeAPI, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		APIURL:       f.apiURL(),
		TokenURL:     f.tokenURL(),
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// patch sends an operation the way the provider does.
func patch(c *Client, id int64, op string, opts any) (*Action, error) {
	return c.PatchPostgreSQL(context.Background(), id, Operation{Operation: op, Options: opts})
}

// recordSleeps replaces the client's sleep: waits are recorded, not slept,
// but a done context still ends them.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return waits
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", mediaTypeV1)
	w.WriteHeader(status)
	switch b := v.(type) {
	case nil:
	case []byte:
		_, _ = w.Write(b)
	case string:
		_, _ = io.WriteString(w, b)
	default:
		_ = json.NewEncoder(w).Encode(v)
	}
}

// fixture reads a sample body of the reference page from testdata.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// dropRequest closes the connection without an answer.
func dropRequest(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot be hijacked")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = conn.Close()
}

// recordingLogger keeps every event.
type recordingLogger struct {
	mu     sync.Mutex
	events []logEvent
}

type logEvent struct {
	Level  string
	Msg    string
	Fields map[string]any
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("debug", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("warn", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, logEvent{level, msg, fields})
}

func (l *recordingLogger) all() []logEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEvent(nil), l.events...)
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want invalid JSON %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("JSON differs\n got: %s\nwant: %s", gb, wb)
	}
}
