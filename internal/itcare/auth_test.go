package itcare

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func okInstance(w http.ResponseWriter, _ *http.Request, _ int) {
	writeJSON(w, http.StatusOK, `{"id":7,"name":"pgdemo01"}`)
}

func TestTokenRequestUsesBasicAuthAndForm(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	c := newTestClient(t, f)
	if _, err := c.GetPostgreSQL(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if len(f.tokenReq) != 1 {
		t.Fatalf("token requests = %d, want 1", len(f.tokenReq))
	}
	r := f.tokenReq[0]
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+testClientSecret))
	if got := r.Header.Get("Authorization"); got != want {
		t.Errorf("token Authorization = %q, want %q", got, want)
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("token request %s %q, want a POSTed form", r.Method, r.Header.Get("Content-Type"))
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		t.Errorf("grant_type = %q", r.PostForm.Get("grant_type"))
	}
	if r.PostForm.Has("client_secret") {
		t.Error("the client secret is in the form; it belongs in the Basic header only")
	}
	if got := f.requests()[0].Header.Get("Authorization"); got != "Bearer "+f.issued[0] {
		t.Errorf("API Authorization = %q", got)
	}
}

func TestOneTokenForConcurrentCalls(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	f.tokenDelay = 50 * time.Millisecond // make the callers overlap
	c := newTestClient(t, f)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := c.GetPostgreSQL(context.Background(), 7)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
	if n := len(f.requests()); n != 50 {
		t.Errorf("API requests = %d, want 50", n)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ttl         int
		keep, renew time.Duration // clock offsets: still reused / renewed
	}{
		{"long-lived token renewed 60s early", 1200, 1130 * time.Second, 1145 * time.Second},
		{"short-lived token renewed at half life", 10, 4 * time.Second, 6 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, okInstance)
			f.tokenTTL = tc.ttl
			c := newTestClient(t, f)
			start := time.Now()
			offset := time.Duration(0)
			c.now = func() time.Time { return start.Add(offset) }
			ctx := context.Background()
			mustGet := func() {
				t.Helper()
				if _, err := c.GetPostgreSQL(ctx, 7); err != nil {
					t.Fatal(err)
				}
			}
			mustGet()
			offset = tc.keep
			mustGet()
			if n := f.tokenCalls.Load(); n != 1 {
				t.Fatalf("token requests at +%v = %d, want 1", tc.keep, n)
			}
			offset = tc.renew
			mustGet()
			if n := f.tokenCalls.Load(); n != 2 {
				t.Fatalf("token requests at +%v = %d, want 2", tc.renew, n)
			}
		})
	}
}

func TestTokenFetchedAgainAfter401(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.GetPostgreSQL(ctx, 7); err != nil {
		t.Fatal(err)
	}
	f.revokeAll()
	// A POST too: a 401 proves the API did nothing, so it is sent again.
	f.api = func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusAccepted, `{"id":42,"internalId":7,"status":"IN_PROGRESS"}`)
	}
	a, err := c.CreatePostgreSQL(ctx, CreatePostgreSQLRequest{Name: "pgdemo01"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 42 {
		t.Errorf("action = %+v", a)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
	if n := f.apiCalls.Load(); n != 3 {
		t.Errorf("API requests = %d, want 3 (GET, refused POST, POST)", n)
	}
}

func TestSecond401IsReturned(t *testing.T) {
	f := newFakeAPI(t, nil)
	f.api = func(w http.ResponseWriter, _ *http.Request, _ int) {
		f.revokeAll()
		w.WriteHeader(http.StatusUnauthorized)
	}
	c := newTestClient(t, f)
	_, err := c.GetPostgreSQL(context.Background(), 7)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("err = %v, want an APIError 401", err)
	}
	if n := f.apiCalls.Load(); n != 2 {
		t.Errorf("API requests = %d, want 2", n)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestTokenRefusedGivesClearErrorWithoutSecret(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	f.tokenHandler = func(w http.ResponseWriter, _ *http.Request) {
		// A server that echoes the secret must not get it into the error.
		writeJSON(w, http.StatusUnauthorized, `{"error":"unauthorized_client","error_description":"Invalid client secret `+testClientSecret+`"}`)
	}
	c := newTestClient(t, f)
	_, err := c.GetPostgreSQL(context.Background(), 7)
	var authErr *AuthError
	if !errors.As(err, &authErr) {
		t.Fatalf("err = %v, want an *AuthError", err)
	}
	msg := err.Error()
	for _, want := range []string{"ITCare authentication failed: check client_id and client_secret", f.tokenURL(), "401 Unauthorized", "unauthorized_client", "Invalid client secret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, testClientSecret) {
		t.Errorf("error %q contains the client secret", msg)
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1: refused credentials are not retried", n)
	}
	if n := f.apiCalls.Load(); n != 0 {
		t.Errorf("API requests = %d, want 0", n)
	}
}

func TestTokenEndpointOutageIsRetried(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	f.tokenHandler = func(w http.ResponseWriter, _ *http.Request) {
		if f.tokenCalls.Load() == 1 {
			writeJSON(w, http.StatusServiceUnavailable, "<html><body>down</body></html>")
			return
		}
		writeJSON(w, http.StatusOK, `{"access_token":"tok-after-outage","expires_in":1200,"token_type":"bearer"}`)
	}
	f.valid["tok-after-outage"] = true
	c := newTestClient(t, f)
	// Even a create: the token failure means the API saw nothing.
	f.api = func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusAccepted, `{"id":42,"status":"IN_PROGRESS"}`)
	}
	if _, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"}); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

// Whatever goes wrong at the token endpoint, the error says which setting
// to check (Kind), names the token URL, and never shows the secret, even
// when the answer echoes it.
func TestTokenEndpointErrorsNameTheCulprit(t *testing.T) {
	refused := closedAddr(t)
	var dials atomic.Int64
	unknownHost := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			dials.Add(1)
			return nil, &net.DNSError{Err: "no such host", Name: "accounts.example.invalid", IsNotFound: true}
		},
	}}
	echo := "secret " + testClientSecret

	for _, tc := range []struct {
		name     string
		tokenURL func(f *fakeAPI) string
		answer   http.HandlerFunc // nil: the fake's token
		client   *http.Client
		kind     AuthErrorKind
		status   int
		calls    int64 // token requests that reach the fake (MaxRetries 2)
		contains []string
		check    func(t *testing.T)
	}{
		{name: "token URL with a trailing slash", tokenURL: func(f *fakeAPI) string { return f.tokenURL() + "/" },
			kind: AuthTokenURL, status: 404, contains: []string{"check token_url", "404 Not Found", "404 page not found"}},
		{name: "404 page that echoes the secret", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body>" + echo + " not found</body></html>"))
		}, kind: AuthTokenURL, status: 404, calls: 1, contains: []string{"check token_url", "(text/html)", "secret *** not found"}},
		{name: "HTML login page with 200", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html><html><title>Sign in</title></html>"))
		}, kind: AuthTokenURL, status: 200, calls: 1, contains: []string{"check token_url", "200 OK (text/html; charset=utf-8)"}},
		{name: "HTML 401 from a proxy", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("<html>Proxy authentication</html>"))
		}, kind: AuthTokenURL, status: 401, calls: 1, contains: []string{"check token_url", "Proxy authentication"}},
		{name: "JSON without a token", answer: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, `{"status":"UP"}`)
		}, kind: AuthTokenURL, status: 200, calls: 1, contains: []string{"check token_url", "missing access_token"}},
		{name: "connection refused", tokenURL: func(*fakeAPI) string { return "http://" + refused + "/token" },
			kind: AuthTokenURL, contains: []string{"check token_url", "giving up after 3 attempts", "connection refused"}},
		{name: "unknown host", tokenURL: func(*fakeAPI) string { return "https://accounts.example.invalid/token" }, client: unknownHost,
			kind: AuthTokenURL, contains: []string{"check token_url", "no such host"}, check: func(t *testing.T) {
				if n := dials.Load(); n != 1 {
					t.Errorf("%d lookups of an unknown host, want 1: it will not appear by retrying", n)
				}
			}},
		{name: "invalid_client", answer: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials: `+echo+`"}`)
		}, kind: AuthCredentials, status: 401, calls: 1, contains: []string{"check client_id and client_secret", "invalid_client", "credentials: secret ***"}},
		{name: "unauthorized_client with 400", answer: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusBadRequest, `{"error":"unauthorized_client","error_description":"Client not enabled to retrieve service account"}`)
		}, kind: AuthCredentials, status: 400, calls: 1, contains: []string{"check client_id and client_secret", "unauthorized_client"}},
		{name: "401 without a body", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}, kind: AuthCredentials, status: 401, calls: 1, contains: []string{"check client_id and client_secret", "401 Unauthorized"}},
		{name: "503 on every attempt", answer: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusServiceUnavailable, nil)
		}, kind: AuthUnavailable, status: 503, calls: 3, contains: []string{"unavailable, try again later", "giving up after 3 attempts", "503 Service Unavailable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, okInstance)
			f.tokenHandler = tc.answer
			tokenURL := f.tokenURL()
			if tc.tokenURL != nil {
				tokenURL = tc.tokenURL(f)
			}
			c := newTestClient(t, f, func(cfg *Config) {
				cfg.TokenURL, cfg.HTTPClient, cfg.MaxRetries = tokenURL, tc.client, 2
			})
			recordSleeps(c)
			_, err := c.GetPostgreSQL(context.Background(), 7)
			var authErr *AuthError
			if !errors.As(err, &authErr) {
				t.Fatalf("err = %v, want an *AuthError", err)
			}
			if authErr.Kind != tc.kind || authErr.HTTPStatus != tc.status || authErr.TokenURL != tokenURL {
				t.Errorf("AuthError = %+v, want kind %v, status %d, token URL %s", authErr, tc.kind, tc.status, tokenURL)
			}
			msg := err.Error()
			for _, want := range append(tc.contains, tokenURL) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, testClientSecret) {
				t.Errorf("error %q shows the client secret", msg)
			}
			if n := f.tokenCalls.Load(); n != tc.calls {
				t.Errorf("%d token requests, want %d", n, tc.calls)
			}
			if n := f.apiCalls.Load(); n != 0 {
				t.Errorf("%d API requests, want none", n)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

// A token URL may carry a user and password; neither reaches an error.
func TestTokenURLUserinfoIsNotShown(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	f.tokenHandler = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }
	withUser := strings.Replace(f.tokenURL(), "http://", "http://proxyuser:pr0xy-pass@", 1)
	c := newTestClient(t, f, func(cfg *Config) { cfg.TokenURL = withUser })
	_, err := c.GetPostgreSQL(context.Background(), 7)
	var authErr *AuthError
	if !errors.As(err, &authErr) || authErr.TokenURL != f.tokenURL() || strings.Contains(err.Error(), "pr0xy-pass") {
		t.Errorf("err = %v, want an *AuthError naming %s without its password", err, f.tokenURL())
	}
}
