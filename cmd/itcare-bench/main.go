// Command itcare-bench measures the provider against the ITCare emulator
// with an injected per-request latency and real action durations, checks
// each figure against its design target and writes BENCHMARKS.md.
//
// It builds the provider, serves the emulator in-process and drives the
// terraform binary on PATH through dev_overrides (no registry, no init).
// Run it from the repository root: make bench.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "itcare-bench:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	out         string
	latency     time.Duration
	instances   int
	parallelism int
	durations   []time.Duration
	startups    int
	keep        bool
	// The large refresh, beside the one above: its instances and latency
	// (0 instances: not run).
	largeInstances int
	largeLatency   time.Duration
	actions        bool // run the create, resize and delete applies
	profile        bool // CPU and heap profiles of the measured plans' providers
}

// bench holds what every scenario shares.
type bench struct {
	opts        options
	root, work  string
	providerBin string
	floor       provider // the floor: the schema served by a resource that does no work
	tfPath      string
	emu         *emulator.Server
	tracker     *connTracker
	baseURL     string
	env         []string
	tokens      tokenTally
	runs        int
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("itcare-bench", flag.ContinueOnError)
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency injected into every API and token request")
	fs.IntVar(&o.instances, "instances", 200, "instances refreshed by terraform plan")
	fs.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism of the refresh")
	durations := fs.String("durations", "2s,20s", "action durations of the create/resize/delete runs, comma-separated")
	fs.IntVar(&o.largeInstances, "large-instances", 1000, "instances of the large refresh (0: not run)")
	fs.DurationVar(&o.largeLatency, "large-latency", 100*time.Millisecond, "latency of the large refresh")
	fs.BoolVar(&o.actions, "actions", true, "run the create, resize and delete applies (false: refreshes only, for an A/B comparison)")
	fs.BoolVar(&o.profile, "profile", false, "write a CPU profile and a heap profile (what it holds when it stops) of each provider process of the measured plans, beside its CPU times per RPC (with -keep)")
	fs.IntVar(&o.startups, "startups", 7, "provider start-ups timed (the median is reported)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (configurations, states and each command's request log)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, s := range strings.Split(*durations, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			return o, fmt.Errorf("-durations: %q is not a positive duration", s)
		}
		o.durations = append(o.durations, d)
	}
	if o.instances < 1 || o.parallelism < 1 || o.startups < 1 || o.largeInstances < 0 {
		return o, errors.New("-instances, -parallelism and -startups must be positive")
	}
	return o, nil
}

func run(args []string) error {
	opts, err := parseOptions(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	began := time.Now()

	b := &bench{opts: opts}
	if b.root, err = os.Getwd(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(b.root, "main.go")); err != nil {
		return errors.New("run from the repository root (make bench)")
	}
	if b.tfPath, err = exec.LookPath("terraform"); err != nil {
		return errors.New("terraform is not on PATH")
	}
	if b.work, err = os.MkdirTemp("", "itcare-bench-"); err != nil {
		return err
	}
	if opts.keep {
		progress("working directory kept: %s", b.work)
	} else {
		defer func() { _ = os.RemoveAll(b.work) }()
	}

	progress("building the provider")
	b.providerBin = filepath.Join(b.work, "bin", "terraform-provider-itcare")
	build := exec.CommandContext(ctx, "go", "build", "-o", b.providerBin, ".") //nolint:gosec // builds this module
	build.Dir, build.Stdout, build.Stderr = b.root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	b.floor.bin = filepath.Join(b.work, "floor", "terraform-provider-itcare")
	build = exec.CommandContext(ctx, "go", "build", "-o", b.floor.bin, "./cmd/itcare-bench/floor") //nolint:gosec // builds this module
	build.Dir, build.Stdout, build.Stderr = b.root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build of the floor: %w", err)
	}
	if err := b.startEmulator(); err != nil {
		return err
	}

	rep := &report{Options: opts, Machine: machineInfo(ctx, b.tfPath)}

	progress("timing %d provider start-ups", opts.startups)
	if rep.Startup, err = b.startups(ctx); err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	progress("refresh of %d instances, without extensions", opts.instances)
	instances, err := b.seed("benchpg", opts.instances)
	if err != nil {
		return err
	}
	plain, err := b.refresh(ctx, "refresh", instances, opts.latency, "")
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	progress("refresh of %d instances, with extensions", opts.instances)
	withExt, err := b.refresh(ctx, "refresh-ext", instances, opts.latency, filepath.Join(b.work, "refresh", "terraform.tfstate"))
	if err != nil {
		return fmt.Errorf("refresh with extensions: %w", err)
	}
	rep.Refreshes = []*refreshResult{plain, withExt}
	if n := opts.largeInstances; n > 0 {
		progress("refresh of %d instances at %v latency, without extensions", n, opts.largeLatency)
		large, err := b.seed("benchlg", n)
		if err != nil {
			return err
		}
		res, err := b.refresh(ctx, "refresh-large", large, opts.largeLatency, "")
		if err != nil {
			return fmt.Errorf("large refresh: %w", err)
		}
		res.Large = true
		rep.Refreshes = append(rep.Refreshes, res)
	}
	for _, d := range opts.durations {
		if !opts.actions {
			break
		}
		progress("create, resize and delete with %v actions", d)
		res, err := b.actions(ctx, d)
		if err != nil {
			return fmt.Errorf("actions of %v: %w", d, err)
		}
		rep.Actions = append(rep.Actions, res...)
	}
	rep.Tokens = b.tokens
	rep.Machine.LoadEnd = loadAverage()
	rep.Elapsed = time.Since(began)
	rep.Date = began.UTC()
	md := rep.markdown()
	if err := os.WriteFile(filepath.Join(b.root, opts.out), []byte(md), 0o644); err != nil { //nolint:gosec // a document of the repository, readable by all
		return err
	}
	fmt.Print(rep.summary())
	progress("wrote %s in %v", opts.out, rep.Elapsed.Round(time.Second))
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

// startEmulator serves the emulator on a loopback port through the
// connection tracker, and sets the environment terraform runs with.
func (b *bench) startEmulator() error {
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.emu = emu
	b.tracker = newConnTracker(b.providerBin)
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("unexpected listener address %v", ln.Addr())
	}
	b.tracker.serverPort = addr.Port
	srv := &http.Server{Handler: b.tracker.wrap(emu.Handler()), ConnState: b.tracker.connState, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.baseURL = "http://" + ln.Addr().String()

	rc := filepath.Join(b.work, "terraformrc")
	if err := writeCLIConfig(rc, filepath.Dir(b.providerBin)); err != nil {
		return err
	}
	floorRC := filepath.Join(b.work, "terraformrc-floor")
	if err := writeCLIConfig(floorRC, filepath.Dir(b.floor.bin)); err != nil {
		return err
	}
	// The machine's settings must not reach the runs: no credentials of a
	// real account, no poll cap (the default is what users get), no logs.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ITCARE_") || strings.HasPrefix(k, "TF_") {
			continue
		}
		b.env = append(b.env, kv)
	}
	common := []string{"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}
	b.floor.env = append(append(slices.Clone(b.env), common...), "TF_CLI_CONFIG_FILE="+floorRC)
	b.env = append(append(b.env, common...),
		"TF_CLI_CONFIG_FILE="+rc,
		"ITCARE_API_URL="+b.baseURL+emulator.APIPrefix,
		"ITCARE_TOKEN_URL="+b.baseURL+emulator.TokenPath,
		"ITCARE_CLIENT_ID="+emu.ClientID(), "ITCARE_CLIENT_SECRET="+emu.ClientSecret(),
	)
	return nil
}

func (b *bench) startups(ctx context.Context) (*startupResult, error) {
	res := &startupResult{}
	for range b.opts.startups {
		s, err := measureStartup(ctx, b.providerBin)
		if err != nil {
			return nil, err
		}
		res.Handshakes = append(res.Handshakes, s.Handshake)
		res.Schemas = append(res.Schemas, s.Schema)
		res.SchemaBytes = s.SchemaBytes
	}
	return res, nil
}

// seed creates n ACTIVE instances at once, as if made in the console.
func (b *bench) seed(prefix string, n int) ([]seeded, error) {
	out := make([]seeded, 0, n)
	for i := range n {
		name := fmt.Sprintf("%s%03d", prefix, i)
		in, err := b.emu.SeedInstance(map[string]any{
			"name": name, "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "BEN",
			"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
		})
		if err != nil {
			return nil, fmt.Errorf("seeding %s: %w", name, err)
		}
		out = append(out, seeded{ID: in.ID, Name: name})
	}
	return out, nil
}

// refreshResult is one measured terraform plan over the seeded instances.
type refreshResult struct {
	Extensions  bool
	Large       bool // the large run
	Instances   int
	Parallelism int
	Latency     time.Duration
	APICalls    int
	MaxPerInst  int
	Tokens      int
	Window      time.Duration // first API request sent → last answered
	Bound       time.Duration // API calls × latency ÷ parallelism
	Wall        time.Duration // the whole terraform plan, with latency
	WallNoLat   time.Duration // the same plan without latency
	PeakKB      int64
	TFCPU       time.Duration // terraform's own CPU time in the plan
	ProviderCPU time.Duration // the provider processes' CPU time
	Procs       int           // provider processes that called the API
	Conns       int           // connections those processes opened
	RPC         rpcStats      // the provider's CPU time per RPC
	Floor       *floorResult  // the same plan against the floor provider
}

// floorResult is a plan of the same configuration and state against the
// floor provider (no API calls, no latency).
type floorResult struct {
	Wall        time.Duration
	TFCPU       time.Duration
	ProviderCPU time.Duration
	PeakKB      int64
	RPC         rpcStats
}

// CallsPerInstance is the API calls of the refresh per instance.
func (r *refreshResult) CallsPerInstance() float64 {
	return float64(r.APICalls) / float64(r.Instances)
}

// refresh imports the instances (or, with extensions, takes the state
// extState and tracks plpgsql in it: importing cannot record extensions),
// checks that a plan has nothing to change, then measures a plan with the
// latency on, and the same plan against the floor provider.
func (b *bench) refresh(ctx context.Context, name string, instances []seeded, latency time.Duration, extState string) (*refreshResult, error) {
	dir := filepath.Join(b.work, name)
	par := "-parallelism=" + strconv.Itoa(b.opts.parallelism)
	extensions := extState != ""
	if !extensions {
		if err := writeConfig(dir, refreshConfig(instances, false, true)); err != nil {
			return nil, err
		}
		b.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Path: emulator.TokenPath, Latency: latency})
		r, err := b.terraform(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", par)
		b.emu.ClearFaults()
		if err != nil {
			return nil, err
		}
		b.countTokens(r)
		if err := r.mustSucceed(); err != nil {
			return nil, err
		}
	} else {
		if err := writeConfig(dir, refreshConfig(instances, true, false)); err != nil {
			return nil, err
		}
		if err := trackPlpgsql(extState, filepath.Join(dir, "terraform.tfstate")); err != nil {
			return nil, err
		}
	}
	plan := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", par}
	// Token requests are attributed to their process while their
	// connection is open: without latency it may close first, so the token
	// endpoint keeps its latency in the runs without.
	b.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Path: emulator.TokenPath, Latency: latency})
	base, err := b.terraform(ctx, dir, plan...)
	b.emu.ClearFaults()
	if err != nil {
		return nil, err
	}
	b.countTokens(base)
	if err := base.mustSucceed(); err != nil {
		return nil, fmt.Errorf("the plan without latency is not empty (exit 2 = changes): %w", err)
	}

	b.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: latency})
	defer b.emu.ClearFaults()
	rpcDir := filepath.Join(dir, "rpc-cpu")
	measured, err := b.withRPCDir(provider{b.providerBin, b.env}, rpcDir)
	if err != nil {
		return nil, err
	}
	r, err := b.terraformAt(ctx, measured, dir, plan...)
	if err != nil {
		return nil, err
	}
	b.countTokens(r)
	if err := r.mustSucceed(); err != nil {
		return nil, err
	}
	res := &refreshResult{
		Extensions: extensions, Instances: len(instances), Parallelism: b.opts.parallelism, Latency: latency,
		Wall: r.Wall, WallNoLat: base.Wall, Tokens: r.tokenRequests(), PeakKB: r.peakKB(),
		ProviderCPU: r.providerCPU(),
	}
	res.TFCPU = max(r.CPU-res.ProviderCPU, 0)
	if res.RPC, err = readRPCStats(rpcDir); err != nil {
		return nil, err
	}
	if res.Floor, err = b.floorPlan(ctx, dir, instances, extensions, plan); err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	perInstance := map[string]int{}
	var first, last time.Time
	for _, q := range r.Requests {
		if q.Path == emulator.TokenPath {
			continue
		}
		res.APICalls++
		if id, ok := strings.CutPrefix(q.Path, emulator.APIPrefix+"/databases/postgresql/"); ok {
			id, _, _ = strings.Cut(id, "/")
			perInstance[id]++
		}
		if first.IsZero() || q.Time.Before(first) {
			first = q.Time
		}
		if end := q.Time.Add(q.Duration); end.After(last) {
			last = end
		}
	}
	for _, n := range perInstance {
		res.MaxPerInst = max(res.MaxPerInst, n)
	}
	res.Window = last.Sub(first)
	res.Bound = time.Duration(res.APICalls) * latency / time.Duration(b.opts.parallelism)
	for pid, p := range r.ByProcess {
		if pid != 0 && p.APICalls > 0 {
			res.Procs++
			res.Conns += p.Conns
		}
	}
	return res, nil
}

// floorPlan runs the measured plan against the floor provider, on a copy
// of the state and the configuration of dir (without the import blocks).
func (b *bench) floorPlan(ctx context.Context, dir string, instances []seeded, extensions bool, plan []string) (*floorResult, error) {
	floorDir := dir + "-floor"
	if err := writeConfig(floorDir, refreshConfig(instances, extensions, false)); err != nil {
		return nil, err
	}
	st, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(floorDir, "terraform.tfstate"), st, 0o600); err != nil { //nolint:gosec // the bench's own working directory
		return nil, err
	}
	rpcDir := filepath.Join(floorDir, "rpc-cpu")
	floor, err := b.withRPCDir(b.floor, rpcDir)
	if err != nil {
		return nil, err
	}
	r, err := b.terraformAt(ctx, floor, floorDir, plan...)
	if err != nil {
		return nil, err
	}
	if err := r.mustSucceed(2); err != nil {
		return nil, err
	}
	res := &floorResult{Wall: r.Wall, ProviderCPU: r.providerCPU(), PeakKB: r.peakKB()}
	res.TFCPU = max(r.CPU-res.ProviderCPU, 0)
	res.RPC, err = readRPCStats(rpcDir)
	return res, err
}

// trackPlpgsql copies a state, recording in every instance that plpgsql
// (in every database) is a tracked extension.
func trackPlpgsql(from, to string) error {
	raw, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	resources, _ := st["resources"].([]any)
	for _, r := range resources {
		rm, _ := r.(map[string]any)
		insts, _ := rm["instances"].([]any)
		for _, in := range insts {
			im, _ := in.(map[string]any)
			if attrs, ok := im["attributes"].(map[string]any); ok {
				attrs["extensions"] = []any{map[string]any{"database": "postgres", "name": "plpgsql"}}
			}
		}
	}
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(to, out, 0o600)
}

// actionResult is one apply that waits for an ITCare action.
type actionResult struct {
	Op       string
	Duration time.Duration // the emulator's action duration
	Pending  string        // why it was not measured
	Lag      time.Duration // firstSeenCompletedAt − completedAt
	Wall     time.Duration // the terraform command
	Polls    int           // GET /actions/{id} of that action
}

// Limit is the lag target: 5% of the action's duration + 1 s.
func (a *actionResult) Limit() time.Duration { return a.Duration/20 + time.Second }

// actions creates, resizes and destroys one instance with actions of
// duration d, the latency on.
func (b *bench) actions(ctx context.Context, d time.Duration) ([]*actionResult, error) {
	b.emu.SetActionDuration(d)
	b.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: b.opts.latency})
	defer b.emu.ClearFaults()
	name := "benchact" + strings.ReplaceAll(d.String(), ".", "")
	dir := filepath.Join(b.work, name)
	steps := []struct {
		op, process, sizing string
		args                []string
	}{
		{"create", "POSTGRESQL_CREATE", "2cpu4gb", []string{"apply", "-auto-approve", "-input=false", "-no-color"}},
		{"resize", "POSTGRESQL_RESIZE", "4cpu8gb", []string{"apply", "-auto-approve", "-input=false", "-no-color"}},
		{"delete", "POSTGRESQL_DELETE", "4cpu8gb", []string{"destroy", "-auto-approve", "-input=false", "-no-color"}},
	}
	var out []*actionResult
	for _, s := range steps {
		if err := writeConfig(dir, actionConfig(name, s.sizing)); err != nil {
			return nil, err
		}
		r, err := b.terraform(ctx, dir, s.args...)
		if err != nil {
			return nil, err
		}
		b.countTokens(r)
		res := &actionResult{Op: s.op, Duration: d, Wall: r.Wall}
		out = append(out, res)
		if err := r.mustSucceed(); err != nil {
			if s.op == "resize" {
				// The resize needs the in-place update; without it the
				// instance keeps its size and can still be destroyed.
				res.Pending = firstError(r.Output)
				continue
			}
			return nil, err
		}
		a, ok := findAction(b.emu.Actions(), s.process, name)
		if !ok || a.CompletedAt == nil || a.FirstSeenCompletedAt == nil {
			return nil, fmt.Errorf("%s: no completed %s action on %s seen by a poll", s.op, s.process, name)
		}
		res.Lag = a.FirstSeenCompletedAt.Sub(*a.CompletedAt)
		poll := emulator.APIPrefix + "/actions/" + strconv.FormatInt(a.ID, 10)
		for _, q := range r.Requests {
			if q.Path == poll {
				res.Polls++
			}
		}
	}
	return out, nil
}

func findAction(list []emulator.Action, process, name string) (emulator.Action, bool) {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Process == process && list[i].ResourceName == name {
			return list[i], true
		}
	}
	return emulator.Action{}, false
}

// firstError is the first "Error: ..." line of terraform's output.
func firstError(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "Error: ") {
			return strings.TrimPrefix(l, "Error: ")
		}
	}
	return "terraform failed"
}

// tokenTally counts token requests per provider process over every run.
type tokenTally struct {
	PerProcess   []int // tokens of each process that called the API
	Unattributed int   // token requests whose process was not found
	Commands     int
}

func (b *bench) countTokens(r *tfRun) {
	b.tokens.Commands++
	for pid, p := range r.ByProcess {
		switch {
		case pid == 0:
			// Only tokens matter here: an API call's short-lived
			// connection may close before its owner is found.
			b.tokens.Unattributed += p.Tokens
		case p.Tokens > 0 || p.APICalls > 0:
			b.tokens.PerProcess = append(b.tokens.PerProcess, p.Tokens)
		}
	}
}
