//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// The test binary doubles as the emulator command, so that the tests send
// real signals to a real process.
func TestMain(m *testing.M) {
	if os.Getenv("ITCARE_EMULATOR_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A SIGINT (Ctrl-C) or SIGTERM (CI cancelling a job) stops every server
// the emulator started and removes their data.
func TestSignalStopsPostgresServers(t *testing.T) {
	if err := emulator.PostgresAvailable(""); err != nil {
		if os.Getenv(emulator.RequirePostgresEnv) != "" {
			t.Fatalf("postgres backend required (%s is set) but not usable: %v", emulator.RequirePostgresEnv, err)
		}
		t.Skipf("postgres backend not testable here: %v (run scripts/install-postgres.sh)", err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-backend", "postgres", "-action-duration", "10ms", "-log-level", "warn")
			cmd.Env = append(os.Environ(), "ITCARE_EMULATOR_TEST_MAIN=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			base := readBaseURL(t, stdout)

			srv := createInstance(t, base)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("emulator exited with %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("emulator still running 60s after the signal")
			}
			if !errors.Is(syscall.Kill(srv.PID, 0), syscall.ESRCH) {
				t.Errorf("postgres %d still running", srv.PID)
			}
			root := filepath.Dir(srv.Dir)
			if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("data directory %s left behind: %v", root, err)
			}
		})
	}
}

// readBaseURL reads the start banner up to the API URL, then drains the
// rest so the emulator never blocks on a full pipe.
func readBaseURL(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "API URL:"); ok {
				found <- strings.TrimSuffix(strings.TrimSpace(rest), emulator.APIPrefix)
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("no API URL in the banner")
		return ""
	}
}

// createInstance creates an instance through the API and returns its
// server as the admin API describes it.
func createInstance(t *testing.T, base string) emulator.PostgresServer {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, base+emulator.TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(emulator.DefaultClientID, emulator.DefaultClientSecret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	do(t, req, &tok)
	body := `{"name":"sigtest01","area":"EB-QA","nodeSizing":"2cpu4gb","diskSize":40,"admPassword":"Test123@2022xx",
		"postgreVersion":"15","serviceId":1001,"networkId":2001,"topology":"STANDALONE","trigram":"tri"}`
	req, _ = http.NewRequest(http.MethodPost, base+"/itcare/databases/postgresql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var act struct {
		ID int64 `json:"id"`
	}
	do(t, req, &act)
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/itcare/actions/%d", base, act.ID), nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		var a struct {
			Status, Message string
		}
		do(t, req, &a)
		if a.Status == emulator.ActionSuccess {
			break
		}
		if a.Status != emulator.ActionInProgress || time.Now().After(deadline) {
			t.Fatalf("create: %s %s", a.Status, a.Message)
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/_emulator/postgres", nil)
	var list struct {
		Servers []emulator.PostgresServer `json:"servers"`
	}
	do(t, req, &list)
	if len(list.Servers) != 1 || !list.Servers[0].Running || list.Servers[0].PID == 0 {
		t.Fatalf("servers %+v", list.Servers)
	}
	return list.Servers[0]
}

func do(t *testing.T, req *http.Request, out any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
}

// A bad -compat value is refused before anything starts, with the names
// that would do.
func TestCompatFlagRefused(t *testing.T) {
	profiles := []string{"default", "ids", "shapes", "sparse"}
	for _, tc := range []struct {
		value string
		want  []string
	}{
		{"sparse,no-such-switch", append(append([]string{`"no-such-switch"`}, emulator.CompatSwitches...), profiles...)},
		{"ids,shapes", []string{emulator.CompatSpringErrors, emulator.CompatProblemErrors, "choose one"}},
	} {
		t.Run(tc.value, func(t *testing.T) {
			err := run([]string{"-addr", "127.0.0.1:0", "-compat", tc.value})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append([]string{"-compat"}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

// The switches -compat names are on in the emulator and shown at start.
func TestCompatFlagInBanner(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-compat", "sparse", "-log-level", "warn")
	cmd.Env = append(os.Environ(), "ITCARE_EMULATOR_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	banner := readBanner(t, stdout)
	if !strings.Contains(banner, "Compat:        no-actions-list,no-list ") {
		t.Errorf("banner does not show the switches:\n%s", banner)
	}
	var base string
	for _, line := range strings.Split(banner, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "API URL:"); ok {
			base = strings.TrimSuffix(strings.TrimSpace(rest), emulator.APIPrefix)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/_emulator/settings", nil)
	var settings map[string]string
	do(t, req, &settings)
	if settings["compat"] != "no-actions-list,no-list" {
		t.Errorf("settings: %v", settings)
	}
}

// readBanner reads the start banner up to its services, then drains the
// rest so the emulator never blocks on a full pipe.
func readBanner(t *testing.T, r io.Reader) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if sc.Text() == "Services:" {
				done <- b.String()
			}
		}
	}()
	select {
	case s := <-done:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no banner")
		return ""
	}
}
