package pgcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Database is a database clients can connect to, with the extensions
// installed in it.
type Database struct {
	Name       string               `json:"name"`
	Extensions []InstalledExtension `json:"extensions"`
}

// InstalledExtension is an extension installed in a database.
type InstalledExtension struct {
	Name    string `json:"name"`
	Schema  string `json:"schema"`
	Version string `json:"version"`
}

// AvailableExtension is a row of pg_available_extensions: an extension
// the installation can install, at its default version.
type AvailableExtension struct {
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

// psql runs SQL as the superuser over the server's Unix socket and
// returns its unaligned, tuples-only output. The database goes in a
// connection string, so that no name is mistaken for one.
func (c *Cluster) psql(ctx context.Context, db, sql string) (string, error) {
	conn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=10",
		conninfoValue(c.SocketDir()), c.port.Load(), c.opts.Superuser, conninfoValue(db))
	out, err := c.run(ctx, nil, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn, "-c", sql)
	return strings.TrimSpace(string(out)), err
}

// psqlScript runs SQL statements read from standard input, each in its
// own transaction (ALTER SYSTEM refuses to run in a transaction block).
func (c *Cluster) psqlScript(ctx context.Context, db, sql string) error {
	conn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=10",
		conninfoValue(c.SocketDir()), c.port.Load(), c.opts.Superuser, conninfoValue(db))
	_, err := c.run(ctx, []byte(sql), "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conn, "-f", "-")
	return err
}

// psqlJSON runs a query whose one row, one column is JSON.
func (c *Cluster) psqlJSON(ctx context.Context, db, sql string, v any) error {
	out, err := c.psql(ctx, db, sql)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("psql: unexpected output %q: %w", out, err)
	}
	return nil
}

// Databases reads the databases clients can connect to (not the
// templates) and the extensions installed in each, in creation order:
// postgres first.
func (c *Cluster) Databases(ctx context.Context) ([]Database, error) {
	var names []string
	if err := c.psqlJSON(ctx, "template1",
		`SELECT coalesce(json_agg(datname ORDER BY oid), '[]') FROM pg_database WHERE datallowconn AND NOT datistemplate`, &names); err != nil {
		return nil, err
	}
	out := make([]Database, 0, len(names))
	for _, n := range names {
		db := Database{Name: n, Extensions: []InstalledExtension{}}
		if err := c.psqlJSON(ctx, n,
			`SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion) ORDER BY e.oid), '[]')
			   FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`, &db.Extensions); err != nil {
			return nil, err
		}
		out = append(out, db)
	}
	return out, nil
}

// DatabasesSize is the disk space of every database, templates included,
// in bytes: the sum of pg_database_size.
func (c *Cluster) DatabasesSize(ctx context.Context) (int64, error) {
	var n int64
	if err := c.psqlJSON(ctx, "template1", `SELECT coalesce(sum(pg_database_size(oid)), 0)::bigint FROM pg_database`, &n); err != nil {
		return 0, err
	}
	return n, nil
}

// AvailableExtensions reads pg_available_extensions, by name. What it
// holds depends on the binaries only, not on the cluster.
func (c *Cluster) AvailableExtensions(ctx context.Context) (map[string]AvailableExtension, error) {
	var rows []AvailableExtension
	if err := c.psqlJSON(ctx, "template1",
		`SELECT coalesce(json_agg(json_build_object('name', name, 'version', default_version, 'comment', coalesce(comment, ''))), '[]') FROM pg_available_extensions`, &rows); err != nil {
		return nil, err
	}
	m := make(map[string]AvailableExtension, len(rows))
	for _, r := range rows {
		m[r.Name] = r
	}
	return m, nil
}

// InstallExtensions creates the database if it is missing, then the
// extensions that are not installed yet. Without a schema, CREATE
// EXTENSION puts them in public, the first schema of the default
// search_path, and still honours an extension that fixes its own schema.
func (c *Cluster) InstallExtensions(ctx context.Context, db string, names []string) error {
	n, err := c.psql(ctx, "template1", "SELECT count(*) FROM pg_database WHERE datname = "+quoteLiteral(db))
	if err != nil {
		return err
	}
	if n == "0" {
		if _, err := c.psql(ctx, "template1", "CREATE DATABASE "+quoteIdent(db)); err != nil {
			return err
		}
	}
	var sql strings.Builder
	for _, name := range names {
		sql.WriteString("CREATE EXTENSION IF NOT EXISTS " + quoteIdent(name) + " CASCADE;\n")
	}
	_, err = c.psql(ctx, db, sql.String())
	return err
}
