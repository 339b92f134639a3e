//go:build linux

package pgcluster

import "syscall"

// setDeathSignal makes the kernel stop a child when this process dies
// without running its cleanup (SIGKILL, a crash, a test binary killed at
// its timeout): a server gets an immediate shutdown, a tool is killed.
func setDeathSignal(attr *syscall.SysProcAttr, server bool) {
	attr.Pdeathsig = syscall.SIGKILL
	if server {
		attr.Pdeathsig = syscall.SIGQUIT
	}
}
