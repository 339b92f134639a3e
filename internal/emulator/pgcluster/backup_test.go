//go:build unix

package pgcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The archive command, run as PostgreSQL would: a copy appears whole under
// its name; archiving the same file again succeeds, another file of that
// name fails.
func TestArchiveCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "it's 100% archive")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(t.TempDir(), "segment")
	run := func() error {
		cmd := strings.NewReplacer("%p", seg, "%f", "000000010000000000000001", "%%", "%").Replace(archiveCommand(dir))
		return exec.Command("sh", "-c", cmd).Run() //nolint:gosec,noctx // the command under test
	}
	if err := os.WriteFile(seg, []byte("wal"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "000000010000000000000001")); err != nil || string(b) != "wal" {
		t.Fatalf("archived %q, %v", b, err)
	}
	if err := run(); err != nil {
		t.Errorf("archiving the same file again: %v", err)
	}
	if err := os.WriteFile(seg, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(); err == nil {
		t.Error("another file of the same name overwrote the archived one")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("archive holds %d files", len(entries))
	}
}
