//go:build unix

package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// account is the account the PostgreSQL processes run as. PostgreSQL
// refuses to run as root, so a process started by root runs its servers
// as "postgres" (the Debian package's account) or, failing that, "nobody";
// otherwise they run as the process's own user and cred is nil.
type account struct {
	name string
	cred *syscall.Credential
}

func lookupAccount() (account, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		name := strconv.Itoa(os.Geteuid())
		if err == nil {
			name = u.Username
		}
		return account{name: name}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return account{name: name, cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
	}
	return account{}, fmt.Errorf("running as root, and neither the postgres nor the nobody account exists: PostgreSQL refuses to run as root")
}

// prepare runs cmd as the account, in its own process group so that a
// Ctrl-C in the terminal reaches this process only and this process
// decides how its servers stop.
func (a account) prepare(cmd *exec.Cmd, server bool) {
	attr := &syscall.SysProcAttr{Setpgid: true, Credential: a.cred}
	setDeathSignal(attr, server)
	cmd.SysProcAttr = attr
}

// own gives a path this process created to the account, so the servers
// can write their data directories.
func (a account) own(path string) error {
	if a.cred == nil {
		return nil
	}
	return os.Chown(path, int(a.cred.Uid), int(a.cred.Gid))
}

// interrupt asks a postmaster for a fast shutdown: sessions are ended and
// the data is left consistent.
func interrupt(p *os.Process) error { return p.Signal(syscall.SIGINT) }

// quit asks a postmaster for an immediate shutdown, when a fast one hangs.
func quit(p *os.Process) error { return p.Signal(syscall.SIGQUIT) }
