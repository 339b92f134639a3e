//go:build windows

package emulator

import (
	"os"
	"os/exec"
)

// pgIdentity is the account the PostgreSQL processes run as: on Windows,
// always the emulator's own.
type pgIdentity struct{ name string }

func lookupPGIdentity() (pgIdentity, error) { return pgIdentity{name: "current user"}, nil }

func (pgIdentity) prepare(*exec.Cmd, bool) {}

func (pgIdentity) own(string) error { return nil }

// Windows has no signals to ask a postmaster for a fast shutdown; the
// process is killed and its data directory is removed or reused after
// crash recovery.
func interrupt(p *os.Process) error { return p.Kill() }

func quit(p *os.Process) error { return p.Kill() }
