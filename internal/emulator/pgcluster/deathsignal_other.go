//go:build unix && !linux

package pgcluster

import "syscall"

// setDeathSignal does nothing where the kernel has no parent-death signal:
// only this process's own cleanup stops its servers there.
func setDeathSignal(*syscall.SysProcAttr, bool) {}
