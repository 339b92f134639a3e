//go:build unix

package pgcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecoverySettings(t *testing.T) {
	created := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	fromCreation := baseInfo{ConsistentAt: created}
	restored := baseInfo{ConsistentAt: created, HistoryFrom: created.Add(-time.Second)}
	at := time.Date(2025, 3, 1, 12, 30, 15, 123456789, time.FixedZone("CET", 3600))

	lines := func(base baseInfo, tg Target) string {
		t.Helper()
		s, err := recoverySettings(base, tg, "/x/it's/wal")
		if err != nil {
			t.Fatal(err)
		}
		return confLines(s)
	}
	got := lines(fromCreation, Target{Time: at})
	for _, want := range []string{
		// The shell's quotes, in the configuration file's.
		`restore_command = 'cp ''/x/it''\\''''s/wal''/%f %p'`,
		// In UTC, with an explicit offset, to the microsecond.
		"recovery_target_time = '2025-03-01 11:30:15.123456+00'",
		"recovery_target_inclusive = 'off'",
		"recovery_target_action = 'promote'",
		"recovery_target_timeline = 'latest'",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("settings lack %s:\n%s", want, got)
		}
	}
	if got := lines(fromCreation, Target{Time: at, Inclusive: true}); !strings.Contains(got, "recovery_target_inclusive = 'on'\n") {
		t.Errorf("AFTER is not inclusive:\n%s", got)
	}
	// Before the base backup taken at creation: the backup's state, which
	// was the cluster's at any earlier time.
	if got := lines(fromCreation, Target{Time: created.Add(-24 * time.Hour)}); !strings.Contains(got, "recovery_target = 'immediate'\n") || strings.Contains(got, "recovery_target_time =") {
		t.Errorf("a target before the backup:\n%s", got)
	}
	if got := lines(restored, Target{Time: created.Add(-time.Millisecond)}); !strings.Contains(got, "recovery_target = 'immediate'\n") {
		t.Errorf("a target between a restore and the backup after it:\n%s", got)
	}
	// Before the history a restored cluster keeps: refused.
	if _, err := recoverySettings(restored, Target{Time: created.Add(-time.Hour)}, "/x"); err == nil || !strings.Contains(err.Error(), "recoverable history") {
		t.Errorf("a target before the history: %v", err)
	}
}

func testHost(t *testing.T) *Host {
	t.Helper()
	if err := Check(""); err != nil {
		if os.Getenv("ITCARE_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL required but not usable: %v", err)
		}
		t.Skipf("PostgreSQL binaries not usable here: %v", err)
	}
	h, err := NewHost("")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// testRoot makes a directory for clusters directly under the system's
// temporary directory, which the servers' account can traverse.
func testRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-") //nolint:usetesting // t.TempDir's parents may be closed to the servers' account
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil { //nolint:gosec // traversable by the servers' account
		t.Fatal(err)
	}
	return dir
}

func newTestCluster(t *testing.T, h *Host, root, name, password string) *Cluster {
	t.Helper()
	bin, err := h.BinDir(0)
	if err != nil {
		t.Fatal(err)
	}
	c := h.NewCluster(Options{Dir: filepath.Join(root, name), BinDir: bin, Superuser: "admin", HostName: name})
	if err := c.Create(t.Context(), password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(c.logFile())
			t.Logf("%s's log ends:\n%s", name, lastLines(string(b), 40))
		}
		_ = c.Destroy()
	})
	return c
}

func mustSQL(t *testing.T, c *Cluster, sql string) string {
	t.Helper()
	out, err := c.psql(t.Context(), "postgres", sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// A transaction that committed exactly at the target is left out with
// stop BEFORE and kept with AFTER (recovery_target_inclusive). The
// commit's time is read with track_commit_timestamp, which the test turns
// on in the source.
func TestRestoreStopsAtTheTarget(t *testing.T) {
	t.Parallel()
	h := testHost(t)
	root := testRoot(t)
	ctx := t.Context()
	src := newTestCluster(t, h, root, "src", "source-pw")
	dst := newTestCluster(t, h, root, "dst", "destination-pw")

	mustSQL(t, src, "ALTER SYSTEM SET track_commit_timestamp = on")
	if err := src.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := src.Start(ctx); err != nil {
		t.Fatal(err)
	}
	mustSQL(t, src, "CREATE TABLE t (v text)")
	mustSQL(t, src, "INSERT INTO t VALUES ('before')")
	mustSQL(t, src, "INSERT INTO t VALUES ('at')")
	mustSQL(t, src, "INSERT INTO t VALUES ('after')")
	at, err := time.Parse(time.RFC3339Nano, mustSQL(t, src,
		`SELECT to_char(pg_xact_commit_timestamp(xmin) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM t WHERE v = 'at'`))
	if err != nil {
		t.Fatal(err)
	}
	mustSQL(t, dst, "CREATE TABLE only_in_dst ()")
	verifier := mustSQL(t, dst, "SELECT rolpassword FROM pg_authid WHERE rolname = 'admin'")

	for _, c := range []struct {
		inclusive bool
		setting   string
		want      string
	}{
		{false, "recovery_target_inclusive = 'off'", "before"},
		{true, "recovery_target_inclusive = 'on'", "before,at"},
	} {
		start := time.Now()
		r, err := dst.PrepareRestore(ctx, src, Target{Time: at, Inclusive: c.inclusive})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Settings(), c.setting+"\n") {
			t.Errorf("inclusive=%v: settings\n%s", c.inclusive, r.Settings())
		}
		if err := dst.Recover(ctx, r); err != nil {
			t.Fatal(err)
		}
		t.Logf("restore (inclusive=%v) took %s", c.inclusive, time.Since(start).Round(time.Millisecond))
		if got := mustSQL(t, dst, "SELECT string_agg(v, ',' ORDER BY v DESC) FROM t"); got != c.want {
			t.Errorf("inclusive=%v: rows %q, want %q", c.inclusive, got, c.want)
		}
		if got := mustSQL(t, dst, "SELECT to_regclass('only_in_dst') IS NULL"); got != "t" {
			t.Errorf("the destination's own table survived")
		}
		if got := mustSQL(t, dst, "SELECT rolpassword FROM pg_authid WHERE rolname = 'admin'"); got != verifier {
			t.Errorf("the destination's password was not kept")
		}
		// Recovery is over, and its settings are gone from the
		// configuration the server would start with again.
		if got := mustSQL(t, dst, "SELECT pg_is_in_recovery()::text || ',' || count(*) FROM pg_file_settings WHERE name IN ('restore_command', 'recovery_target_time', 'recovery_target_inclusive')"); got != "false,0" {
			t.Errorf("recovery state, settings left: %s", got)
		}
		mustSQL(t, dst, "CREATE TABLE only_in_dst ()")
	}
	if got := mustSQL(t, src, "SELECT count(*) FROM t"); got != "3" {
		t.Errorf("source changed: %s rows", got)
	}
}

// A recovery that fails puts the destination's data back, running, and
// says why.
func TestRecoverFailureKeepsTheData(t *testing.T) {
	t.Parallel()
	h := testHost(t)
	root := testRoot(t)
	ctx := t.Context()
	src := newTestCluster(t, h, root, "src", "source-pw")
	dst := newTestCluster(t, h, root, "dst", "destination-pw")
	mustSQL(t, src, "CREATE TABLE t (v text); INSERT INTO t VALUES ('x')")
	time.Sleep(10 * time.Millisecond)
	at := time.Now()
	mustSQL(t, dst, "CREATE TABLE only_in_dst ()")
	r, err := dst.PrepareRestore(ctx, src, Target{Time: at})
	if err != nil {
		t.Fatal(err)
	}
	// Without the archived WAL, recovery cannot reach the target.
	if err := os.RemoveAll(filepath.Join(dst.stageDir(), "wal")); err != nil {
		t.Fatal(err)
	}
	err = dst.Recover(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "recovery target") || !strings.Contains(err.Error(), "keeps its data") {
		t.Fatalf("Recover: %v", err)
	}
	if got := mustSQL(t, dst, "SELECT to_regclass('only_in_dst') IS NOT NULL"); got != "t" {
		t.Errorf("the destination lost its data")
	}
	for _, p := range []string{dst.stageDir(), dst.DataDir() + ".old", dst.baseDir() + ".old"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind", p)
		}
	}
	// And it can still be restored.
	if err := dst.RestoreFrom(ctx, src, Target{Time: at}); err != nil {
		t.Fatal(err)
	}
	if got := mustSQL(t, dst, "SELECT v FROM t"); got != "x" {
		t.Errorf("restored %q", got)
	}
}
