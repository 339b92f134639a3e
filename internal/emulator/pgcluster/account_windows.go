//go:build windows

package pgcluster

import (
	"os"
	"os/exec"
)

// account is the account the PostgreSQL processes run as: on Windows,
// always this process's own.
type account struct{ name string }

func lookupAccount() (account, error) { return account{name: "current user"}, nil }

func (account) prepare(*exec.Cmd, bool) {}

func (account) own(string) error { return nil }

// Windows has no signals to ask a postmaster for a fast shutdown; the
// process is killed and its data directory is removed or reused after
// crash recovery.
func interrupt(p *os.Process) error { return p.Kill() }

func quit(p *os.Process) error { return p.Kill() }
