package itcare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		ctype    string
		body     string
		send     func(*Client) error
		want     string
		code     string
		notFound bool
		conflict bool
	}{
		{
			name: "documented JSON body", status: 400, ctype: mediaTypeV1,
			body: `{"status":"BAD_REQUEST","errorCode":"INVALID_FIELD_VALUE","errorDesc":"sizing","errorMessage":"Error on field 'sizing'","traceId":"abc"}`,
			send: func(c *Client) error { _, err := patch(c, 123, OpResize, ResizeOptions{Sizing: "9cpu"}); return err },
			want: `PATCH /databases/postgresql/123: 400 Bad Request: INVALID_FIELD_VALUE on "sizing": Error on field 'sizing'`,
			code: "INVALID_FIELD_VALUE",
		},
		{
			name: "empty body", status: 404, ctype: "application/json",
			send:     func(c *Client) error { _, err := c.GetPostgreSQL(context.Background(), 9); return err },
			want:     `GET /databases/postgresql/9: 404 Not Found`,
			notFound: true,
		},
		{
			name: "HTML body", status: 400, ctype: "text/html",
			body: "<html><head><title>Error</title></head>\n<body><h1>Request\trejected</h1>\x00</body></html>",
			send: func(c *Client) error { _, err := c.GetPostgreSQLNodes(context.Background(), 9); return err },
			want: `GET /databases/postgresql/9/nodes: 400 Bad Request: Error Request rejected`,
		},
		{
			name: "Spring default body", status: 409, ctype: "application/json",
			body:     `{"timestamp":"2025-07-06T11:01:21.263+00:00","status":409,"error":"Conflict","message":"an action is in progress","path":"/itcare/databases/postgresql/9"}`,
			send:     func(c *Client) error { _, err := patch(c, 9, OpStop, nil); return err },
			want:     `PATCH /databases/postgresql/9: 409 Conflict: an action is in progress`,
			conflict: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c := newTestClient(t, f)
			err := tc.send(c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if err.Error() != tc.want {
				t.Errorf("Error() = %q\n          want %q", err.Error(), tc.want)
			}
			if apiErr.ErrorCode != tc.code || apiErr.HTTPStatus != tc.status {
				t.Errorf("fields = %+v", apiErr)
			}
			if IsNotFound(err) != tc.notFound || IsConflict(err) != tc.conflict {
				t.Errorf("IsNotFound = %v, IsConflict = %v", IsNotFound(err), IsConflict(err))
			}
		})
	}
}

func TestAPIErrorFields(t *testing.T) {
	e := newAPIError("PATCH", "/databases/postgresql/1", 400,
		[]byte(`{"status":"BAD_REQUEST","errorCode":"INVALID_FIELD_VALUE","errorDesc":"name","errorMessage":"Error on field 'name'"}`), nil)
	want := APIError{Method: "PATCH", Path: "/databases/postgresql/1", HTTPStatus: 400, Status: "BAD_REQUEST",
		ErrorCode: "INVALID_FIELD_VALUE", ErrorDesc: "name", ErrorMessage: "Error on field 'name'"}
	if *e != want {
		t.Errorf("got %+v\nwant %+v", *e, want)
	}
	long := newAPIError("GET", "/x", 502, []byte(strings.Repeat("gateway ", 100)), nil)
	if n := len([]rune(long.Excerpt)); n > 201 {
		t.Errorf("excerpt of %d runes", n)
	}
}

// An API that echoes a submitted password must not get it into an error.
func TestCreateErrorDoesNotEchoPassword(t *testing.T) {
	const password = "Xk9!rT2#mQ7$wL4z"
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, 400, `{"errorCode":"INVALID_FIELD_VALUE","errorDesc":"admPassword","errorMessage":"value '`+password+`' is too weak"}`)
	})
	c := newTestClient(t, f)
	_, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01", AdmPassword: password})
	if err == nil || strings.Contains(err.Error(), password) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), `INVALID_FIELD_VALUE on "admPassword": value '***' is too weak`) {
		t.Errorf("err = %v", err)
	}
}

func TestActionErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  ActionError
		want string
	}{
		{ActionError{ActionID: 42, Process: "POSTGRESQL_RESIZE", Message: "no capacity"}, "action 42 (POSTGRESQL_RESIZE) failed: no capacity"},
		{ActionError{ActionID: 42, Message: "no capacity"}, "action 42 failed: no capacity"},
		{ActionError{ActionID: 42, Process: "P"}, "action 42 (P) failed without a message"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestUnknownOutcomeUnwraps(t *testing.T) {
	inner := &APIError{Method: "POST", Path: "/databases/postgresql", HTTPStatus: 404}
	err := fmt.Errorf("create: %w", &UnknownOutcomeError{Method: "POST", Path: "/databases/postgresql", Err: inner})
	if !IsUnknownOutcome(err) || !IsNotFound(err) {
		t.Errorf("IsUnknownOutcome = %v, IsNotFound = %v", IsUnknownOutcome(err), IsNotFound(err))
	}
	if IsUnknownOutcome(inner) || IsNotFound(errors.New("404")) || IsConflict(nil) {
		t.Error("false positive")
	}
}
