package itcare

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryAfterIsHonoured(t *testing.T) {
	// retryAfterWait answers the first GET with a 429 carrying header, and
	// returns the one wait the client chose before its retry.
	retryAfterWait := func(t *testing.T, header string) time.Duration {
		t.Helper()
		f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				w.Header().Set("Retry-After", header)
				writeJSON(w, http.StatusTooManyRequests, nil)
				return
			}
			okInstance(w, r, n)
		})
		c := newTestClient(t, f)
		waits := recordSleeps(c)
		if _, err := c.GetPostgreSQL(context.Background(), 7); err != nil {
			t.Fatal(err)
		}
		if len(*waits) != 1 {
			t.Fatalf("waits = %v, want one", *waits)
		}
		return (*waits)[0]
	}
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"3", 3 * time.Second},
		{"600", maxRetryAfter}, // above RetryWaitMax: honoured up to the bound
	} {
		t.Run(tc.header, func(t *testing.T) {
			if got := retryAfterWait(t, tc.header); got != tc.want {
				t.Errorf("wait = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("HTTP date", func(t *testing.T) {
		// The wait is the date less the client's clock when it read the
		// answer, which falls between before and after.
		at := time.Now().Add(90 * time.Second).Truncate(time.Second)
		before := time.Now()
		got := retryAfterWait(t, at.UTC().Format(http.TimeFormat))
		after := time.Now()
		if got > at.Sub(before) || got < at.Sub(after) {
			t.Errorf("wait = %v, want between %v and %v", got, at.Sub(after), at.Sub(before))
		}
	})
}

func TestRetryAfterRealWait(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, nil)
			return
		}
		okInstance(w, r, n)
	})
	c := newTestClient(t, f)
	start := time.Now()
	if _, err := c.GetPostgreSQL(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, want at least the 1s of Retry-After", d)
	}
}

func TestBackoffIsExponentialWithJitterWithinBounds(t *testing.T) {
	f := newFakeAPI(t, okInstance)
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.RetryWaitMin, cfg.RetryWaitMax = time.Second, 30*time.Second
	})
	c.jitter = func(n int64) int64 { return n - 1 } // the top of the jitter range
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i, w := range want {
		if got := c.backoff(i+1, nil); got != w*time.Second {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w*time.Second)
		}
	}
	c.jitter = func(int64) int64 { return 0 } // the bottom
	if got := c.backoff(1, nil); got != time.Second {
		t.Errorf("backoff(1) = %v, want RetryWaitMin", got)
	}
	if got := c.backoff(4, nil); got != 4*time.Second {
		t.Errorf("backoff(4) = %v, want half of 8s", got)
	}
	if got := c.backoff(100, nil); got != 15*time.Second {
		t.Errorf("backoff(100) = %v, want half of RetryWaitMax", got)
	}
}

func TestGatewayErrorsAreRetried(t *testing.T) {
	codes := []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= len(codes) {
			writeJSON(w, codes[n-1], nil)
			return
		}
		okInstance(w, r, n)
	})
	c := newTestClient(t, f)
	p, err := c.GetPostgreSQL(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 7 || len(f.requests()) != 4 {
		t.Errorf("instance %d after %d requests, want 7 after 4", p.ID, len(f.requests()))
	}
}

func TestRetriesAreBoundedByMaxRetries(t *testing.T) {
	for _, tc := range []struct {
		maxRetries int
		want       int
	}{{3, 4}, {-1, 1}, {0, DefaultMaxRetries + 1}} {
		f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeJSON(w, http.StatusServiceUnavailable, nil)
		})
		c := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = tc.maxRetries })
		_, err := c.GetPostgreSQL(context.Background(), 7)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusServiceUnavailable {
			t.Errorf("MaxRetries %d: err = %v, want an APIError 503", tc.maxRetries, err)
		}
		if n := len(f.requests()); n != tc.want {
			t.Errorf("MaxRetries %d: %d requests, want %d", tc.maxRetries, n, tc.want)
		}
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusServiceUnavailable, nil)
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = time.Hour, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetPostgreSQL(ctx, 7)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Errorf("err = %v, want the last answer kept", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestGETIsRetriedOnDroppedConnection(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			dropRequest(t, w)
			return
		}
		okInstance(w, r, n)
	})
	c := newTestClient(t, f)
	if _, err := c.GetPostgreSQL(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestGETIsRetriedOnAttemptTimeout(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		okInstance(w, r, n)
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	if _, err := c.GetPostgreSQL(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestWritesAreNotRetriedOnceSent(t *testing.T) {
	create := func(c *Client) error {
		_, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
		return err
	}
	resize := func(c *Client) error {
		_, err := patch(c, 7, OpResize, ResizeOptions{Sizing: "2cpu4gb"})
		return err
	}
	for _, tc := range []struct {
		name    string
		send    func(*Client) error
		handler func(t *testing.T, w http.ResponseWriter)
		timeout time.Duration
		unknown bool
		status  int
	}{
		{"POST 503", create, func(_ *testing.T, w http.ResponseWriter) { writeJSON(w, 503, nil) }, 0, true, 503},
		{"POST 502", create, func(_ *testing.T, w http.ResponseWriter) { writeJSON(w, 502, nil) }, 0, true, 502},
		{"POST dropped", create, dropRequest, 0, true, 0},
		{"POST attempt timeout", create, func(_ *testing.T, w http.ResponseWriter) { time.Sleep(300 * time.Millisecond) }, 100 * time.Millisecond, true, 0},
		{"PATCH 504", resize, func(_ *testing.T, w http.ResponseWriter) { writeJSON(w, 504, nil) }, 0, true, 504},
		{"PATCH dropped", resize, dropRequest, 0, true, 0},
		{"PATCH 500", resize, func(_ *testing.T, w http.ResponseWriter) { writeJSON(w, 500, nil) }, 0, false, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tc.handler(t, w) })
			c := newTestClient(t, f, func(cfg *Config) {
				if tc.timeout > 0 {
					cfg.RequestTimeout = tc.timeout
				}
			})
			err := tc.send(c)
			if err == nil {
				t.Fatal("no error")
			}
			if IsUnknownOutcome(err) != tc.unknown {
				t.Errorf("IsUnknownOutcome(%v) = %v, want %v", err, !tc.unknown, tc.unknown)
			}
			if tc.status != 0 {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.HTTPStatus != tc.status {
					t.Errorf("err = %v, want an APIError %d", err, tc.status)
				}
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want exactly 1", n)
			}
		})
	}
}

func TestPOSTIsRetriedOn429(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			writeJSON(w, http.StatusTooManyRequests, nil)
			return
		}
		writeJSON(w, http.StatusAccepted, `{"id":42,"internalId":7,"status":"IN_PROGRESS"}`)
	})
	c := newTestClient(t, f)
	a, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 42 || len(f.requests()) != 2 {
		t.Errorf("action %+v after %d requests", a, len(f.requests()))
	}
}

// A refused connection proves the request never left: even a create is
// sent again.
func TestPOSTIsRetriedWhenConnectionRefused(t *testing.T) {
	tokens := newFakeAPI(t, nil) // only its token endpoint is used
	addr := closedAddr(t)

	var posts atomic.Int64
	api := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		writeJSON(w, http.StatusAccepted, `{"id":42,"status":"IN_PROGRESS"}`)
	}))
	defer api.Close()

	c, err := NewClient(Config{
		APIURL: "http://" + addr + "/itcare", TokenURL: tokens.tokenURL(),
		ClientID: testClientID, ClientSecret: testClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	var refused int
	c.sleep = func(ctx context.Context, _ time.Duration) error {
		refused++
		if refused == 2 { // two refused attempts, then the server comes up
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("port %s taken again: %v", addr, err)
			}
			api.Listener = l
			api.Start()
		}
		return ctx.Err()
	}
	a, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 42 || refused != 2 || posts.Load() != 1 {
		t.Errorf("action %+v after %d refused attempts and %d POSTs received, want 42, 2, 1", a, refused, posts.Load())
	}
}

func TestDELETEIsRetriedOn500(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			writeJSON(w, http.StatusInternalServerError, nil)
			return
		}
		writeJSON(w, http.StatusAccepted, `{"id":43,"internalId":7,"status":"IN_PROGRESS"}`)
	})
	c := newTestClient(t, f)
	a, err := c.DeletePostgreSQL(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 43 || len(f.requests()) != 2 {
		t.Errorf("action %+v after %d requests", a, len(f.requests()))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 7, 6, 11, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"0":                             0,
		" 5 ":                           5 * time.Second,
		"Sun, 06 Jul 2025 11:00:30 GMT": 30 * time.Second,
		"Sun, 06 Jul 2025 10:00:00 GMT": 0, // in the past
	} {
		got, ok := parseRetryAfter(in, now)
		if !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "soon"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) accepted", in)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusAccepted, `{"id":42,"status":"IN_PROGRESS"}`)
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.UserAgent = "terraform-provider-itcare/1.2.3" })
	ctx := context.Background()
	if _, err := c.CreatePostgreSQL(ctx, CreatePostgreSQLRequest{Name: "pgdemo01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := patch(c, 7, OpStart, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePostgreSQL(ctx, 7); err != nil {
		t.Fatal(err)
	}
	wantCT := map[string]string{"POST": mediaTypeV1, "PATCH": "application/json", "DELETE": ""}
	for _, r := range f.requests() {
		if got := r.Header.Get("Accept"); got != "application/vnd.cegedim-it.v1+json, application/json;q=0.9" {
			t.Errorf("%s Accept = %q", r.Method, got)
		}
		if got := r.Header.Get("User-Agent"); got != "terraform-provider-itcare/1.2.3" {
			t.Errorf("%s User-Agent = %q", r.Method, got)
		}
		if got := r.Header.Get("Content-Type"); got != wantCT[r.Method] {
			t.Errorf("%s Content-Type = %q, want %q", r.Method, got, wantCT[r.Method])
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer access-token-") {
			t.Errorf("%s Authorization = %q", r.Method, r.Header.Get("Authorization"))
		}
	}
}
