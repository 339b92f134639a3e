package itcare

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A refresh runs up to 10 reads at once, round after round: the client must
// keep those connections alive instead of opening new ones (each a TLS
// handshake against the real API).
func TestConcurrentReadsReuseConnections(t *testing.T) {
	var newConns atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "t-conn", "token_type": "bearer", "expires_in": 1200})
	})
	mux.HandleFunc("/itcare/", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(5 * time.Millisecond) // keeps the 10 reads truly concurrent
		writeJSON(w, http.StatusOK, map[string]any{"id": 1, "name": "pg"})
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	c, err := NewClient(Config{APIURL: srv.URL + "/itcare", TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	const parallel, rounds = 10, 5
	for range rounds {
		var wg sync.WaitGroup
		for range parallel {
			wg.Go(func() {
				if _, err := c.GetPostgreSQL(context.Background(), 1); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	// parallel API connections plus the token's; Go's default pool (2 idle
	// per host) opens about 8 new ones per round here.
	if n := newConns.Load(); n > parallel+2 {
		t.Fatalf("%d reads in rounds of %d opened %d connections; want at most %d", parallel*rounds, parallel, n, parallel+2)
	}
}
