package itcare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// writeOutcome names the one kind of error a write returned.
func writeOutcome(err error) string {
	var (
		unknown  *UnknownOutcomeError
		auth     *AuthError
		endpoint *EndpointError
		api      *APIError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &unknown):
		return "unknown"
	case errors.As(err, &auth):
		return "auth"
	case errors.As(err, &endpoint):
		return "endpoint"
	case errors.As(err, &api):
		return "api"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "ctx"
	case isDialError(err):
		return "never sent"
	}
	return fmt.Sprintf("unclassified %T: %v", err, err)
}

// rawAnswer writes an HTTP answer on the bare connection and closes it, so
// that a body may be cut short.
func rawAnswer(t *testing.T, w http.ResponseWriter, raw string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	_ = conn.Close()
}

var writes = []struct {
	method string
	send   func(ctx context.Context, c *Client) error
}{
	{http.MethodPost, func(ctx context.Context, c *Client) error {
		_, err := c.CreatePostgreSQL(ctx, CreatePostgreSQLRequest{Name: "pgdemo01", AdmPassword: "Pw!12345678a"})
		return err
	}},
	{http.MethodPatch, func(ctx context.Context, c *Client) error {
		_, err := c.PatchPostgreSQL(ctx, 7, Operation{Operation: OpStop})
		return err
	}},
	{http.MethodDelete, func(ctx context.Context, c *Client) error {
		_, err := c.DeletePostgreSQL(ctx, 7)
		return err
	}},
}

// A write that fails gives exactly one kind of error, and only an
// *UnknownOutcomeError leaves open whether ITCare applied it: callers need
// no other test. A DELETE is resent, so it is unknown only when every
// attempt may have reached ITCare without an answer.
func TestWriteFailuresAreClassified(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(t *testing.T, w http.ResponseWriter, n int)
		// want per method: POST, PATCH, DELETE
		want [3]string
		// sent per method: how many requests reach the server (3 retries)
		sent [3]int
	}{
		{"connection reset mid-body", func(t *testing.T, w http.ResponseWriter, _ int) {
			rawAnswer(t, w, "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n{\"id\":42,\"sta")
		}, [3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 4}},
		{"dropped before any answer", func(t *testing.T, w http.ResponseWriter, _ int) { dropRequest(t, w) },
			[3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 4}},
		{"truncated JSON 202", func(_ *testing.T, w http.ResponseWriter, _ int) {
			writeJSON(w, http.StatusAccepted, `{"id": 12, "status": "IN_PR`)
		}, [3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 1}},
		{"garbage 202", func(_ *testing.T, w http.ResponseWriter, _ int) {
			writeJSON(w, http.StatusAccepted, "\x00\x01garbage")
		}, [3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 1}},
		{"HTML 200", func(_ *testing.T, w http.ResponseWriter, _ int) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>Welcome</body></html>"))
		}, [3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 1}},
		{"JSON of another type", func(_ *testing.T, w http.ResponseWriter, _ int) {
			writeJSON(w, http.StatusAccepted, `["queued"]`)
		}, [3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 1}},
		{"gateway 502", func(_ *testing.T, w http.ResponseWriter, _ int) { writeJSON(w, http.StatusBadGateway, nil) },
			[3]string{"unknown", "unknown", "unknown"}, [3]int{1, 1, 4}},
		{"API 500", func(_ *testing.T, w http.ResponseWriter, _ int) { writeJSON(w, http.StatusInternalServerError, nil) },
			[3]string{"api", "api", "api"}, [3]int{1, 1, 4}},
		{"API 400", func(_ *testing.T, w http.ResponseWriter, _ int) {
			writeJSON(w, http.StatusBadRequest, `{"errorCode":"INVALID_FIELD_VALUE","errorDesc":"name"}`)
		}, [3]string{"api", "api", "api"}, [3]int{1, 1, 1}},
		{"429 on every attempt", func(_ *testing.T, w http.ResponseWriter, _ int) {
			writeJSON(w, http.StatusTooManyRequests, nil)
		}, [3]string{"api", "api", "api"}, [3]int{4, 4, 4}},
		{"gateway 404 page", func(_ *testing.T, w http.ResponseWriter, _ int) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html>no route</html>"))
		}, [3]string{"endpoint", "endpoint", "endpoint"}, [3]int{1, 1, 1}},
		{"dropped, then refused by the API", func(t *testing.T, w http.ResponseWriter, n int) {
			if n == 1 {
				dropRequest(t, w)
				return
			}
			writeJSON(w, http.StatusConflict, `{"errorCode":"ACTION_IN_PROGRESS"}`)
		}, [3]string{"unknown", "unknown", "api"}, [3]int{1, 1, 2}},
	} {
		for i, wr := range writes {
			t.Run(tc.name+"/"+wr.method, func(t *testing.T) {
				f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) { tc.answer(t, w, n) })
				c := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = 3 })
				recordSleeps(c)
				err := wr.send(context.Background(), c)
				if got := writeOutcome(err); got != tc.want[i] {
					t.Errorf("%v: %s, want %s", err, got, tc.want[i])
				}
				if IsUnknownOutcome(err) != (tc.want[i] == "unknown") {
					t.Errorf("IsUnknownOutcome(%v) = %v", err, IsUnknownOutcome(err))
				}
				if n := len(f.requests()); n != tc.sent[i] {
					t.Errorf("%d requests, want %d", n, tc.sent[i])
				}
			})
		}
	}
}

// Failures before the request leaves say so by their kind, whatever the
// method: no token, no connection, or the caller's context.
func TestWriteFailuresBeforeSending(t *testing.T) {
	refused := closedAddr(t)
	for _, tc := range []struct {
		name  string
		setup func(f *fakeAPI, cfg *Config)
		ctx   func() context.Context
		want  string
	}{
		{"token refused", func(f *fakeAPI, _ *Config) {
			f.tokenHandler = func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client"}`)
			}
		}, context.Background, "auth"},
		{"token endpoint down", func(f *fakeAPI, _ *Config) {
			f.tokenHandler = func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusServiceUnavailable, nil) }
		}, context.Background, "auth"},
		{"connection refused", func(_ *fakeAPI, cfg *Config) { cfg.APIURL = "http://" + refused + "/itcare" },
			context.Background, "never sent"},
		{"context already done", func(*fakeAPI, *Config) {}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, "ctx"},
	} {
		for _, wr := range writes {
			t.Run(tc.name+"/"+wr.method, func(t *testing.T) {
				f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
					t.Error("the request reached the API")
					w.WriteHeader(http.StatusAccepted)
				})
				c := newTestClient(t, f, func(cfg *Config) {
					cfg.MaxRetries = 2
					tc.setup(f, cfg)
				})
				recordSleeps(c)
				err := wr.send(tc.ctx(), c)
				if got := writeOutcome(err); got != tc.want || IsUnknownOutcome(err) {
					t.Errorf("%v: %s, want %s", err, got, tc.want)
				}
			})
		}
	}
}

// A context that ends while ITCare holds the request keeps today's
// meaning: unknown for a create or an operation, a plain context error
// for a DELETE, which may be sent again.
func TestWriteContextEndsAfterSending(t *testing.T) {
	for i, wr := range writes {
		t.Run(wr.method, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := newFakeAPI(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
				cancel()
				<-r.Context().Done()
			})
			c := newTestClient(t, f)
			err := wr.send(ctx, c)
			want := []string{"unknown", "unknown", "ctx"}[i]
			if got := writeOutcome(err); got != want || !errors.Is(err, context.Canceled) {
				t.Errorf("%v: %s, want %s wrapping the cancellation", err, got, want)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}
