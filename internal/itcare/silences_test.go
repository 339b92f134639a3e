package itcare

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestClassifyStatus(t *testing.T) {
	for status, want := range map[string]StatusClass{
		"ACTIVE": StatusRunning, "active": StatusRunning, "RUNNING": StatusRunning, "Powered On": StatusRunning,
		"STOPPED": StatusStopped, "POWERED_OFF": StatusStopped, "Powered off": StatusStopped, "poweredOff": StatusStopped,
		"SHUTDOWN": StatusStopped,
		"CREATING": StatusTransitional, "UPDATING": StatusTransitional, "DELETING": StatusTransitional, "IN_PROGRESS": StatusTransitional,
		"ERROR": StatusFailed, "failed": StatusFailed,
		"": StatusUnknown, "HIBERNATING": StatusUnknown, "ACTIVE!": StatusUnknown,
	} {
		if got := ClassifyStatus(status); got != want {
			t.Errorf("ClassifyStatus(%q) = %s, want %s", status, got, want)
		}
	}
	if !IsDeleting("deleting") || IsDeleting("DELETED") {
		t.Error("IsDeleting")
	}
}

// A list the API does not serve says so, whatever error shape it answers in.
func TestListNotOffered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"405 Spring default body", http.StatusMethodNotAllowed, `{"timestamp":"2026-01-01T00:00:00Z","status":405,"error":"Method Not Allowed","message":"Request method 'GET' is not supported","path":"/itcare/databases/postgresql"}`, true},
		{"405 problem", http.StatusMethodNotAllowed, `{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":"GET not supported"}`, true},
		{"API 404", http.StatusNotFound, `{"status":"NOT_FOUND","errorCode":"NOT_FOUND","errorMessage":"no such path"}`, true},
		{"501", http.StatusNotImplemented, ``, true},
		{"400 is a refusal, not a missing list", http.StatusBadRequest, `{"status":"BAD_REQUEST","errorCode":"INVALID_FIELD_VALUE","errorDesc":"name"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeJSON(w, tc.status, tc.body)
			})
			c := newTestClient(t, f)
			_, err := c.FindPostgreSQLByName(context.Background(), "pgdemo01")
			if err == nil || IsNotOffered(err) != tc.want {
				t.Fatalf("IsNotOffered(%v) = %v, want %v", err, IsNotOffered(err), tc.want)
			}
			_, err = c.ListActions(context.Background(), ActionFilter{ResourceID: 1})
			if IsNotOffered(err) != tc.want {
				t.Errorf("ListActions: IsNotOffered(%v) = %v, want %v", err, IsNotOffered(err), tc.want)
			}
			if tc.want && IsNotFound(err) {
				t.Errorf("a missing list must not read as a missing instance: %v", err)
			}
		})
	}
}

func TestErrorBodyShapes(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"documented", `{"status":"BAD_REQUEST","errorCode":"INVALID_FIELD_VALUE","errorDesc":"sizing","errorMessage":"Error on field 'sizing'"}`, `INVALID_FIELD_VALUE on "sizing": Error on field 'sizing'`},
		{"Spring default", `{"timestamp":"2026-01-01T00:00:00Z","status":400,"error":"Bad Request","message":"sizing is invalid","path":"/itcare/x"}`, `400 Bad Request: sizing is invalid`},
		{"RFC 9457 problem", `{"type":"about:blank","title":"Bad Request","status":400,"detail":"sizing is invalid","instance":"/itcare/x"}`, `400 Bad Request: sizing is invalid`},
		{"problem without detail", `{"type":"about:blank","title":"Bad Request","status":400}`, `400 Bad Request: Bad Request`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIError(http.MethodGet, "/x", http.StatusBadRequest, []byte(tc.body), nil)
			if !strings.HasSuffix(e.Error(), tc.want) {
				t.Errorf("got %q, want it to end with %q", e.Error(), tc.want)
			}
		})
	}
}

// createdAPI serves the instance 7 named pgdemo01 (whose internalResourceId
// is 9007), optionally the list by name and the list of actions.
func createdAPI(t *testing.T, list, actions string) *fakeAPI {
	return newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case r.URL.Path == "/itcare/databases/postgresql/7":
			writeJSON(w, http.StatusOK, `{"id":7,"internalResourceId":9007,"name":"pgdemo01","status":"CREATING"}`)
		case r.URL.Path == "/itcare/databases/postgresql/8":
			writeJSON(w, http.StatusOK, `{"id":8,"name":"other0001","status":"ACTIVE"}`)
		case r.URL.Path == "/itcare/databases/postgresql" && list != "":
			writeJSON(w, http.StatusOK, list)
		case r.URL.Path == "/itcare/actions" && actions != "":
			writeJSON(w, http.StatusOK, actions)
		case r.URL.Path == "/itcare/databases/postgresql", r.URL.Path == "/itcare/actions":
			w.Header().Set("Allow", "POST")
			writeJSON(w, http.StatusMethodNotAllowed, `{"status":405,"error":"Method Not Allowed","message":"Request method 'GET' is not supported"}`)
		default:
			writeJSON(w, http.StatusNotFound, `{"status":"NOT_FOUND","errorCode":"NOT_FOUND","errorMessage":"not found"}`)
		}
	})
}

func TestFindCreatedPostgreSQL(t *testing.T) {
	const byName = `{"content":[{"id":7,"name":"pgdemo01"}],"last":true}`
	for _, tc := range []struct {
		name          string
		list, actions string
		action        *Action
		want          []int64
		wantErr       string
		wantPaths     []string
	}{
		{name: "internalId is the instance", action: &Action{ID: 1, InternalID: 7},
			want: []int64{7}, wantPaths: []string{"/databases/postgresql/7"}},
		{name: "internalId is the internalResourceId: found by name", list: byName, action: &Action{ID: 1, InternalID: 9007},
			want: []int64{7}, wantPaths: []string{"/databases/postgresql/9007", "/databases/postgresql"}},
		{name: "internalId is another instance: found by name", list: byName, action: &Action{ID: 1, InternalID: 8},
			want: []int64{7}, wantPaths: []string{"/databases/postgresql/8", "/databases/postgresql"}},
		{name: "no internalId", list: byName, action: &Action{ID: 1},
			want: []int64{7}, wantPaths: []string{"/databases/postgresql"}},
		{name: "lost answer, no list: the create's action names it", actions: `[{"id":1,"internalId":7,"resourceName":"pgdemo01","status":"IN_PROGRESS"}]`,
			want: []int64{7}, wantPaths: []string{"/databases/postgresql", "/actions", "/databases/postgresql/7"}},
		{name: "lost answer, nothing lists", wantErr: `the instance "pgdemo01" cannot be found by name: ITCare does not list here`,
			wantPaths: []string{"/databases/postgresql", "/actions"}},
		{name: "internalId not the instance and no list", action: &Action{ID: 1, InternalID: 9007},
			actions:   `[{"id":1,"internalId":9007,"resourceName":"pgdemo01","status":"IN_PROGRESS"}]`,
			wantErr:   "the internalId 9007 of the create's answer is no instance; ITCare does not list here",
			wantPaths: []string{"/databases/postgresql/9007", "/databases/postgresql", "/actions"}},
		{name: "found nowhere yet", list: `[]`, action: &Action{ID: 1, InternalID: 9007},
			wantPaths: []string{"/databases/postgresql/9007", "/databases/postgresql"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := createdAPI(t, tc.list, tc.actions)
			c := newTestClient(t, f)
			got, err := c.FindCreatedPostgreSQL(context.Background(), "pgdemo01", tc.action)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range got {
				ids = append(ids, p.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("ids = %v, want %v", ids, tc.want)
			}
			var paths []string
			for _, r := range f.requests() {
				paths = append(paths, r.Path)
			}
			if !reflect.DeepEqual(paths, tc.wantPaths) {
				t.Errorf("requests %v, want %v", paths, tc.wantPaths)
			}
		})
	}
}

func TestWaitUntilSettled(t *testing.T) {
	statuses := []string{"UPDATING", "Updating", "POWERED_OFF"}
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeJSON(w, http.StatusOK, `{"id":7,"name":"pgdemo01","status":"`+statuses[min(n, len(statuses))-1]+`"}`)
	})
	c := newTestClient(t, f)
	waits := recordSleeps(c)
	waited, err := c.WaitUntilSettled(context.Background(), 7, WaitOptions{FirstPoll: time.Millisecond})
	if err != nil || !waited || len(f.requests()) != 3 || len(*waits) != 2 {
		t.Errorf("waited %v, err %v after %d reads and %d sleeps", waited, err, len(f.requests()), len(*waits))
	}

	settled := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, `{"id":7,"name":"pgdemo01","status":"HIBERNATING"}`)
	})
	c = newTestClient(t, settled)
	if waited, err := c.WaitUntilSettled(context.Background(), 7, WaitOptions{}); waited || err != nil {
		t.Errorf("an unknown status must end the wait at once: waited %v, err %v", waited, err)
	}
}

func TestConflictingActionID(t *testing.T) {
	conflict := func(body string) error {
		return newAPIError(http.MethodPatch, "/x", http.StatusConflict, []byte(body), nil)
	}
	for _, tc := range []struct {
		err  error
		want int64
	}{
		{conflict(`{"status":"CONFLICT","errorCode":"ACTION_IN_PROGRESS","errorDesc":"id","errorMessage":"action 1200002 (POSTGRESQL_START) is in progress on 'pg'"}`), 1200002},
		{conflict(`{"status":409,"error":"Conflict","message":"Action #77 is running"}`), 77},
		{conflict(`{"title":"Conflict","detail":"an action is in progress"}`), 0},
		{newAPIError(http.MethodPatch, "/x", http.StatusBadRequest, []byte(`{"errorMessage":"action 5 refused"}`), nil), 0},
		{nil, 0},
	} {
		if got := ConflictingActionID(tc.err); got != tc.want {
			t.Errorf("ConflictingActionID(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
