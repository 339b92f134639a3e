package acctest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// NewPostgresEmulator starts an in-process emulator on the postgres
// backend: every instance the test creates is a real PostgreSQL server on
// loopback, stopped and removed when the test ends. The test is skipped,
// saying why, when this machine cannot run PostgreSQL servers; it fails
// instead when emulator.RequirePostgresEnv is set, as in CI.
func NewPostgresEmulator(t *testing.T) *Emulator {
	t.Helper()
	if Live() {
		t.Skip(SkipNeedsEmulator)
	}
	if err := emulator.PostgresAvailable(""); err != nil {
		if os.Getenv(emulator.RequirePostgresEnv) != "" {
			t.Fatalf("postgres backend required (%s is set) but not usable: %v", emulator.RequirePostgresEnv, err)
		}
		t.Skipf("skipped: the postgres backend needs the PostgreSQL server binaries: %v", err)
	}
	srv, err := emulator.New(emulator.Config{ActionDuration: DefaultActionDuration, Backend: emulator.BackendPostgres})
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		_ = srv.Close()
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &Emulator{Server: srv}
}

// PSQL runs SQL with psql as a client of an instance: connURL is the
// instance's url attribute, password its admin password. extra adds
// libpq settings such as "sslmode=require". The output is unaligned,
// without headers.
func PSQL(connURL, password, sql string, extra ...string) (string, error) {
	psql, err := emulator.PostgresTool("", "psql")
	if err != nil {
		return "", err
	}
	conn := connURL
	if len(extra) > 0 {
		sep := "?"
		if strings.Contains(conn, "?") {
			sep = "&"
		}
		conn += sep + strings.Join(extra, "&")
	}
	cmd := exec.CommandContext(context.Background(), psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn, "-c", sql)
	env := []string{"PGPASSWORD=" + password, "PGCONNECT_TIMEOUT=5"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", &PSQLError{Err: err, Output: strings.TrimSpace(string(out))}
	}
	return strings.TrimSpace(string(out)), nil
}

// PSQLError is a failed psql run, with what psql said.
type PSQLError struct {
	Err    error
	Output string
}

func (e *PSQLError) Error() string { return e.Err.Error() + ": " + e.Output }
