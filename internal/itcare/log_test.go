package itcare

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A whole flow, with retries, a token renewal and an API error that echoes
// the password: no log event may carry a secret, and every attempt is one
// debug event.
func TestLoggerNeverSeesSecrets(t *testing.T) {
	const password = "Zq8#pW3!vN6@tR1x"
	var f *fakeAPI
	f = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1: // create, first attempt
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusTooManyRequests, nil)
		case 2:
			writeJSON(w, http.StatusAccepted, `{"id":42,"internalId":7,"status":"IN_PROGRESS","resourceName":"pgdemo01"}`)
		case 3:
			writeJSON(w, http.StatusOK, `{"id":42,"status":"IN_PROGRESS"}`)
		case 4:
			writeJSON(w, http.StatusOK, `{"id":42,"status":"SUCCESS"}`)
		case 5:
			writeJSON(w, http.StatusServiceUnavailable, nil)
		case 6:
			writeJSON(w, http.StatusOK, `{"id":7,"name":"pgdemo01"}`)
			f.revokeAll()
		case 7: // resize with a new token
			writeJSON(w, http.StatusAccepted, `{"id":43,"internalId":7,"status":"IN_PROGRESS"}`)
		default: // a second create, refused with the password echoed
			writeJSON(w, http.StatusBadRequest, `{"errorCode":"INVALID_FIELD_VALUE","errorDesc":"admPassword","errorMessage":"bad `+password+`"}`)
		}
	})
	log := &recordingLogger{}
	c := newTestClient(t, f, func(cfg *Config) { cfg.Logger = log })
	recordSleeps(c)
	ctx := context.Background()
	req := CreatePostgreSQLRequest{Name: "pgdemo01", AdmPassword: password}
	a, err := c.CreatePostgreSQL(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForAction(ctx, a.ID, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPostgreSQL(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := patch(c, 7, OpResize, ResizeOptions{Sizing: "4cpu8gb"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePostgreSQL(ctx, req); err == nil {
		t.Fatal("second create accepted")
	}

	secrets := []string{password, testClientSecret, base64.StdEncoding.EncodeToString([]byte(testClientID + ":" + testClientSecret)), "Bearer", "8f3a9c2e71"}
	secrets = append(secrets, f.issued...)
	events := log.all()
	var debug, warn int
	sawAction := false
	for _, e := range events {
		text := e.Msg + " " + fmt.Sprint(e.Fields)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("log event %q carries %q", text, s)
			}
		}
		if e.Msg == "ITCare token request" {
			continue // TestTokenRequestsAreLogged
		}
		switch e.Level {
		case "debug":
			debug++
			for _, k := range []string{"method", "path", "attempt", "duration_ms", "status"} {
				if _, ok := e.Fields[k]; !ok {
					t.Errorf("debug event %v lacks %q", e.Fields, k)
				}
			}
			if e.Fields["action_id"] == "42" && e.Fields["method"] == "POST" {
				sawAction = true
			}
		case "warn":
			warn++
		}
	}
	if n := int(f.apiCalls.Load()); debug != n {
		t.Errorf("%d debug events for %d API requests", debug, n)
	}
	if warn != 2 {
		t.Errorf("%d warnings, want 2 (429 and 503)", warn)
	}
	if !sawAction {
		t.Error("no debug event names the created action")
	}
}

// Each token request is one event with its URL, outcome and duration; a
// failed one is a warning. Neither carries the secret, the Basic header or
// the token, even when the endpoint echoes them.
func TestTokenRequestsAreLogged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  http.HandlerFunc
		level   string
		outcome string
		status  int
	}{
		{"granted", nil, "debug", "ok", 200},
		{"refused", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad secret `+testClientSecret+`"}`)
		}, "warn", "failed", 401},
		{"echoing page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, "<html>%s %s</html>", testClientSecret, base64.StdEncoding.EncodeToString([]byte(testClientID+":"+testClientSecret)))
		}, "warn", "failed", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, okInstance)
			f.tokenHandler = tc.answer
			log := &recordingLogger{}
			c := newTestClient(t, f, func(cfg *Config) { cfg.Logger = log })
			_, _ = c.GetPostgreSQL(context.Background(), 7)
			var token []logEvent
			for _, e := range log.all() {
				if e.Msg == "ITCare token request" {
					token = append(token, e)
				}
			}
			if len(token) != 1 {
				t.Fatalf("%d token request events, want 1: %+v", len(token), log.all())
			}
			e := token[0]
			if e.Level != tc.level || e.Fields["token_url"] != f.tokenURL() || e.Fields["outcome"] != tc.outcome || e.Fields["status"] != tc.status {
				t.Errorf("event %s %v, want %s with token_url, outcome %s and status %d", e.Level, e.Fields, tc.level, tc.outcome, tc.status)
			}
			if _, ok := e.Fields["duration_ms"].(int64); !ok {
				t.Errorf("event %v has no duration_ms", e.Fields)
			}
			text := fmt.Sprint(e.Fields)
			for _, s := range append([]string{testClientSecret, base64.StdEncoding.EncodeToString([]byte(testClientID + ":" + testClientSecret))}, f.issued...) {
				if strings.Contains(text, s) {
					t.Errorf("token event %s carries %q", text, s)
				}
			}
		})
	}
}

// Terraform relays log fields as JSON, where numbers become float64s and
// 1200042 prints as 1.200042e+06: ids are logged as strings.
func TestActionIDsAreLoggedAsText(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method == http.MethodPatch {
			writeJSON(w, http.StatusAccepted, `{"id":1200042,"status":"IN_PROGRESS"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":1200042,"status":"QUEUED"}`)
	})
	log := &recordingLogger{}
	c := newTestClient(t, f, func(cfg *Config) { cfg.Logger = log })
	recordSleeps(c)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := patch(c, 7, OpStop, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.WaitForAction(ctx, a.ID, WaitOptions{OnPoll: func(*Action) { cancel() }})
	seen := 0
	for _, e := range log.all() {
		id, ok := e.Fields["action_id"]
		if !ok {
			continue
		}
		seen++
		b, _ := json.Marshal(e.Fields)
		var relayed map[string]any
		if err := json.Unmarshal(b, &relayed); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(relayed["action_id"]); got != "1200042" {
			t.Errorf("%s event %q: action_id %v (%T) relays as %s, want 1200042", e.Level, e.Msg, id, id, got)
		}
	}
	if seen != 3 {
		t.Errorf("%d events name the action, want 3 (the PATCH, the poll, the undocumented status)", seen)
	}
}
