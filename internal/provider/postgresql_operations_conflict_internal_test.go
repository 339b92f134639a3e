package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// TestRunOperationConflictWithoutAction: a 409 whose blocking action has
// already ended when the actions are listed is sent once more; a 409 that
// lists no action twice is the instance refusing, and fails.
func TestRunOperationConflictWithoutAction(t *testing.T) {
	for _, c := range []struct {
		name      string
		conflicts int32 // PATCHes answered 409 before one is accepted
		wantErr   bool
		wantSent  int32
	}{
		{"the action ended before the list", 1, false, 2},
		{"the instance keeps refusing", 100, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var sent atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Path == "/token":
					_, _ = w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3600}`))
				case r.Method == http.MethodPatch:
					if sent.Add(1) <= c.conflicts {
						w.WriteHeader(http.StatusConflict)
						_, _ = w.Write([]byte(`{"status":"CONFLICT","errorCode":"ACTION_IN_PROGRESS","errorDesc":"id","errorMessage":"an action is in progress"}`))
						return
					}
					w.WriteHeader(http.StatusAccepted)
					_, _ = w.Write([]byte(`{"id":99,"internalId":7,"status":"IN_PROGRESS","process":"POSTGRESQL_RESIZE"}`))
				case strings.HasPrefix(r.URL.Path, "/itcare/actions/"):
					_, _ = w.Write([]byte(`{"id":99,"status":"SUCCESS","process":"POSTGRESQL_RESIZE"}`))
				case r.URL.Path == "/itcare/actions":
					_, _ = w.Write([]byte(`[]`))
				case r.URL.Path == "/itcare/databases/postgresql/7":
					_, _ = w.Write([]byte(`{"id":7,"name":"pgunit07","status":"ACTIVE","nodeSizing":"2cpu4gb"}`))
				default:
					_, _ = w.Write([]byte(`{}`))
				}
			}))
			defer srv.Close()
			client, err := itcare.NewClient(itcare.Config{APIURL: srv.URL + "/itcare", TokenURL: srv.URL + "/token",
				ClientID: "id", ClientSecret: "secret", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			o := operation{Name: itcare.OpResize, Options: itcare.ResizeOptions{Sizing: "4cpu8gb"}}
			_, err = runOperation(ctx, client, itcare.WaitOptions{}, 7, o)
			if (err != nil) != c.wantErr || (err != nil && !itcare.IsConflict(err)) {
				t.Fatalf("err = %v, want an error: %v (a 409)", err, c.wantErr)
			}
			if got := sent.Load(); got != c.wantSent {
				t.Errorf("%d PATCH sent, want %d", got, c.wantSent)
			}
		})
	}
}
