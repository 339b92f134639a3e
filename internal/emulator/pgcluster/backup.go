package pgcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Every server archives its WAL into its ArchiveDir (archive_command, see
// startOnce); Create takes a base backup into base/, described by
// base.json. Together they let a restore recover the cluster's state at
// any point since (see PrepareRestore).

// baseInfo describes a cluster's base backup; base.json holds it.
type baseInfo struct {
	// ConsistentAt is when the backup ended: recovery from it can stop at
	// any later point, and recovers the backup's own state for an earlier
	// one.
	ConsistentAt time.Time `json:"consistentAt"`
	// HistoryFrom is where the history the backup and the archive hold
	// starts. Zero for a cluster backed up when it was made: they hold its
	// whole life, so its state at any earlier point is the backup's. Else
	// the time its data was last replaced by a restore (or it was first
	// backed up): nothing earlier is kept.
	HistoryFrom time.Time `json:"historyFrom"`
}

func (c *Cluster) baseDir() string      { return filepath.Join(c.opts.Dir, "base") }
func (c *Cluster) baseInfoFile() string { return filepath.Join(c.opts.Dir, "base.json") }

// socketConn is the connection string of the server's Unix socket, as
// the superuser.
func (c *Cluster) socketConn() string {
	return fmt.Sprintf("host=%s port=%d user=%s", conninfoValue(c.SocketDir()), c.port.Load(), c.opts.Superuser)
}

// takeBaseBackup replaces the cluster's base backup by one of the running
// server taken now, whose history starts at from (see baseInfo).
func (c *Cluster) takeBaseBackup(ctx context.Context, from time.Time) error {
	next := filepath.Join(c.opts.Dir, "base.new")
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	// pg_basebackup runs as the servers' account, which owns the directory.
	if _, err := c.run(ctx, nil, "pg_basebackup", "-d", c.socketConn(), "-D", next, "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		_ = os.RemoveAll(next)
		return fmt.Errorf("base backup: %w", err)
	}
	info := baseInfo{ConsistentAt: time.Now(), HistoryFrom: from}
	// The manifest describes the backup; it is no file of a data directory.
	if err := os.Remove(filepath.Join(next, "backup_manifest")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.RemoveAll(c.baseDir()); err != nil {
		return err
	}
	if err := os.Rename(next, c.baseDir()); err != nil {
		return err
	}
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return c.host.writeOwned(c.baseInfoFile(), b)
}
