// Package rpccpu measures the CPU time a provider spends in each plugin
// RPC, for the benchmark (cmd/itcare-bench). It wraps a
// tfprotov6.ProviderServer: each measured call runs on its goroutine's
// thread, locked for the call, and the thread's CPU clock before and after
// gives the call's CPU time, garbage-collection assists included. Work the
// call does not do itself (gRPC and protobuf decoding, background GC) is
// left to the process total. The totals are written as JSON when the
// server stops.
package rpccpu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"golang.org/x/sys/unix"
)

// EnvDir names the variable holding the directory the totals are written
// to, one <pid>.json file per provider process. Unset, nothing is measured.
const EnvDir = "ITCARE_BENCH_RPC_CPU_DIR"

// Stat is the calls to one RPC and the CPU time they took.
type Stat struct {
	Calls int           `json:"calls"`
	CPU   time.Duration `json:"cpu_ns"`
}

// Server is a ProviderServer that measures the resource RPCs of a refresh
// and a plan: validate, upgrade, read and plan.
type Server struct {
	tfprotov6.ProviderServer

	mu    sync.Mutex
	stats map[string]*Stat
}

// Wrap measures s.
func Wrap(s tfprotov6.ProviderServer) *Server {
	return &Server{ProviderServer: s, stats: map[string]*Stat{}}
}

// Stats returns a copy of the totals so far, by RPC name.
func (s *Server) Stats() map[string]Stat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Stat, len(s.stats))
	for k, v := range s.stats {
		out[k] = *v
	}
	return out
}

// WriteFile writes the totals to <dir>/<pid>.json.
func (s *Server) WriteFile(dir string) error {
	raw, err := json.Marshal(s.Stats())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.json", os.Getpid())), raw, 0o600)
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// measure locks the goroutine to its thread and returns the function that
// adds the thread's CPU time since to rpc's total.
func (s *Server) measure(rpc string) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		d := threadCPU() - start
		runtime.UnlockOSThread()
		s.mu.Lock()
		st := s.stats[rpc]
		if st == nil {
			st = &Stat{}
			s.stats[rpc] = st
		}
		st.Calls++
		st.CPU += d
		s.mu.Unlock()
	}
}

// RPC names, as the totals are keyed.
const (
	Validate = "ValidateResourceConfig"
	Upgrade  = "UpgradeResourceState"
	Read     = "ReadResource"
	Plan     = "PlanResourceChange"
)

// ValidateResourceConfig measures the validation of a resource's configuration.
func (s *Server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	defer s.measure(Validate)()
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

// UpgradeResourceState measures the upgrade of a resource's state.
func (s *Server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	defer s.measure(Upgrade)()
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

// ReadResource measures the refresh of a resource.
func (s *Server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	defer s.measure(Read)()
	return s.ProviderServer.ReadResource(ctx, req)
}

// PlanResourceChange measures the plan of a resource.
func (s *Server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	defer s.measure(Plan)()
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// EnvProfile names the variable that, set to any value beside EnvDir, also
// writes a CPU profile of the whole process to <dir>/<pid>.pprof, and what
// its heap still holds when the server stops to <dir>/<pid>.heap.pprof.
const EnvProfile = "ITCARE_BENCH_CPU_PROFILE"

// Serve serves the provider made by factory as tf6server.Serve does, with
// its resource RPCs measured, and writes the totals to dir when the
// server stops (terraform stops its providers at the end of a command).
func Serve(name string, factory func() tfprotov6.ProviderServer, dir string) error {
	if os.Getenv(EnvProfile) != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.pprof", os.Getpid()))) //nolint:gosec // the bench's directory
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	s := Wrap(factory())
	err := tf6server.Serve(name, func() tfprotov6.ProviderServer { return s })
	if os.Getenv(EnvProfile) != "" {
		if herr := writeHeapProfile(dir); err == nil {
			err = herr
		}
	}
	if werr := s.WriteFile(dir); err == nil {
		err = werr
	}
	return err
}

// writeHeapProfile writes what the process still holds when the server
// stops, to <dir>/<pid>.heap.pprof: memory that grows with the number of
// requests served shows there.
func writeHeapProfile(dir string) error {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.heap.pprof", os.Getpid()))) //nolint:gosec // the bench's directory
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	runtime.GC()
	runtime.GC() // the profile is as of the last GC but one
	return pprof.Lookup("heap").WriteTo(f, 0)
}
