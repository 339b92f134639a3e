package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStat is what the watcher saw of one provider process.
type procStat struct {
	PID int
	// PeakKB is the largest VmHWM (peak resident set) read, in KiB.
	PeakKB int64
	// CPU is the user + system time of the last read.
	CPU time.Duration
}

// watchProviders polls the children of terraform (pid) every interval
// until stop is closed, and returns the provider processes among them with
// their peak memory. VmHWM is the kernel's own high-water mark, so polling
// only has to read it before the process exits, not catch the peak itself.
func watchProviders(pid int, binary string, interval time.Duration, stop <-chan struct{}) map[int]*procStat {
	seen := map[int]*procStat{}
	notProvider := map[int]bool{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, child := range childrenOf(pid) {
			if notProvider[child] {
				continue
			}
			st := seen[child]
			if st == nil {
				if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", child)); err != nil || exe != binary {
					notProvider[child] = err == nil
					continue
				}
				st = &procStat{PID: child}
				seen[child] = st
			}
			if kb, ok := readVMHWM(child); ok && kb > st.PeakKB {
				st.PeakKB = kb
			}
			if cpu, ok := readCPU(child); ok {
				st.CPU = cpu
			}
		}
		select {
		case <-stop:
			return seen
		case <-t.C:
		}
	}
}

// childrenOf lists the children of pid, from every thread's children file
// (a child belongs to the thread that forked it).
func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func readVMHWM(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	return parseStatusKB(string(b), "VmHWM")
}

// clockTick is the unit of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

func readCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime + stime (fields 14 and 15) of /proc/<pid>/stat.
// The command name (field 2) may hold spaces: fields are counted after its
// closing parenthesis.
func parseStatCPU(stat string) (time.Duration, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// parseStatusKB reads a "Key:   1234 kB" line of /proc/<pid>/status.
func parseStatusKB(status, key string) (int64, bool) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, key+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		return n, err == nil
	}
	return 0, false
}

// connTracker serves the emulator and finds which process opened each
// connection, so that token requests can be counted per provider process
// rather than per terraform command (terraform starts several provider
// processes per command).
type connTracker struct {
	binary     string
	serverPort int

	mu       sync.Mutex
	owner    map[string]int // client address → pid (0: not found)
	conns    []string       // client addresses of the connections opened
	requests []trackedRequest
	pending  sync.WaitGroup
}

type trackedRequest struct {
	Remote string
	Path   string
}

func newConnTracker(binary string) *connTracker {
	return &connTracker{binary: binary, owner: map[string]int{}}
}

// wrap records each request's client address before the emulator serves it.
func (t *connTracker) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		t.requests = append(t.requests, trackedRequest{Remote: r.RemoteAddr, Path: r.URL.Path})
		t.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// connState looks the owner of every new connection up in the background:
// the socket exists as long as the connection, which outlives the lookup
// (the first request on it waits at least the injected latency).
func (t *connTracker) connState(c net.Conn, s http.ConnState) {
	if s != http.StateNew {
		return
	}
	remote := c.RemoteAddr().String()
	t.mu.Lock()
	t.conns = append(t.conns, remote)
	t.mu.Unlock()
	t.pending.Add(1)
	go func() {
		defer t.pending.Done()
		pid := 0
		for range 10 {
			if pid = socketOwner(remote, t.serverPort, t.binary); pid != 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.mu.Lock()
		t.owner[remote] = pid
		t.mu.Unlock()
	}()
}

// reset forgets the connections and requests seen so far.
func (t *connTracker) reset() {
	t.pending.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conns, t.requests = nil, nil
}

// perProcess is what one provider process did during a terraform command.
type perProcess struct {
	Tokens, APICalls, Conns int
}

// byProcess attributes the requests and connections seen since the last
// reset to their processes; pid 0 gathers those whose owner was not found.
func (t *connTracker) byProcess(tokenPath string) map[int]*perProcess {
	t.pending.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[int]*perProcess{}
	get := func(remote string) *perProcess {
		pid := t.owner[remote]
		if out[pid] == nil {
			out[pid] = &perProcess{}
		}
		return out[pid]
	}
	for _, c := range t.conns {
		get(c).Conns++
	}
	for _, r := range t.requests {
		if r.Path == tokenPath {
			get(r.Remote).Tokens++
		} else {
			get(r.Remote).APICalls++
		}
	}
	return out
}

// socketOwner returns the pid of the process running binary that holds the
// client end of the loopback TCP connection from remote to serverPort, or 0.
func socketOwner(remote string, serverPort int, binary string) int {
	_, portStr, err := net.SplitHostPort(remote)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0
	}
	inode := findSocketInode(bufio.NewScanner(f), port, serverPort)
	_ = f.Close()
	if inode == "" {
		return 0
	}
	want := "socket:[" + inode + "]"
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range pids {
		if exe, err := os.Readlink(dir + "/exe"); err != nil || exe != binary {
			continue
		}
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if l, err := os.Readlink(dir + "/fd/" + fd.Name()); err == nil && l == want {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return pid
			}
		}
	}
	return 0
}

// findSocketInode scans /proc/net/tcp for the socket whose local port is
// localPort and remote port is remotePort, and returns its inode.
func findSocketInode(sc *bufio.Scanner, localPort, remotePort int) string {
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		if len(f) < 10 || f[0] == "sl" {
			continue
		}
		if hexPort(f[1]) == localPort && hexPort(f[2]) == remotePort {
			return f[9]
		}
	}
	return ""
}

// hexPort reads the port of an "0100007F:1F90" address.
func hexPort(addr string) int {
	_, p, ok := strings.Cut(addr, ":")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(p, 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}
