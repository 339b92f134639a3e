package itcare

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// notFoundCalls are the calls whose 404 the provider reads as "gone".
var notFoundCalls = []struct {
	name string
	path string // the path the call requests, under the API URL
	send func(*Client) error
}{
	{"instance GET", "/databases/postgresql/9", func(c *Client) error {
		_, err := c.GetPostgreSQL(context.Background(), 9)
		return err
	}},
	{"DELETE", "/databases/postgresql/9", func(c *Client) error {
		_, err := c.DeletePostgreSQL(context.Background(), 9)
		return err
	}},
	{"action wait", "/actions/42", func(c *Client) error {
		_, err := c.WaitForAction(context.Background(), 42, WaitOptions{})
		return err
	}},
	{"databases GET", "/databases/postgresql/9/databases", func(c *Client) error {
		_, err := c.GetPostgreSQLDatabases(context.Background(), 9)
		return err
	}},
}

// Only the API may say that an instance or an action is gone: a web page,
// or any 404 under an API URL that its health check does not confirm, is
// an *EndpointError, so that a wrong api_url or a gateway never empties a
// Terraform state.
func TestNotFoundOnlyFromTheAPI(t *testing.T) {
	const documented = `{"status":"NOT_FOUND","errorCode":"NOT_FOUND","errorDesc":"id","errorMessage":"PostgreSQL 9 not found"}`
	const spring = `{"timestamp":"2025-07-06T11:01:21.263+00:00","status":404,"error":"Not Found","path":"/itcare/databases/postgresql/9"}`
	const nginx = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>"
	for _, tc := range []struct {
		name     string
		wrongAPI bool // api_url without its /itcare suffix
		ctype    string
		body     string
		health   int // status of GET /itcare/health
		provenBy bool
		// want
		notFound    bool
		healthCalls int64
		reason      string
	}{
		{name: "documented JSON body", ctype: mediaTypeV1, body: documented, health: 200, notFound: true, healthCalls: 1},
		{name: "Spring default body", ctype: "application/json", body: spring, health: 200, notFound: true, healthCalls: 1},
		{name: "empty body, good base", ctype: "", body: "", health: 200, notFound: true, healthCalls: 1},
		{name: "empty body, base proven by an earlier answer", ctype: "", body: "", health: 200, provenBy: true, notFound: true, healthCalls: 0},
		{name: "empty body, health check refused", ctype: "", body: "", health: 404, healthCalls: 1, reason: "health check"},
		{name: "documented JSON body, health check refused", ctype: mediaTypeV1, body: documented, health: 404, healthCalls: 1, reason: "health check"},
		{name: "HTML from a gateway", ctype: "text/html", body: nginx, health: 200, healthCalls: 0, reason: "web page"},
		{name: "HTML without its media type", ctype: "application/json", body: "\n <!DOCTYPE html><html>gone</html>", health: 200, healthCalls: 0, reason: "web page"},
		{name: "HTML, base proven", ctype: "text/html; charset=utf-8", body: nginx, health: 200, provenBy: true, healthCalls: 0, reason: "web page"},
		{name: "api_url without /itcare", wrongAPI: true, health: 200, healthCalls: 0, reason: "health check"},
	} {
		for _, call := range notFoundCalls {
			t.Run(tc.name+"/"+call.name, func(t *testing.T) {
				f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					if r.URL.Path == "/itcare/databases/postgresql/1" {
						okInstance(w, r, 0)
						return
					}
					if tc.ctype != "" {
						w.Header().Set("Content-Type", tc.ctype)
					}
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(tc.body))
				})
				f.health = func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, tc.health, `{"status":"UP"}`) }
				apiURL := f.apiURL()
				if tc.wrongAPI {
					// Go's mux answers every unknown path "404 page not
					// found", text/plain: /health included.
					apiURL = f.srv.URL
				}
				c := newTestClient(t, f, func(cfg *Config) { cfg.APIURL = apiURL })
				recordSleeps(c)
				if tc.provenBy {
					if _, err := c.GetPostgreSQL(context.Background(), 1); err != nil {
						t.Fatal(err)
					}
				}

				err := call.send(c)
				if IsNotFound(err) != tc.notFound {
					t.Fatalf("IsNotFound(%v) = %v, want %v", err, !tc.notFound, tc.notFound)
				}
				var endpointErr *EndpointError
				if isEndpoint := errors.As(err, &endpointErr); isEndpoint == tc.notFound {
					t.Fatalf("err = %v (%T): an *EndpointError exactly when not found is false", err, err)
				}
				if endpointErr != nil {
					if endpointErr.URL != apiURL+call.path || endpointErr.HTTPStatus != http.StatusNotFound {
						t.Errorf("EndpointError = %+v, want URL %s and 404", endpointErr, apiURL+call.path)
					}
					for _, want := range []string{apiURL + call.path, "404 Not Found", "not an answer of the ITCare API", tc.reason, "check api_url"} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("error %q lacks %q", err, want)
						}
					}
				}
				if n := f.healthCalls.Load(); n != tc.healthCalls {
					t.Errorf("%d health checks, want %d", n, tc.healthCalls)
				}
			})
		}
	}
}

// A confirmed base URL is checked once per client; a failed check is
// made again, and a health check that keeps failing is retried like any
// read, then reported.
func TestBaseURLCheckIsKeptOnlyOnceItSucceeded(t *testing.T) {
	healthStatus := http.StatusServiceUnavailable
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusNotFound)
	})
	f.health = func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, healthStatus, nil) }
	c := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = 2 })
	recordSleeps(c)
	ctx := context.Background()

	_, err := c.GetPostgreSQL(ctx, 9)
	var endpointErr *EndpointError
	if !errors.As(err, &endpointErr) || !strings.Contains(err.Error(), "503 Service Unavailable") {
		t.Fatalf("err = %v, want an *EndpointError that tells the health check's 503", err)
	}
	if n := f.healthCalls.Load(); n != 3 {
		t.Errorf("%d health checks, want 3 (one and two retries)", n)
	}

	healthStatus = http.StatusOK
	for range 3 {
		if _, err := c.GetPostgreSQL(ctx, 9); !IsNotFound(err) {
			t.Fatalf("err = %v, want not found once the base URL is confirmed", err)
		}
	}
	if n := f.healthCalls.Load(); n != 4 {
		t.Errorf("%d health checks, want 4: a success is kept", n)
	}
}

// A gateway's page survives the retries of what came before it, and the
// wait for an action stops at once rather than taking it for an action
// not readable yet.
func TestEndpointErrorIsNotHiddenByRetries(t *testing.T) {
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { writeJSON(w, http.StatusBadGateway, nil) },
		func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body>No route</body></html>"))
		},
	}
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) { answers[min(n, len(answers))-1](w) })
	c := newTestClient(t, f)
	recordSleeps(c)
	_, err := c.WaitForAction(context.Background(), 42, WaitOptions{})
	var endpointErr *EndpointError
	if !errors.As(err, &endpointErr) || IsNotFound(err) {
		t.Fatalf("err = %v, want an *EndpointError", err)
	}
	if endpointErr.Excerpt != "No route" || endpointErr.ContentType != "text/html" {
		t.Errorf("EndpointError = %+v", endpointErr)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2: the 502 retried, then no more polls", n)
	}
}

// The check runs under the caller's context: a cancelled one is a context
// error, never not found.
func TestBaseURLCheckHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusNotFound)
	})
	f.health = func(w http.ResponseWriter, _ *http.Request) {
		cancel()
		writeJSON(w, http.StatusServiceUnavailable, nil)
	}
	c := newTestClient(t, f)
	_, err := c.GetPostgreSQL(ctx, 9)
	if !errors.Is(err, context.Canceled) || IsNotFound(err) {
		t.Errorf("err = %v, want a context error that is not a not found", err)
	}
}
