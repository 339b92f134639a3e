package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/rpccpu"
)

// tfRun is one terraform command with what the emulator and the process
// watcher saw during it.
type tfRun struct {
	Args []string
	Wall time.Duration
	// CPU is terraform's user + system time, its reaped children (the
	// provider processes) included.
	CPU      time.Duration
	ExitCode int
	Output   string
	Requests []emulator.RequestRecord
	Procs    map[int]*procStat
	// ByProcess is keyed by provider pid; 0 gathers requests whose process
	// was not found.
	ByProcess map[int]*perProcess
}

// provider is a provider binary and the environment terraform runs with
// to use it.
type provider struct {
	bin string
	env []string
}

// terraform runs terraform in dir with the bench's environment, and
// records the emulator requests and provider processes of that command
// only.
func (b *bench) terraform(ctx context.Context, dir string, args ...string) (*tfRun, error) {
	return b.terraformAt(ctx, provider{b.providerBin, b.env}, dir, args...)
}

// terraformAt is terraform with the provider p.
func (b *bench) terraformAt(ctx context.Context, p provider, dir string, args ...string) (*tfRun, error) {
	b.emu.ResetRequests()
	b.tracker.reset()
	cmd := exec.CommandContext(ctx, b.tfPath, args...) //nolint:gosec // the terraform found on PATH
	cmd.Dir = dir
	cmd.Env = p.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	procsCh := make(chan map[int]*procStat, 1)
	go func() { procsCh <- watchProviders(cmd.Process.Pid, p.bin, 20*time.Millisecond, stop) }()
	err := cmd.Wait()
	r := &tfRun{Args: args, Wall: time.Since(start), Output: out.String()}
	if ps := cmd.ProcessState; ps != nil {
		r.CPU = ps.UserTime() + ps.SystemTime()
	}
	close(stop)
	r.Procs = <-procsCh
	r.Requests = b.emu.Requests()
	r.ByProcess = b.tracker.byProcess(emulator.TokenPath)
	if b.opts.keep {
		// The request log of each command, for a closer look at a figure.
		b.runs++
		if log, err := json.MarshalIndent(r.Requests, "", "  "); err == nil {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("requests-%02d-%s.json", b.runs, args[0])), log, 0o600)
		}
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.ExitCode = exitErr.ExitCode()
	case err != nil:
		return r, err
	}
	return r, nil
}

// providerCPU is the CPU time of the run's provider processes.
func (r *tfRun) providerCPU() time.Duration {
	var cpu time.Duration
	for _, p := range r.Procs {
		cpu += p.CPU
	}
	return cpu
}

// mustSucceed turns a failed command into an error that shows its output.
func (r *tfRun) mustSucceed(okCodes ...int) error {
	if r.ExitCode == 0 {
		return nil
	}
	for _, c := range okCodes {
		if r.ExitCode == c {
			return nil
		}
	}
	out := r.Output
	if len(out) > 4000 {
		out = "…" + out[len(out)-4000:]
	}
	return fmt.Errorf("terraform %s exited with %d:\n%s", strings.Join(r.Args, " "), r.ExitCode, out)
}

// tokenRequests counts the token requests of the run.
func (r *tfRun) tokenRequests() int {
	n := 0
	for _, q := range r.Requests {
		if q.Path == emulator.TokenPath {
			n++
		}
	}
	return n
}

// peakKB is the largest peak resident set of the run's provider processes.
func (r *tfRun) peakKB() int64 {
	var peak int64
	for _, p := range r.Procs {
		peak = max(peak, p.PeakKB)
	}
	return peak
}

// writeCLIConfig writes a CLI configuration that takes the provider from
// dir (dev_overrides: no registry, no terraform init).
func writeCLIConfig(path, dir string) error {
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "cegedim-cloud/itcare" = %q
  }
  direct {}
}
`, dir)
	return os.WriteFile(path, []byte(rc), 0o600)
}

const providerBlock = `terraform {
  required_providers {
    itcare = {
      source = "cegedim-cloud/itcare"
    }
  }
}

provider "itcare" {}
`

// seeded is an instance seeded in the emulator, as the config names it.
type seeded struct {
	ID   int64
	Name string
}

// refreshConfig declares the seeded instances exactly as they are, so that
// a plan is a pure refresh (no changes), and imports them if asked.
func refreshConfig(instances []seeded, extensions, imports bool) string {
	var sb strings.Builder
	sb.WriteString(providerBlock)
	for i, in := range instances {
		fmt.Fprintf(&sb, `
resource "itcare_postgresql" "pg%03d" {
  name        = %q
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "BEN"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"
`, i, in.Name)
		if extensions {
			// plpgsql is in every database: tracked, it converges at once.
			sb.WriteString(`  extensions = [{ database = "postgres", name = "plpgsql" }]
`)
		}
		sb.WriteString("}\n")
		if imports {
			fmt.Fprintf(&sb, `
import {
  to = itcare_postgresql.pg%03d
  id = "%d"
}
`, i, in.ID)
		}
	}
	return sb.String()
}

// actionConfig declares one instance that the bench creates, resizes and
// destroys.
func actionConfig(name, sizing string) string {
	return providerBlock + fmt.Sprintf(`
resource "itcare_postgresql" "pg" {
  name        = %q
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "BEN"
  node_sizing = %q
  disk_size   = 40
  version     = "15"

  adm_password_wo         = "Bench-Passw0rd!2026"
  adm_password_wo_version = 1

  deletion_protection = false
}
`, name, sizing)
}

// writeConfig replaces the configuration of a working directory.
func writeConfig(dir, hcl string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600)
}

// rpcStats is the provider processes' CPU time per RPC.
type rpcStats map[string]rpccpu.Stat

// withRPCDir creates dir and returns p with its processes told to record
// their CPU time per RPC there, and their CPU profile with -profile.
func (b *bench) withRPCDir(p provider, dir string) (provider, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return p, err
	}
	p.env = append(slices.Clone(p.env), rpccpu.EnvDir+"="+dir)
	if b.opts.profile {
		p.env = append(p.env, rpccpu.EnvProfile+"=1")
	}
	return p, nil
}

// readRPCStats adds up what the provider processes recorded in dir.
func readRPCStats(dir string) (rpcStats, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := rpcStats{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]rpccpu.Stat
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			t := out[k]
			t.Calls += v.Calls
			t.CPU += v.CPU
			out[k] = t
		}
	}
	return out, nil
}

// total is the CPU time of every measured RPC.
func (s rpcStats) total() time.Duration {
	var t time.Duration
	for _, v := range s {
		t += v.CPU
	}
	return t
}
