//go:build unix

package emulator

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const pgTestPassword = "Test123@2022xx"

// The whole life of an instance on the postgres backend: every operation
// that can be real is, and clients see it through the read model's
// address and the admin password.
func TestPostgresBackendLifecycle(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t, Config{})
	id := e.createPG(validCreate("pglife01"))

	in := e.get(id)
	p := e.pgServer(id)
	if in["ipAddress"] != "127.0.0.1" || in["url"] != fmt.Sprintf("postgresql://itcare_admin@127.0.0.1:%d/postgres", p.Port) {
		t.Fatalf("read model points at ipAddress %v url %v, server on port %d", in["ipAddress"], in["url"], p.Port)
	}
	if !p.Running || p.PID == 0 {
		t.Fatalf("server not running: %+v", p)
	}
	if got := mustPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT current_user"); got != PostgresAdminRole {
		t.Errorf("connected as %q", got)
	}
	if _, err := clientPSQL(t, p.Port, "Wrong123@2022xx", "postgres", "SELECT 1"); err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("a wrong password was not refused: %v", err)
	}
	if got := mustPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = current_user"); got != "t" {
		t.Errorf("admin password not stored as SCRAM: %q", got)
	}

	// A database made by a client shows in GET …/databases: it comes from
	// the catalogs, not from the emulator's memory.
	mustPSQL(t, p.Port, pgTestPassword, "postgres", "CREATE DATABASE byclient")
	var dbs []Database
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "databases"), nil), 200).raw, &dbs); err != nil {
		t.Fatal(err)
	}
	if len(dbs) != 2 || dbs[0].Name != "postgres" || dbs[1].Name != "byclient" || len(dbs[0].Extensions) != 1 || dbs[0].Extensions[0].Name != "plpgsql" || dbs[0].Extensions[0].Schema != "pg_catalog" {
		t.Fatalf("databases %+v", dbs)
	}

	// The data file system's free space follows the databases' real size,
	// as do the backups; the first was taken when the create ended.
	if _, err := clientPSQL(t, p.Port, pgTestPassword, "byclient",
		"CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 20000) g"); err != nil {
		t.Fatal(err)
	}
	var nodes []Node
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "nodes"), nil), 200).raw, &nodes); err != nil {
		t.Fatal(err)
	}
	onDisk, err := strconv.ParseInt(mustPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT sum(pg_database_size(oid)) FROM pg_database"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	read, _ := e.srv.Instance(id)
	if got := read.Extra.DataBytes; got < onDisk*9/10 || got > onDisk*11/10 {
		t.Errorf("databases' size read as %d bytes, the server says %d", got, onDisk)
	}
	if fs := nodes[0].StorageInformation.FileSystems[1]; fs.MountingPoint != "/var/lib/postgresql" || fs.SizeOf != 40 ||
		fs.Free != 40-(read.Extra.DataBytes+gib-1)/gib {
		t.Errorf("data file system %+v with %d bytes of databases", fs, read.Extra.DataBytes)
	}
	if b := read.BackupPolicyDetails.Backups; len(b) != 1 || b[0].BackupSize <= 0 || b[0].BackupSize >= onDisk || b[0].BackupSize == 3*emptyDatabaseBytes {
		t.Errorf("first backup %+v: want the real size of the databases at creation, below today's %d", b, onDisk)
	}

	// Extensions on offer: the catalogue, restricted to what the machine has.
	var exts []Extension
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "extensions"), nil), 200).raw, &exts); err != nil {
		t.Fatal(err)
	}
	offered := map[string]string{}
	for _, x := range exts {
		offered[x.Name] = x.Version
	}
	if offered["pg_trgm"] == "" || offered["plpgsql"] == "" {
		t.Fatalf("pg_trgm or plpgsql not offered: %v", offered)
	}
	for _, x := range exts {
		if _, ok := findExtension(x.Name); !ok {
			t.Errorf("%s offered but not in the emulator's catalogue", x.Name)
		}
	}
	if _, ok := offered["postgis"]; !ok {
		r := e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "install_extension",
			"options": map[string]any{"dbname": "postgres", "extensions_list": []any{map[string]any{"name": "postgis"}}}}), 400)
		if r.errorDesc() != "extensions_list" {
			t.Errorf("postgis refused on %q", r.errorDesc())
		}
	}

	// install_extension creates the missing database, then the extension.
	e.patchPG(id, "install_extension", map[string]any{"dbname": "appdb",
		"extensions_list": []any{map[string]any{"name": "pg_trgm"}, map[string]any{"name": "uuid-ossp"}}})
	got := mustPSQL(t, p.Port, pgTestPassword, "appdb", "SELECT string_agg(e.extname || '@' || n.nspname, ',' ORDER BY e.extname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace")
	if got != "pg_trgm@public,plpgsql@pg_catalog,uuid-ossp@public" {
		t.Errorf("extensions in appdb: %q", got)
	}
	if err := json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "databases"), nil), 200).raw, &dbs); err != nil {
		t.Fatal(err)
	}
	if len(dbs) != 3 || dbs[2].Name != "appdb" || len(dbs[2].Extensions) != 3 || dbs[2].Extensions[1].Version != offered["pg_trgm"] {
		t.Fatalf("databases after install %+v", dbs)
	}

	// stop stops the server: connections are refused; the API still
	// answers GET …/databases with the last catalog it read.
	e.patchPG(id, "stop", nil)
	if st := e.get(id)["status"]; st != StatusStopped {
		t.Fatalf("status %v", st)
	}
	if !refused(p.Port) || !processGone(p.PID) {
		t.Fatalf("server still up on port %d (pid %d) after stop", p.Port, p.PID)
	}
	if s := e.pgServer(id); s.Running || s.PID != 0 {
		t.Errorf("stopped server described as %+v", s)
	}
	var stopped []Database
	_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "databases"), nil), 200).raw, &stopped)
	if len(stopped) != 3 || stopped[2].Name != "appdb" {
		t.Errorf("databases of a stopped instance %+v", stopped)
	}

	// start brings the same data back on the same port.
	e.patchPG(id, "start", nil)
	p2 := e.pgServer(id)
	if p2.Port != p.Port || !p2.Running {
		t.Fatalf("restarted server %+v, was on port %d", p2, p.Port)
	}
	if got := mustPSQL(t, p.Port, pgTestPassword, "appdb", "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"); got != "1" {
		t.Errorf("pg_trgm lost across stop/start: %q", got)
	}

	// delete stops the server and removes its data.
	e.mustSucceed(e.mustStatus(e.call("DELETE", pgURL(id), nil), 202))
	e.mustStatus(e.call("GET", pgURL(id), nil), 404)
	if !refused(p.Port) || !processGone(p2.PID) || !pathGone(p.Dir) {
		t.Fatalf("after delete: refused=%v gone=%v dir removed=%v", refused(p.Port), processGone(p2.PID), pathGone(p.Dir))
	}
	if _, ok := e.srv.PostgresServer(id); ok {
		t.Error("deleted instance still has a server")
	}
}

// tls = true: the server speaks TLS with a certificate the emulator made,
// and refuses clear-text TCP connections.
func TestPostgresBackendTLS(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t, Config{})
	id := e.createPG(with(validCreate("pgtls01"), "tls", true))
	p := e.pgServer(id)
	if !p.TLS || p.CertFile == "" {
		t.Fatalf("server %+v", p)
	}
	if got := mustPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
		"sslmode=verify-full", "sslrootcert="+p.CertFile); got != "t" {
		t.Errorf("verify-full connection without TLS: %q", got)
	}
	if _, err := clientPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT 1", "sslmode=disable"); err == nil || !strings.Contains(err.Error(), "no encryption") {
		t.Errorf("clear-text connection not refused: %v", err)
	}

	// Without TLS the server refuses to negotiate it.
	plain := e.createPG(validCreate("pgtls02"))
	pp := e.pgServer(plain)
	if _, err := clientPSQL(t, pp.Port, pgTestPassword, "postgres", "SELECT 1", "sslmode=require"); err == nil || !strings.Contains(err.Error(), "does not support SSL") {
		t.Errorf("TLS accepted with tls = false: %v", err)
	}
}

// apiTime writes a time as the API takes it.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// restore is point-in-time recovery: the destination becomes the source
// as it was at the timestamp, and keeps its own admin password. The
// restored destination archives its own WAL: it can be the source of the
// next restore.
func TestPostgresBackendRestore(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t, Config{})
	src := e.createPG(validCreate("pgsrc01"))
	const dstPassword = "Other456@2023yy"
	dst := e.createPG(with(validCreate("pgdst01"), "admPassword", dstPassword))
	ps, pd := e.pgServer(src), e.pgServer(dst)
	mustPSQL(t, ps.Port, pgTestPassword, "postgres", "CREATE DATABASE shop")
	mustPSQL(t, ps.Port, pgTestPassword, "shop", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)")
	time.Sleep(1100 * time.Millisecond)
	at := time.Now()
	time.Sleep(1100 * time.Millisecond)
	mustPSQL(t, ps.Port, pgTestPassword, "shop", "INSERT INTO orders VALUES (2)")
	mustPSQL(t, pd.Port, dstPassword, "postgres", "CREATE TABLE only_in_dst (id int)")

	start := time.Now()
	e.patchPG(dst, "restore", map[string]any{"sourceId": src, "stop": "BEFORE", "timestamp": apiTime(at)})
	t.Logf("restore through the API took %s", time.Since(start).Round(time.Millisecond))

	pd = e.pgServer(dst)
	if got := mustPSQL(t, pd.Port, dstPassword, "shop", "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders"); got != "1" {
		t.Errorf("restored orders %q, want the one written before the timestamp only", got)
	}
	if got := mustPSQL(t, pd.Port, dstPassword, "postgres", "SELECT to_regclass('only_in_dst') IS NULL"); got != "t" {
		t.Errorf("the destination's own data survived the restore")
	}
	if _, err := clientPSQL(t, pd.Port, pgTestPassword, "postgres", "SELECT 1"); err == nil {
		t.Error("the source's password opens the destination after restore")
	}
	var dbs []Database
	_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(dst, "databases"), nil), 200).raw, &dbs)
	if len(dbs) != 2 || dbs[1].Name != "shop" {
		t.Errorf("destination databases %+v", dbs)
	}
	// The source is untouched and still serves.
	if got := mustPSQL(t, ps.Port, pgTestPassword, "shop", "SELECT count(*) FROM orders"); got != "2" {
		t.Errorf("source after restore: %q", got)
	}

	// The restored destination goes on from the restored state, archiving
	// its own WAL: restored in turn into the first source, at a point
	// after its own writes, it brings them along.
	mustPSQL(t, pd.Port, dstPassword, "shop", "INSERT INTO orders VALUES (10)")
	time.Sleep(1100 * time.Millisecond)
	at2 := time.Now()
	time.Sleep(1100 * time.Millisecond)
	mustPSQL(t, pd.Port, dstPassword, "shop", "INSERT INTO orders VALUES (20)")
	e.patchPG(src, "restore", map[string]any{"sourceId": dst, "stop": "AFTER", "timestamp": apiTime(at2)})
	ps = e.pgServer(src)
	if got := mustPSQL(t, ps.Port, pgTestPassword, "shop", "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders"); got != "1,10" {
		t.Errorf("orders restored from the restored instance %q, want 1,10", got)
	}
}

// A timestamp before the source's server existed (its creationTime set
// back out of band) restores the state the server was created in; one
// before the history a restored source keeps fails the action, naming
// why, and leaves the destination as it was.
func TestPostgresBackendRestoreBeforeTheHistory(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t, Config{})
	src := e.createPG(validCreate("pgold01"))
	e.backdate(src)
	dst := e.createPG(validCreate("pgold02"))
	e.backdate(dst)
	ps, pd := e.pgServer(src), e.pgServer(dst)
	mustPSQL(t, ps.Port, pgTestPassword, "postgres", "CREATE TABLE made_later (id int)")
	mustPSQL(t, pd.Port, pgTestPassword, "postgres", "CREATE TABLE only_in_dst (id int)")

	e.patchPG(dst, "restore", map[string]any{"sourceId": src, "stop": "AFTER", "timestamp": apiTime(time.Now().Add(-time.Hour))})
	if got := mustPSQL(t, pd.Port, pgTestPassword, "postgres", "SELECT count(*) FROM pg_class WHERE relname IN ('made_later', 'only_in_dst')"); got != "0" {
		t.Errorf("restored to before the source existed: %s of its later or the destination's own tables", got)
	}

	// dst's history now starts at that restore: nothing before it is kept.
	r := e.mustStatus(e.call("PATCH", pgURL(src), map[string]any{"operation": "restore",
		"options": map[string]any{"sourceId": dst, "stop": "BEFORE", "timestamp": apiTime(time.Now().Add(-time.Minute))}}), 202)
	a := e.waitActionFor(r.actionID(), 60*time.Second)
	if msg, _ := a["message"].(string); a["status"] != ActionError || !strings.Contains(msg, "recoverable history") {
		t.Errorf("restore to before the source's history: %v %v", a["status"], a["message"])
	}
	if got := mustPSQL(t, e.pgServer(src).Port, pgTestPassword, "postgres", "SELECT count(*) FROM made_later"); got != "0" || e.get(src)["status"] != StatusActive {
		t.Errorf("a failed restore changed the destination")
	}
}

// Close stops every server and, without a data directory of the user's,
// removes all data; an instance deleted out of band loses its server at
// once.
func TestPostgresBackendCloseCleansUp(t *testing.T) {
	t.Parallel()
	skipWithoutPostgres(t)
	srv, err := New(Config{Backend: BackendPostgres, ActionDuration: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv}
	e.token = e.getToken()
	a := e.createPG(validCreate("pgclose01"))
	b := e.createPG(validCreate("pgclose02"))
	pa, pb := e.pgServer(a), e.pgServer(b)
	root := srv.PostgresDataRoot()
	if filepath.Dir(pa.Dir) != root {
		t.Fatalf("server dir %s outside the data root %s", pa.Dir, root)
	}

	if err := srv.DeleteInstance(a); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !(processGone(pa.PID) && pathGone(pa.Dir)) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !processGone(pa.PID) || !pathGone(pa.Dir) {
		t.Errorf("admin delete left process %d or %s", pa.PID, pa.Dir)
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if !processGone(pb.PID) || !refused(pb.Port) {
		t.Errorf("server %d still running after Close", pb.PID)
	}
	if !pathGone(root) {
		t.Errorf("data root %s left behind", root)
	}
}

// With a data directory and a state file, the data outlives the emulator
// and the servers of ACTIVE instances start again with it.
func TestPostgresBackendKeptDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	skipWithoutPostgres(t)
	// Not t.TempDir: when the tests run as root, the servers' account must
	// be able to enter every parent directory.
	dir := filepath.Join(t.TempDir(), "state")
	cfg := Config{Backend: BackendPostgres, ActionDuration: 10 * time.Millisecond, StatePath: dir + ".json"}
	data := mustTempPGDir(t)
	cfg.PGDataDir = data

	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv}
	e.token = e.getToken()
	id := e.createPG(validCreate("pgkeep01"))
	p := e.pgServer(id)
	mustPSQL(t, p.Port, pgTestPassword, "postgres", "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if !processGone(p.PID) || pathGone(p.DataDir) {
		t.Fatalf("after Close: process gone=%v, data kept=%v", processGone(p.PID), !pathGone(p.DataDir))
	}

	again, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close() })
	p2, ok := again.PostgresServer(id)
	if !ok || !p2.Running {
		t.Fatalf("server not restarted: %+v", p2)
	}
	if got := mustPSQL(t, p2.Port, pgTestPassword, "postgres", "SELECT v FROM kept"); got != "still here" {
		t.Errorf("kept data: %q", got)
	}
	in, _ := again.Instance(id)
	if in.URL != fmt.Sprintf("postgresql://itcare_admin@127.0.0.1:%d/postgres", p2.Port) {
		t.Errorf("url %s, server on %d", in.URL, p2.Port)
	}
}

// An action that a fault fails does nothing real, as a failed ITCare
// action changes nothing; a crashed server can be started again.
func TestPostgresBackendFailureAndCrash(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t, Config{})
	id := e.createPG(validCreate("pgfault01"))
	p := e.pgServer(id)
	e.srv.AddFault(Fault{Kind: FaultActionError, InstanceName: "pgfault01", Operation: "stop", Count: 1})
	r := e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "stop"}), 202)
	if a := e.waitActionFor(r.actionID(), 30*time.Second); a["status"] != ActionError {
		t.Fatalf("action %v", a)
	}
	if got := mustPSQL(t, p.Port, pgTestPassword, "postgres", "SELECT 1"); got != "1" || e.get(id)["status"] != StatusActive {
		t.Errorf("a failed stop stopped the server")
	}

	// A server that dies on its own (here: killed) starts again with a
	// stop and a start, as an ITCare user would recover it.
	if err := syscall.Kill(p.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !processGone(p.PID) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	e.patchPG(id, "stop", nil)
	e.patchPG(id, "start", nil)
	if got := mustPSQL(t, e.pgServer(id).Port, pgTestPassword, "postgres", "SELECT 1"); got != "1" {
		t.Errorf("server not back after a crash, stop and start: %q", got)
	}
}

func TestPostgresBackendConfigErrors(t *testing.T) {
	if _, err := New(Config{Backend: "mysql"}); err == nil || !strings.Contains(err.Error(), "unknown backend") {
		t.Errorf("unknown backend: %v", err)
	}
	err := PostgresAvailable(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "install") {
		t.Errorf("a directory without initdb: %v", err)
	}
	if _, err := New(Config{Backend: BackendPostgres, PGBinDir: t.TempDir()}); err == nil {
		t.Error("New accepted a binary directory without initdb")
	}
}
