//go:build unix && !linux

package emulator

import "syscall"

// setDeathSignal does nothing where the kernel has no parent-death signal:
// only the emulator's own cleanup stops its servers there.
func setDeathSignal(*syscall.SysProcAttr, bool) {}
