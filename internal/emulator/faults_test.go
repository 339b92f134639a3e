package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.AddFault(Fault{Kind: FaultLatency, Method: "GET", Path: "/itcare/actions", Latency: 120 * time.Millisecond, Count: 1})
	start := time.Now()
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)
	if d := time.Since(start); d < 120*time.Millisecond {
		t.Errorf("first call took %v, want at least 120ms", d)
	}
	if n := len(e.srv.Faults()); n != 0 {
		t.Errorf("%d faults left after count 1", n)
	}
	// Another method or path does not match.
	e.srv.AddFault(Fault{Kind: FaultLatency, Method: "POST", Latency: time.Hour})
	e.srv.AddFault(Fault{Kind: FaultLatency, Path: "/itcare/databases", Latency: time.Hour})
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)
}

func TestFaultStatus(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.AddFault(Fault{Kind: FaultStatus, Path: "/itcare/actions", Status: 503, RetryAfter: 2 * time.Second, Count: 2})
	for i := range 2 {
		r := e.mustStatus(e.call("GET", "/itcare/actions", nil), 503)
		if r.header.Get("Retry-After") != "2" || r.obj()["status"] != "SERVICE_UNAVAILABLE" {
			t.Errorf("call %d: Retry-After %q body %s", i, r.header.Get("Retry-After"), r.raw)
		}
	}
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)

	e.srv.AddFault(Fault{Kind: FaultStatus, Method: "POST", Status: 429, RetryAfter: time.Second, Count: 1})
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("throttled")), 429)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("429 Retry-After %q", r.header.Get("Retry-After"))
	}
	if _, ok := e.srv.InstanceByName("throttled"); ok {
		t.Error("a status fault must not perform the write")
	}
	e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("throttled")), 202)
}

func TestFaultByInstanceAndOperation(t *testing.T) {
	e := newEnv(t, testDuration)
	a := e.seed(validCreate("faultya1"))
	b := e.seed(validCreate("faultyb1"))
	e.srv.AddFault(Fault{Kind: FaultStatus, InstanceName: "faultya1", Operation: "resize", Status: 502})
	resize := map[string]any{"operation": "resize", "options": map[string]any{"sizing": "4cpu8gb"}}
	e.mustStatus(e.call("GET", pgURL(a.ID), nil), 200)
	e.mustStatus(e.call("PATCH", pgURL(b.ID), resize), 202)
	e.mustStatus(e.call("PATCH", pgURL(a.ID), resize), 502)
	e.mustStatus(e.call("PATCH", pgURL(a.ID), resize), 502)
	e.srv.ClearFaults()
	e.mustStatus(e.call("PATCH", pgURL(a.ID), resize), 202)
}

func TestFaultDrop(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.AddFault(Fault{Kind: FaultDrop, Method: "GET", Path: "/itcare/actions", Count: 1})
	req, _ := http.NewRequest("GET", e.srv.URL()+"/itcare/actions", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	// A fresh connection: net/http silently retries an idempotent request
	// whose reused connection closed.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d", resp.StatusCode)
	}

	// Without After, the write is not performed.
	e.srv.AddFault(Fault{Kind: FaultDrop, Operation: "create", InstanceName: "lostdb01", Count: 1})
	if err := e.postNoAnswer(validCreate("lostdb01")); err == nil {
		t.Fatal("dropped create answered")
	}
	if _, ok := e.srv.InstanceByName("lostdb01"); ok {
		t.Fatal("drop without after performed the write")
	}
	// With After, the write happens and its answer is lost.
	e.srv.AddFault(Fault{Kind: FaultDrop, Operation: "create", InstanceName: "lostdb01", After: true, Count: 1})
	if err := e.postNoAnswer(validCreate("lostdb01")); err == nil {
		t.Fatal("dropped create answered")
	}
	in, ok := e.srv.InstanceByName("lostdb01")
	if !ok || in.Status != StatusCreating {
		t.Fatalf("drop after: instance %v %v", ok, in.Status)
	}
	var status []int
	for _, r := range e.srv.Requests() {
		if r.Method == "POST" && strings.HasPrefix(r.Path, "/itcare/") {
			status = append(status, r.Status)
		}
	}
	if fmt.Sprint(status) != "[0 0]" {
		t.Errorf("dropped requests logged with status %v, want 0", status)
	}
}

// A refused write changed nothing: "drop after" answers the refusal
// instead of faking a lost write.
func TestFaultDropAfterRefusedWrite(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.AddFault(Fault{Kind: FaultDrop, Operation: "create", After: true, Count: 2})
	// Invalid: the 400 comes through.
	e.mustStatus(e.call("POST", "/itcare/databases/postgresql", with(validCreate("refused01"), "diskSize", 5)), 400)
	// Refused for its token: the 401 comes through.
	e.srv.ExpireTokens()
	e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("refused02")), 401)
	for _, n := range []string{"refused01", "refused02"} {
		if _, ok := e.srv.InstanceByName(n); ok {
			t.Errorf("%s was created", n)
		}
	}
}

func (e *env) postNoAnswer(body map[string]any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.srv.URL()+"/itcare/databases/postgresql", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func TestFaultActionError(t *testing.T) {
	e := newEnv(t, 50*time.Millisecond)
	e.srv.AddFault(Fault{Kind: FaultActionError, InstanceName: "brokendb1", Message: "no capacity left in EB-QA", Count: 1})
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("brokendb1")), 202)
	id := int64(r.obj()["internalId"].(float64))
	if e.get(id)["status"] != StatusCreating {
		t.Fatal("create not visible while running")
	}
	a := e.waitAction(r.actionID())
	if a["status"] != ActionError || a["message"] != "no capacity left in EB-QA" || a["completedAt"] == nil {
		t.Fatalf("action %v", a)
	}
	if st := e.get(id)["status"]; st != StatusError {
		t.Fatalf("failed create left status %v, want ERROR", st)
	}
	e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "stop"}), 409)
	d := e.mustStatus(e.call("DELETE", pgURL(id), nil), 202)
	e.waitAction(d.actionID())
	e.mustStatus(e.call("GET", pgURL(id), nil), 404)

	// A failed operation changes nothing and restores the status.
	ok := e.seed(validCreate("brokendb2"))
	e.srv.AddFault(Fault{Kind: FaultActionError, Operation: "resize"})
	r = e.mustStatus(e.call("PATCH", pgURL(ok.ID), map[string]any{"operation": "resize", "options": map[string]any{"sizing": "8cpu16gb"}}), 202)
	if a := e.waitAction(r.actionID()); a["status"] != ActionError {
		t.Fatalf("resize action %v", a)
	}
	if in := e.get(ok.ID); in["nodeSizing"] != "2cpu4gb" || in["status"] != StatusActive {
		t.Fatalf("failed resize: %v %v", in["nodeSizing"], in["status"])
	}
	// The fault has no count: it stays until cleared, and only matches resize.
	r = e.mustStatus(e.call("PATCH", pgURL(ok.ID), map[string]any{"operation": "stop"}), 202)
	if a := e.waitAction(r.actionID()); a["status"] != ActionSuccess {
		t.Fatalf("stop action %v", a)
	}
}

func TestFaultActionHang(t *testing.T) {
	e := newEnv(t, 30*time.Millisecond)
	in := e.seed(validCreate("hangdb01"))
	e.srv.AddFault(Fault{Kind: FaultActionHang, InstanceName: "hangdb01", Count: 1})
	r := e.mustStatus(e.call("PATCH", pgURL(in.ID), map[string]any{"operation": "stop"}), 202)
	time.Sleep(80 * time.Millisecond)
	a := e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions/%d", r.actionID()), nil), 200).obj()
	if a["status"] != ActionInProgress {
		t.Fatalf("hung action %v", a)
	}
	e.srv.ClearFaults()
	if a := e.waitAction(r.actionID()); a["status"] != ActionSuccess {
		t.Fatalf("after clear %v", a)
	}
	if e.get(in.ID)["status"] != StatusStopped {
		t.Fatal("stop not applied after the hang was cleared")
	}

	// Deleting the instance out of band ends a hung action.
	e.srv.AddFault(Fault{Kind: FaultActionHang, InstanceName: "hangdb01"})
	r = e.mustStatus(e.call("PATCH", pgURL(in.ID), map[string]any{"operation": "start"}), 202)
	if err := e.srv.DeleteInstance(in.ID); err != nil {
		t.Fatal(err)
	}
	if a := e.waitAction(r.actionID()); a["status"] != ActionError {
		t.Fatalf("hung action after out-of-band delete: %v", a)
	}
}

func TestFaultTokenExpiry(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.AddFault(Fault{Kind: FaultTokenExpiry, Path: "/itcare/actions", Count: 1})
	r := e.mustStatus(e.call("GET", "/itcare/actions", nil), 401)
	if r.obj()["status"] != "UNAUTHORIZED" {
		t.Errorf("body %s", r.raw)
	}
	// The token is gone for every path, not only the one that matched.
	e.mustStatus(e.call("GET", "/itcare/databases/postgresql", nil), 401)
	e.token = e.getToken()
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)
}

func TestAdminFaultsOverHTTP(t *testing.T) {
	e := newEnv(t, testDuration)
	post := func(body string) response {
		return e.rawCall("POST", "/_emulator/faults", body, "application/json")
	}
	r := post(`{"kind":"status","path":"/itcare/actions","status":503,"retryAfter":"3s","count":1}`)
	if r.status != 201 || r.obj()["retryAfter"] != "3s" {
		t.Fatalf("add fault: %d %s", r.status, r.raw)
	}
	if post(`{"kind":"explode"}`).status != 400 || post(`{"kind":"latency","latency":"soon"}`).status != 400 ||
		post(`{"kind":"latency"}`).status != 400 {
		t.Error("invalid faults accepted")
	}
	var list []Fault
	_ = json.Unmarshal(e.call("GET", "/_emulator/faults", nil).raw, &list)
	if len(list) != 1 || list[0].RetryAfter != 3*time.Second {
		t.Fatalf("faults %+v", list)
	}
	if got := e.call("GET", "/itcare/actions", nil); got.status != 503 || got.header.Get("Retry-After") != "3" {
		t.Errorf("fault not applied: %d", got.status)
	}
	post(`{"kind":"status","status":500}`)
	e.mustStatus(e.call("DELETE", "/_emulator/faults", nil), 204)
	e.mustStatus(e.call("GET", "/itcare/actions", nil), 200)
}

// eventWriter records what reaches the client, in order, beside the log.
type eventWriter struct {
	h      http.Header
	events *[]string
}

func (w eventWriter) Header() http.Header { return w.h }
func (w eventWriter) WriteHeader(code int) {
	*w.events = append(*w.events, fmt.Sprintf("sent %d", code))
}
func (w eventWriter) Write(b []byte) (int, error) {
	*w.events = append(*w.events, "sent body")
	return len(b), nil
}

// A request is logged once, before anything of its answer is sent, so a
// client that reads the log right after its answer finds its request.
func TestStatusWriterLogsBeforeAnswering(t *testing.T) {
	cases := []struct {
		name  string
		serve func(w *statusWriter)
		want  string
	}{
		{"header then body", func(w *statusWriter) {
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte("{}"))
		}, "[logged 202 sent 202 sent body]"},
		{"body alone", func(w *statusWriter) { _, _ = w.Write([]byte("{}")) }, "[logged 200 sent body]"},
		{"dropped", func(w *statusWriter) { w.answered(0) }, "[logged 0]"},
		{"nothing written", func(*statusWriter) {}, "[logged 200]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var events []string
			w := &statusWriter{ResponseWriter: eventWriter{h: http.Header{}, events: &events}}
			w.onAnswer = func(status int) { events = append(events, fmt.Sprintf("logged %d", status)) }
			c.serve(w)
			// What serveHTTP does once the handler returns.
			w.answered(http.StatusOK)
			if got := fmt.Sprint(events); got != c.want {
				t.Errorf("events %s, want %s", got, c.want)
			}
		})
	}
}
