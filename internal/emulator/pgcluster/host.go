package pgcluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Host is this machine's PostgreSQL installation and the account its
// servers run as, shared by every cluster made from it.
type Host struct {
	binDir  string // as configured: empty to look for the binaries
	account account
	env     []string
}

// NewHost checks that this machine can run clusters (see Check) from the
// binaries in binDir, or found as FindBinDir does when it is empty.
func NewHost(binDir string) (*Host, error) {
	if err := Check(binDir); err != nil {
		return nil, err
	}
	acc, err := lookupAccount()
	if err != nil {
		return nil, err
	}
	return &Host{binDir: binDir, account: acc, env: Env()}, nil
}

// Account names the account the servers run as.
func (h *Host) Account() string { return h.account.name }

// BinDir is the directory of the binaries for a major version (0: the
// newest), as FindBinDir picks it.
func (h *Host) BinDir(major int) (string, error) { return FindBinDir(h.binDir, major) }

// Env is the environment of every PostgreSQL program: this process's,
// without the PG* and locale variables of the user's shell (a PGHOST or
// PGSSLMODE there must not redirect this process's own connections).
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// command prepares a PostgreSQL program for a cluster, run as the
// servers' account from the cluster's directory (the account may not be
// able to enter this process's working directory).
func (c *Cluster) command(ctx context.Context, name string, args ...string) (*exec.Cmd, error) {
	path, err := Tool(c.opts.BinDir, name)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = c.host.env
	cmd.Dir = c.opts.Dir
	c.host.account.prepare(cmd, false)
	return cmd, nil
}

// run runs a PostgreSQL program and returns its standard output; the
// error carries its standard error.
func (c *Cluster) run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	cmd, err := c.command(ctx, name, args...)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s: %s", name, lastLines(msg, 5))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// mkdirOwned creates a directory the servers' account owns.
func (h *Host) mkdirOwned(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return h.account.own(dir)
}

// writeOwned writes a private file the servers' account owns.
func (h *Host) writeOwned(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil { //nolint:gosec // path is under a cluster's own directory
		return err
	}
	return h.account.own(path)
}
