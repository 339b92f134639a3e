package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// The emulator plays the client's readings: every row holds, or needs a
// write or a fault.
func TestProbeDefaultEmulator(t *testing.T) {
	f := newFixture(t, nil)
	rows := f.probe(f.config())
	if len(rows) != len(Rows) {
		t.Fatalf("%d rows, want %d", len(rows), len(Rows))
	}
	for i, r := range rows {
		if r.ID != Rows[i].ID {
			t.Errorf("row %d is %s, want %s", i, r.ID, Rows[i].ID)
		}
		if r.Result != Holds && r.Result != NotChecked {
			t.Errorf("%s: %s (%s)", r.ID, r.Result, r.Seen)
		}
		if r.Seen == "" {
			t.Errorf("%s: nothing seen", r.ID)
		}
	}
	if ExitCode(rows) != 0 {
		t.Errorf("exit code %d, want 0", ExitCode(rows))
	}
	if t.Failed() {
		t.Log("\n" + rowsText(rows))
	}
}

func changed(rows []Row) map[string]Result {
	out := map[string]Result{}
	for _, r := range rows {
		if r.Result != Holds && r.Result != NotChecked {
			out[r.ID] = r.Result
		}
	}
	return out
}

func describe(m map[string]Result) string {
	var parts []string
	for id, r := range m {
		parts = append(parts, id+"="+string(r))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

// The probe only reads: every request under /itcare is a GET, and the
// secret and the token appear nowhere in what it prints.
func TestProbeOnlyReadsAndHidesSecrets(t *testing.T) {
	f := newFixture(t, nil)
	rows := f.probe(f.config())
	reqs := f.srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request logged")
	}
	gets := 0
	for _, r := range reqs {
		if r.Path == emulator.APIPrefix || strings.HasPrefix(r.Path, emulator.APIPrefix+"/") {
			if r.Method != http.MethodGet {
				t.Errorf("%s %s reached the API", r.Method, r.Path)
			}
			gets++
		} else if r.Method != http.MethodPost || r.Path != emulator.TokenPath {
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
		}
	}
	// health, the instance, the unknown id, the lists, versions, the 401.
	if gets < 9 {
		t.Errorf("only %d GETs under %s", gets, emulator.APIPrefix)
	}
	var text, js bytes.Buffer
	if err := WriteText(&text, rows); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, rows); err != nil {
		t.Fatal(err)
	}
	secrets := append([]string{f.srv.ClientSecret()}, f.srv.IssuedTokens()...)
	if len(secrets) < 3 {
		t.Fatalf("issued tokens: %d", len(secrets)-1)
	}
	for _, out := range []string{text.String(), js.String()} {
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("output holds a secret or a token:\n%s", out)
			}
		}
	}
}

func TestProbeJSON(t *testing.T) {
	f := newFixture(t, nil)
	rows := f.probe(f.config())
	var b bytes.Buffer
	if err := WriteJSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(got) != len(Rows) {
		t.Fatalf("%d rows, want %d", len(got), len(Rows))
	}
	for i, r := range got {
		if len(r) != 4 {
			t.Errorf("row %d has keys %v, want id, result, assumption, seen", i, r)
		}
		for _, k := range []string{"id", "result", "assumption", "seen"} {
			if s, ok := r[k].(string); !ok || s == "" {
				t.Errorf("row %d: %s is %v", i, k, r[k])
			}
		}
		if r["id"] != Rows[i].ID {
			t.Errorf("row %d: id %v, want %s", i, r["id"], Rows[i].ID)
		}
	}
}

// The name given with -name is the one listed and searched for.
func TestProbeName(t *testing.T) {
	f := newFixture(t, nil)
	cfg := f.config()
	cfg.Name = "otherdb01"
	rows := f.probe(cfg)
	got := changed(rows)
	if got["list-by-name"] != Differs {
		t.Errorf("list-by-name with another instance's name: %v\n%s", got, rowsText(rows))
	}
}

// setupError runs the probe and returns its *SetupError.
func setupError(t *testing.T, cfg Config) string {
	t.Helper()
	rows, err := Run(context.Background(), cfg)
	var se *SetupError
	if !errors.As(err, &se) {
		t.Fatalf("Run: rows %v, error %v, want a *SetupError", rows, err)
	}
	return se.Error()
}

func TestProbeSetupErrors(t *testing.T) {
	f := newFixture(t, nil)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	// A token endpoint that echoes what it is sent in its refusal.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad secret %s"}`, secret)
	}))
	defer echo.Close()

	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		want  []string
		avoid []string
	}{
		{"no instance id", func(c *Config) { c.InstanceID = 0 }, []string{"-instance-id is required"}, nil},
		{"no client id", func(c *Config) { c.ClientID = "" }, []string{"-client-id", EnvClientID}, nil},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, []string{EnvClientSecret}, nil},
		{"api url not http", func(c *Config) { c.APIURL = "api.cegedim.cloud/itcare" }, []string{"-api-url"}, nil},
		{"token url not found", func(c *Config) { c.TokenURL = f.srv.URL() + "/auth/realms/nope/token" }, []string{"-token-url", "404"}, nil},
		{"token url unreachable", func(c *Config) { c.TokenURL = closedURL + "/token" }, []string{"cannot reach the token URL", "-token-url"}, nil},
		{"token url under api", func(c *Config) { c.TokenURL = c.APIURL + "/token" }, []string{"-token-url", "under -api-url"}, nil},
		{"wrong secret", func(c *Config) { c.ClientSecret = "not-the-secret-xyz" },
			[]string{"refused the client", "-client-id", "-client-secret"}, []string{"not-the-secret-xyz"}},
		{"wrong client id", func(c *Config) { c.ClientID = "nobody" }, []string{"-client-id", "-client-secret"}, nil},
		{"secret echoed", func(c *Config) { c.TokenURL = echo.URL + "/token"; c.ClientSecret = "echoed-secret-123" },
			[]string{"invalid_client", "bad secret ***"}, []string{"echoed-secret-123"}},
		{"api unreachable", func(c *Config) { c.APIURL = closedURL + "/itcare" }, []string{"cannot reach the API", "-api-url"}, nil},
		{"no such instance", func(c *Config) { c.InstanceID = 42 }, []string{"instance 42 not found", "-instance-id"}, []string{"may be wrong"}},
		{"wrong api path", func(c *Config) { c.APIURL = f.srv.URL() + "/nothere" }, []string{"not found", "-api-url", "may be wrong"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.config()
			tc.edit(&cfg)
			msg := setupError(t, cfg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(msg, a) {
					t.Errorf("%q says %q", msg, a)
				}
			}
		})
	}
	for _, r := range f.srv.Requests() {
		if strings.HasPrefix(r.Path, emulator.APIPrefix) && r.Method != http.MethodGet {
			t.Errorf("%s %s reached the API", r.Method, r.Path)
		}
	}
}
