package probe

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Whatever a check asks, only GETs and the token POST leave: a write to
// the API is refused before it is sent.
func TestReadOnlyTransport(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	api, _ := url.Parse(srv.URL + "/itcare")
	tokenURL, _ := url.Parse(srv.URL + "/auth/token")
	hc := newHTTPClient(api, tokenURL, nil)
	for _, tc := range []struct {
		method, path string
		sent         bool
	}{
		{http.MethodGet, "/itcare/databases/postgresql/1", true},
		{http.MethodGet, "/elsewhere", true},
		{http.MethodPost, "/auth/token", true},
		{http.MethodPost, "/itcare/databases/postgresql", false},
		{http.MethodPatch, "/itcare/databases/postgresql/1", false},
		{http.MethodDelete, "/itcare/databases/postgresql/1", false},
		{http.MethodPut, "/itcare/databases/postgresql/1", false},
		{http.MethodHead, "/itcare/health", false},
		{http.MethodPost, "/itcare", false},
		{http.MethodPost, "/other/../itcare/databases/postgresql", false},
		{http.MethodPost, "/ITCARE-not/x", false},
		{http.MethodPost, "/auth/other", false},
		{http.MethodDelete, "/auth/token", false},
	} {
		before := hits.Load()
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent := hits.Load() > before
		if sent != tc.sent {
			t.Errorf("%s %s: sent %v, want %v (err %v)", tc.method, tc.path, sent, tc.sent, err)
		}
		if !tc.sent && !errors.Is(err, errWriteRefused) {
			t.Errorf("%s %s: error %v, want the refusal", tc.method, tc.path, err)
		}
	}
}

func TestUnder(t *testing.T) {
	base, _ := url.Parse("https://api.cegedim.cloud/itcare")
	for u, want := range map[string]bool{
		"https://api.cegedim.cloud/itcare":                       true,
		"https://api.cegedim.cloud/itcare/x":                     true,
		"https://API.cegedim.cloud:443/itcare/x":                 true,
		"https://api.cegedim.cloud/a/../itcare/x":                true,
		"https://api.cegedim.cloud/itcare-console/x":             false,
		"http://api.cegedim.cloud/itcare/x":                      false,
		"https://accounts.cegedim.cloud/itcare/x":                false,
		"https://api.cegedim.cloud:8443/itcare/x":                false,
		"https://api.cegedim.cloud/auth/realms/cloud/x/../token": false,
	} {
		p, _ := url.Parse(u)
		if got := under(p, base); got != want {
			t.Errorf("under(%s) = %v, want %v", u, got, want)
		}
	}
}
