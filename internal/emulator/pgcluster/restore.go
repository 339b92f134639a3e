package pgcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Point-in-time recovery: a restore rebuilds a cluster from another's
// base backup and archived WAL (see backup.go), replayed up to a point in
// time.

const (
	archiveTimeout     = 30 * time.Second
	recoveryEndTimeout = 30 * time.Second
)

func (c *Cluster) stageDir() string { return filepath.Join(c.opts.Dir, "restore") }

// Target is the point in time a restore recovers to.
type Target struct {
	// Time is the point to recover to (recovery_target_time).
	Time time.Time
	// Inclusive stops just after, rather than just before, a transaction
	// that committed at exactly Time (recovery_target_inclusive).
	Inclusive bool
}

// readBase reads base.json; fs.ErrNotExist when the cluster has no base
// backup (one made before clusters were backed up at creation).
func (c *Cluster) readBase() (baseInfo, error) {
	var info baseInfo
	b, err := os.ReadFile(c.baseInfoFile())
	if err != nil {
		return info, err
	}
	if _, err := os.Stat(filepath.Join(c.baseDir(), "PG_VERSION")); err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("%s: %w", c.baseInfoFile(), err)
	}
	return info, nil
}

var walFileName = regexp.MustCompile(`^[0-9A-F]{24}$`)

// archiveNow makes the server archive its WAL up to now, with a commit
// in it later than any target before now (recovery to a time stops at the
// first commit past it, and fails if the WAL ends first), and waits until
// the archive holds it. It returns the name of that last segment.
func (c *Cluster) archiveNow(ctx context.Context) (string, error) {
	// A transaction of its own, committed before the switch.
	if _, err := c.psql(ctx, "template1", "SELECT txid_current()"); err != nil {
		return "", err
	}
	seg, err := c.psql(ctx, "template1", "SELECT pg_walfile_name(pg_switch_wal())")
	if err != nil {
		return "", err
	}
	if !walFileName.MatchString(seg) {
		return "", fmt.Errorf("unexpected WAL file name %q", seg)
	}
	deadline := time.Now().Add(archiveTimeout)
	for {
		// archive_command renames a complete copy into place: a file there
		// is whole.
		if _, err := os.Stat(filepath.Join(c.ArchiveDir(), seg)); err == nil {
			return seg, nil
		}
		if time.Now().After(deadline) {
			failed, _ := c.psql(ctx, "template1", "SELECT coalesce(last_failed_wal, 'none') || ', ' || failed_count || ' failures' FROM pg_stat_archiver")
			return "", fmt.Errorf("the source's WAL segment %s is not archived after %s (last failed: %s; see %s)", seg, archiveTimeout, failed, c.logFile())
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// recoveryKeys are the settings a restore writes into the restored
// cluster's postgresql.auto.conf, and removes once recovery has ended.
var recoveryKeys = []string{"restore_command", "recovery_target", "recovery_target_time", "recovery_target_inclusive",
	"recovery_target_action", "recovery_target_timeline", "hot_standby"}

type setting struct{ name, value string }

// pgTime writes a time for PostgreSQL: in UTC with an explicit offset, to
// the microsecond (PostgreSQL's precision; the rest is truncated).
func pgTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") + "+00" }

// recoverySettings are the recovery settings of a restore to t from a
// base backup described by base, whose WAL restore_command fetches from
// walDir. A target before the backup recovers the backup's own state;
// one before the history the backup holds is refused.
func recoverySettings(base baseInfo, t Target, walDir string) ([]setting, error) {
	if t.Time.Before(base.HistoryFrom) {
		return nil, fmt.Errorf("%s is before the source's recoverable history, which starts at %s, when its data was last replaced (or first backed up): no earlier backup is kept",
			pgTime(t.Time), pgTime(base.HistoryFrom))
	}
	// Without hot standby, the server takes no connection and is not
	// ready before recovery has ended: Start returns then, or fails with
	// the reason recovery failed.
	s := []setting{{"restore_command", restoreCommand(walDir)}, {"recovery_target_action", "promote"}, {"recovery_target_timeline", "latest"},
		{"hot_standby", "off"}}
	if t.Time.Before(base.ConsistentAt) {
		// The cluster did nothing between HistoryFrom and its backup:
		// the backup is its state at t.
		return append(s, setting{"recovery_target", "immediate"}), nil
	}
	inclusive := "off"
	if t.Inclusive {
		inclusive = "on"
	}
	return append(s, setting{"recovery_target_time", pgTime(t.Time)}, setting{"recovery_target_inclusive", inclusive}), nil
}

// confLines writes settings as lines of a configuration file.
func confLines(settings []setting) string {
	var sb strings.Builder
	sb.WriteString("# Written by the ITCare emulator for a restore; removed once recovery has ended.\n")
	for _, s := range settings {
		fmt.Fprintf(&sb, "%s = '%s'\n", s.name, strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s.value))
	}
	return sb.String()
}

// Recovery is a restore that PrepareRestore staged and Recover runs.
type Recovery struct {
	settings []setting
}

// Settings are the recovery settings the restore writes, as in
// postgresql.auto.conf.
func (r *Recovery) Settings() string { return confLines(r.settings) }

// PrepareRestore stages in the cluster's directory what recovering it to t
// from src needs, after making src archive its WAL up to now: a copy of
// src's base backup, and src's archived WAL. It needs src's server
// running, and leaves this cluster's server and data alone. A target
// before src's base backup recovers the backup's state, which was src's
// at any earlier point of the history it keeps; one before that history
// is refused. A source with no base backup gets one now: its history
// starts now.
func (c *Cluster) PrepareRestore(ctx context.Context, src *Cluster, t Target) (*Recovery, error) {
	if !src.up.Load() {
		return nil, errors.New("the source's server is not running")
	}
	base, err := src.readBase()
	if errors.Is(err, fs.ErrNotExist) {
		if err := src.takeBaseBackup(ctx, time.Now()); err != nil {
			return nil, err
		}
		base, err = src.readBase()
	}
	if err != nil {
		return nil, err
	}
	stage := c.stageDir()
	settings, err := recoverySettings(base, t, filepath.Join(stage, "wal"))
	if err != nil {
		return nil, err
	}
	last, err := src.archiveNow(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(stage); err != nil {
		return nil, err
	}
	if err := c.host.mkdirOwned(stage); err != nil {
		return nil, err
	}
	if err := c.host.copyTree(src.baseDir(), filepath.Join(stage, "data")); err != nil {
		_ = os.RemoveAll(stage)
		return nil, fmt.Errorf("copying the source's base backup: %w", err)
	}
	if err := c.host.linkArchive(src.ArchiveDir(), filepath.Join(stage, "wal"), last); err != nil {
		_ = os.RemoveAll(stage)
		return nil, fmt.Errorf("copying the source's WAL: %w", err)
	}
	return &Recovery{settings: settings}, nil
}

// Recover replaces the cluster's data by the restore PrepareRestore
// staged: it stops the server, puts the copy of the source's base backup
// in place with recovery.signal and the recovery settings, and starts the
// server, which replays the source's WAL up to the target, then promotes
// itself (a new timeline). The cluster keeps its port, its pg_hba.conf
// and TLS, and its superuser's password; it archives its own WAL from
// then on, and its base backup is taken anew: its history restarts at the
// restore. If recovery fails, the cluster gets its data back, running, and
// the error says why.
func (c *Cluster) Recover(ctx context.Context, r *Recovery) error {
	if !c.up.Load() {
		return errors.New("the destination's server is not running")
	}
	verifier, err := c.psql(ctx, "template1", "SELECT rolpassword FROM pg_authid WHERE rolname = "+quoteLiteral(c.opts.Superuser))
	if err != nil {
		return err
	}
	if err := c.Stop(); err != nil {
		return err
	}
	from := time.Now()
	// What the restore replaces is moved aside, to be put back if
	// recovery fails.
	aside := []string{c.DataDir(), c.ArchiveDir(), c.baseDir(), c.baseInfoFile()}
	existed := make([]bool, len(aside))
	for i, p := range aside {
		if err := os.RemoveAll(p + ".old"); err != nil {
			return err
		}
		if err := os.Rename(p, p+".old"); err == nil {
			existed[i] = true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	rollback := func(cause error) error {
		_ = c.Stop()
		errs := []error{fmt.Errorf("%w (the instance keeps its data)", cause)}
		for i, p := range aside {
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, err)
				continue
			}
			if existed[i] {
				if err := os.Rename(p+".old", p); err != nil {
					errs = append(errs, err)
				}
			}
		}
		_ = os.RemoveAll(c.stageDir())
		if err := c.Start(ctx); err != nil {
			errs = append(errs, fmt.Errorf("its server did not start again: %w", err))
		}
		return errors.Join(errs...)
	}
	if err := c.install(r); err != nil {
		return rollback(err)
	}
	if err := c.Start(ctx); err != nil {
		return rollback(fmt.Errorf("recovery failed: %w", err))
	}
	if err := c.awaitRecoveryEnd(ctx); err != nil {
		return rollback(err)
	}
	// The restored data stay from here on.
	for _, p := range aside {
		if err := os.RemoveAll(p + ".old"); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(c.stageDir()); err != nil {
		return err
	}
	var sql strings.Builder
	for _, k := range recoveryKeys {
		sql.WriteString("ALTER SYSTEM RESET " + k + ";\n")
	}
	if verifier != "" {
		// A SCRAM verifier given as the password is stored as is.
		sql.WriteString("ALTER ROLE " + quoteIdent(c.opts.Superuser) + " PASSWORD " + quoteLiteral(verifier) + ";\n")
	}
	if err := c.psqlScript(ctx, "template1", sql.String()); err != nil {
		return err
	}
	return c.takeBaseBackup(ctx, from)
}

// install puts the staged restore in place of the data directory, which
// was moved aside: the source's base backup, this cluster's pg_hba.conf,
// recovery.signal and the recovery settings, and an empty archive.
func (c *Cluster) install(r *Recovery) error {
	if err := os.Rename(filepath.Join(c.stageDir(), "data"), c.DataDir()); err != nil {
		return err
	}
	if err := c.host.mkdirOwned(c.ArchiveDir()); err != nil {
		return err
	}
	if err := c.writeHBA(); err != nil {
		return err
	}
	if err := c.host.writeOwned(filepath.Join(c.DataDir(), "recovery.signal"), nil); err != nil {
		return err
	}
	// Appended, as pg_basebackup -R does: ALTER SYSTEM rewrites the file
	// without them once recovery has ended.
	auto := filepath.Join(c.DataDir(), "postgresql.auto.conf")
	f, err := os.OpenFile(auto, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) //nolint:gosec // under the cluster's own directory
	if err != nil {
		return err
	}
	_, err = f.WriteString("\n" + confLines(r.settings))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return c.host.account.own(auto)
}

// awaitRecoveryEnd waits until the server has left recovery. Without hot
// standby it is ready only once promoted, so this is a check more than a
// wait.
func (c *Cluster) awaitRecoveryEnd(ctx context.Context) error {
	deadline := time.Now().Add(recoveryEndTimeout)
	for {
		out, err := c.psql(ctx, "template1", "SELECT pg_is_in_recovery()")
		if err == nil && out == "f" {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("recovery not seen to end after %s: %w", recoveryEndTimeout, err)
			}
			return fmt.Errorf("still in recovery after %s: see %s", recoveryEndTimeout, c.logFile())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// RestoreFrom rebuilds the cluster from src as src was at t: see
// PrepareRestore and Recover. src runs on, untouched but for a commit and
// a WAL switch.
func (c *Cluster) RestoreFrom(ctx context.Context, src *Cluster, t Target) error {
	r, err := c.PrepareRestore(ctx, src, t)
	if err != nil {
		return err
	}
	return c.Recover(ctx, r)
}

// copyTree copies a data directory (plain files and directories only)
// into dst, which must not exist, for the servers' account.
func (h *Host) copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, 0o700); err != nil {
				return err
			}
			if err := os.Chmod(target, info.Mode().Perm()); err != nil {
				return err
			}
			return h.account.own(target)
		case d.Type().IsRegular():
			return h.copyFile(path, target, info.Mode().Perm())
		default:
			return fmt.Errorf("%s is neither a file nor a directory (tablespaces cannot be restored)", rel)
		}
	})
}

func (h *Host) copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src) //nolint:gosec // a file of a cluster's own directory
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm) //nolint:gosec // see above
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(dst, perm); err != nil {
		return err
	}
	return h.account.own(dst)
}

// linkArchive links into dst (a directory it makes) the files of the
// archive src up to the WAL segment last (by name: earlier segments and
// timeline histories), copying those it cannot link. An archived file is
// never written again, so a link is as good as a copy.
func (h *Host) linkArchive(src, dst, last string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := h.mkdirOwned(dst); err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasSuffix(name, ".tmp") || name > last {
			continue
		}
		from, to := filepath.Join(src, name), filepath.Join(dst, name)
		if err := os.Link(from, to); err == nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := h.copyFile(from, to, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
