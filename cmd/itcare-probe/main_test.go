package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// emulatorWithInstance is an emulator holding one instance, seeded as if
// made in the console.
func emulatorWithInstance(t *testing.T) (*emulator.Server, int64) {
	t.Helper()
	srv, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	in, err := srv.SeedInstance(map[string]any{
		"name": "probedb01", "area": "EB-QA", "nodeSizing": "2cpu4gb", "diskSize": 40,
		"postgreVersion": "15", "serviceId": 1001, "networkId": 2001, "topology": "STANDALONE",
		"trigram": "tri", "allowedReplicationLag": 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, in.ID
}

// env is the environment a configured shell gives the probe.
func env(srv *emulator.Server) func(string) string {
	vars := map[string]string{
		"ITCARE_API_URL": srv.APIURL(), "ITCARE_TOKEN_URL": srv.TokenURL(),
		"ITCARE_CLIENT_ID": srv.ClientID(), "ITCARE_CLIENT_SECRET": srv.ClientSecret(),
	}
	return func(k string) string { return vars[k] }
}

func runProbe(getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	srv, id := emulatorWithInstance(t)
	ids := strconv.FormatInt(id, 10)
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"every row holds", env(srv), []string{"-instance-id", ids}, 0, "22 rows:", ""},
		// A seeded instance has no action: those rows cannot be told,
		// which is not a difference.
		{"nothing to tell is no difference", env(srv), []string{"-instance-id", ids}, 0, "could not tell", ""},
		{"a row differs", env(srv), []string{"-instance-id", ids, "-name", "otherdb01"}, 3, "differs", ""},
		{"help", env(srv), []string{"-h"}, 0, "", "-instance-id"},
		{"no instance id", env(srv), nil, 1, "", "-instance-id is required"},
		{"instance id not a number", env(srv), []string{"-instance-id", "abc"}, 1, "", "-instance-id"},
		{"unknown flag", env(srv), []string{"-instance-id", ids, "-write"}, 1, "", "-write"},
		{"an argument", env(srv), []string{"-instance-id", ids, "extra"}, 1, "", `unexpected argument "extra"`},
		{"no such instance", env(srv), []string{"-instance-id", "42"}, 1, "", "instance 42 not found"},
		{"wrong token url", env(srv), []string{"-instance-id", ids, "-token-url", srv.URL() + "/nope"}, 1, "", "-token-url"},
		{"wrong secret", env(srv), []string{"-instance-id", ids, "-client-secret", "wrong-secret-123"}, 1, "", "-client-secret"},
		{"no credentials", func(string) string { return "" }, []string{"-instance-id", ids, "-api-url", srv.APIURL()}, 1, "", "ITCARE_CLIENT_ID"},
		{"flags over the environment", func(string) string { return "" }, []string{
			"-instance-id", ids, "-api-url", srv.APIURL(), "-token-url", srv.TokenURL(),
			"-client-id", srv.ClientID(), "-client-secret", srv.ClientSecret(),
		}, 0, "22 rows:", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runProbe(tc.getenv, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout does not say %q:\n%s", tc.stdout, stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, stderr)
			}
			for _, s := range append([]string{srv.ClientSecret(), "wrong-secret-123"}, srv.IssuedTokens()...) {
				if strings.Contains(stdout+stderr, s) {
					t.Errorf("output holds a secret or a token")
				}
			}
		})
	}
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, emulator.APIPrefix) && r.Method != http.MethodGet {
			t.Errorf("%s %s reached the API", r.Method, r.Path)
		}
	}
}

// -json writes only the array of rows on stdout.
func TestJSONOutput(t *testing.T) {
	srv, id := emulatorWithInstance(t)
	code, stdout, stderr := runProbe(env(srv), "-json", "-instance-id", strconv.FormatInt(id, 10))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []struct {
		ID, Result, Assumption, Seen string
	}
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout)
	}
	if len(rows) != 22 || rows[0].ID != "health" || rows[0].Result != "holds" || rows[0].Assumption == "" || rows[0].Seen == "" {
		t.Errorf("rows: %+v", rows)
	}
}

// -h must not show a secret taken from the environment.
func TestHelpHidesSecret(t *testing.T) {
	getenv := func(k string) string {
		if k == "ITCARE_CLIENT_SECRET" {
			return "env-secret-456"
		}
		return ""
	}
	code, stdout, stderr := runProbe(getenv, "-h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(stdout+stderr, "env-secret-456") {
		t.Errorf("help shows the secret:\n%s", stderr)
	}
}
