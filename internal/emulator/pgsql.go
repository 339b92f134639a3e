package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pgAvailable is a row of pg_available_extensions.
type pgAvailable struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Comment string `json:"comment"`
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// conninfoValue quotes a value for a libpq connection string.
func conninfoValue(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

// psql runs SQL as the admin role over the server's Unix socket and
// returns its unaligned, tuples-only output. The database goes in a
// connection string, so that no name is mistaken for one.
func (b *pgBackend) psql(ctx context.Context, srv *pgServer, db, sql string) (string, error) {
	conn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=10",
		conninfoValue(srv.runDir()), srv.port.Load(), PostgresAdminRole, conninfoValue(db))
	out, err := b.run(ctx, srv, nil, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn, "-c", sql)
	return strings.TrimSpace(string(out)), err
}

// psqlJSON runs a query whose one row, one column is JSON.
func (b *pgBackend) psqlJSON(ctx context.Context, srv *pgServer, db, sql string, v any) error {
	out, err := b.psql(ctx, srv, db, sql)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("psql: unexpected output %q: %w", out, err)
	}
	return nil
}

// databases reads the databases clients can connect to and the
// extensions installed in each, in creation order (postgres first, as
// the in-memory backend lists them).
func (b *pgBackend) databases(ctx context.Context, srv *pgServer) ([]Database, error) {
	var names []string
	if err := b.psqlJSON(ctx, srv, "template1",
		`SELECT coalesce(json_agg(datname ORDER BY oid), '[]') FROM pg_database WHERE datallowconn AND NOT datistemplate`, &names); err != nil {
		return nil, err
	}
	out := make([]Database, 0, len(names))
	for _, n := range names {
		db := Database{Name: n, Extensions: []DatabaseExtension{}}
		if err := b.psqlJSON(ctx, srv, n,
			`SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion) ORDER BY e.oid), '[]')
			   FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`, &db.Extensions); err != nil {
			return nil, err
		}
		out = append(out, db)
	}
	return out, nil
}

// readAvailable reads pg_available_extensions and keeps it for the
// server's binaries.
func (b *pgBackend) readAvailable(ctx context.Context, srv *pgServer) (map[string]pgAvailable, error) {
	var rows []pgAvailable
	if err := b.psqlJSON(ctx, srv, "template1",
		`SELECT coalesce(json_agg(json_build_object('name', name, 'version', default_version, 'comment', coalesce(comment, ''))), '[]') FROM pg_available_extensions`, &rows); err != nil {
		return nil, err
	}
	m := make(map[string]pgAvailable, len(rows))
	for _, r := range rows {
		m[r.Name] = r
	}
	b.availMu.Lock()
	b.available[srv.bin] = m
	b.availMu.Unlock()
	return m, nil
}

// availableFor returns what readAvailable last read for these binaries,
// nil if nothing yet.
func (b *pgBackend) availableFor(bin string) map[string]pgAvailable {
	b.availMu.Lock()
	defer b.availMu.Unlock()
	return b.available[bin]
}

// installExtensions creates the database if it is missing, as ITCare
// does, then the extensions that are not installed yet. Without a schema,
// CREATE EXTENSION puts them in public, the first schema of the default
// search_path, and still honours an extension that fixes its own schema.
func (b *pgBackend) installExtensions(ctx context.Context, srv *pgServer, db string, names []string) error {
	n, err := b.psql(ctx, srv, "template1", "SELECT count(*) FROM pg_database WHERE datname = "+quoteLiteral(db))
	if err != nil {
		return err
	}
	if n == "0" {
		if _, err := b.psql(ctx, srv, "template1", "CREATE DATABASE "+quoteIdent(db)); err != nil {
			return err
		}
	}
	var sql strings.Builder
	for _, name := range names {
		sql.WriteString("CREATE EXTENSION IF NOT EXISTS " + quoteIdent(name) + " CASCADE;\n")
	}
	_, err = b.psql(ctx, srv, db, sql.String())
	return err
}

// restore replaces the destination's data by a base backup of the
// source's, taken now: the instance's timestamp and stop only pass the
// API's checks. The admin role keeps the destination's password, as the
// destination's configuration says it.
func (b *pgBackend) restore(ctx context.Context, dst, src *pgServer) error {
	if !src.up.Load() {
		return fmt.Errorf("the source's server is not running")
	}
	verifier, err := b.psql(ctx, dst, "template1", "SELECT rolpassword FROM pg_authid WHERE rolname = "+quoteLiteral(PostgresAdminRole))
	if err != nil {
		return err
	}
	next := filepath.Join(dst.dir, "data.restore")
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	// The backup runs as the servers' account, which owns the destination
	// directory and can enter the source's socket directory.
	conn := fmt.Sprintf("host=%s port=%d user=%s", conninfoValue(src.runDir()), src.port.Load(), PostgresAdminRole)
	if _, err := b.run(ctx, dst, nil, "pg_basebackup", "-d", conn, "-D", next, "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		_ = os.RemoveAll(next)
		return err
	}
	if err := b.stop(dst); err != nil {
		return err
	}
	old := filepath.Join(dst.dir, "data.old")
	if err := os.Rename(dst.dataDir(), old); err != nil {
		return err
	}
	if err := os.Rename(next, dst.dataDir()); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := b.writeHBA(dst); err != nil {
		return err
	}
	if err := b.start(ctx, dst); err != nil {
		return err
	}
	if verifier != "" {
		// A SCRAM verifier given as the password is stored as is.
		if _, err := b.psql(ctx, dst, "template1", "ALTER ROLE "+quoteIdent(PostgresAdminRole)+" PASSWORD "+quoteLiteral(verifier)); err != nil {
			return err
		}
	}
	return nil
}
