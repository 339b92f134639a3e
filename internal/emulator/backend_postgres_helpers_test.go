//go:build unix

package emulator

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator/pgcluster"
)

// newPGEnv starts an emulator on the postgres backend, or skips the test
// when this machine cannot run PostgreSQL servers.
func newPGEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	skipWithoutPostgres(t)
	cfg.Backend = BackendPostgres
	if cfg.ActionDuration == 0 {
		cfg.ActionDuration = 50 * time.Millisecond
	}
	return newEnvWith(t, cfg)
}

func skipWithoutPostgres(t *testing.T) {
	t.Helper()
	if err := PostgresAvailable(""); err != nil {
		if os.Getenv(RequirePostgresEnv) != "" {
			t.Fatalf("postgres backend required (%s is set) but not usable: %v", RequirePostgresEnv, err)
		}
		t.Skipf("postgres backend not testable here: %v (run scripts/install-postgres.sh)", err)
	}
}

// waitActionFor polls an action until it leaves IN_PROGRESS; real work
// (initdb, a base backup) takes longer than the in-memory actions.
func (e *env) waitActionFor(id int64, timeout time.Duration) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		r := e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions/%d", id), nil), 200)
		if st := r.obj()["status"]; st != ActionInProgress {
			return r.obj()
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("action %d still in progress after %s", id, timeout)
	return nil
}

// mustSucceed waits for the action an answer carries and fails the test
// unless it ends in SUCCESS.
func (e *env) mustSucceed(r response) map[string]any {
	e.t.Helper()
	a := e.waitActionFor(r.actionID(), 60*time.Second)
	if a["status"] != ActionSuccess {
		e.t.Fatalf("action %v ended %v: %v", a["process"], a["status"], a["message"])
	}
	return a
}

// createPG creates an instance through the API and waits until it is
// ACTIVE.
func (e *env) createPG(body map[string]any) int64 {
	e.t.Helper()
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", body), 202)
	a := e.mustSucceed(r)
	return int64(a["internalId"].(float64))
}

func (e *env) patchPG(id int64, op string, options map[string]any) map[string]any {
	e.t.Helper()
	body := map[string]any{"operation": op}
	if options != nil {
		body["options"] = options
	}
	return e.mustSucceed(e.mustStatus(e.call("PATCH", pgURL(id), body), 202))
}

func (e *env) pgServer(id int64) PostgresServer {
	e.t.Helper()
	p, ok := e.srv.PostgresServer(id)
	if !ok {
		e.t.Fatalf("instance %d has no PostgreSQL server", id)
	}
	return p
}

// clientPSQL connects as a client would: over TCP to the read model's
// address, with a password. conn adds libpq keywords (e.g. sslmode).
func clientPSQL(t *testing.T, port int, password, db, sql string, conn ...string) (string, error) {
	t.Helper()
	psql, err := PostgresTool("", "psql")
	if err != nil {
		t.Fatal(err)
	}
	info := append([]string{"host=127.0.0.1", "port=" + strconv.Itoa(port), "user=" + PostgresAdminRole, "dbname=" + db, "connect_timeout=5"}, conn...)
	cmd := exec.Command(psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", strings.Join(info, " "), "-c", sql)
	cmd.Env = append(pgcluster.Env(), "PGPASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func mustPSQL(t *testing.T, port int, password, db, sql string, conn ...string) string {
	t.Helper()
	out, err := clientPSQL(t, port, password, db, sql, conn...)
	if err != nil {
		t.Fatalf("psql %q: %v", sql, err)
	}
	return out
}

// refused tells whether nothing listens on a loopback port.
func refused(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 2*time.Second)
	if err == nil {
		_ = c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// processGone tells whether a process has ended (the emulator reaps its
// servers, so an ended one leaves no zombie either).
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func pathGone(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// mustTempPGDir makes a directory for Config.PGDataDir directly under the
// system's temporary directory: t.TempDir's parents are private to the
// test's user, which the servers' account may not be.
func mustTempPGDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "itcare-pg-test-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
