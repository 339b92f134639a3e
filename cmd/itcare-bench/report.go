package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/rpccpu"
)

// machine describes where the figures come from.
type machine struct {
	CPUs      int
	CPUModel  string
	MemTotal  string
	OS        string
	Go        string
	Terraform string
	// LoadStart and LoadEnd are /proc/loadavg's 1-minute figure when the
	// run began and ended: above 0 before the bench starts anything, other
	// work was running.
	LoadStart, LoadEnd string
}

// loadAverage is the 1-minute load average of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func machineInfo(ctx context.Context, tfPath string) machine {
	m := machine{CPUs: runtime.NumCPU(), CPUModel: "unknown", MemTotal: "unknown", OS: runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if v, ok := procField(string(b), "model name"); ok {
			m.CPUModel = v
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb, ok := parseStatusKB(string(b), "MemTotal"); ok {
			m.MemTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`) + ", " + m.OS
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, tfPath, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil {
			m.Terraform = v.Version
		}
	}
	return m
}

// procField reads the first "key : value" line of a /proc file.
func procField(text, key string) (string, bool) {
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// startupResult is the timed provider start-ups.
type startupResult struct {
	Handshakes, Schemas []time.Duration
	SchemaBytes         int
}

// report is everything BENCHMARKS.md shows.
type report struct {
	Options   options
	Machine   machine
	Date      time.Time
	Elapsed   time.Duration
	Startup   *startupResult
	Refreshes []*refreshResult
	Actions   []*actionResult
	Tokens    tokenTally
}

// figure is one line of the results table.
type figure struct {
	Name, Measured, Target string
	// Pass is nil for a figure without a target.
	Pass *bool
}

func verdict(ok bool) *bool { return &ok }

// The peak memory targets: of the refreshes of -instances, and of the
// large one.
const (
	memoryLimitBytes      = 100_000_000
	largeMemoryLimitBytes = 150_000_000
)

// label names a refresh in the figures: extensions or not, and the size
// and latency of the large one.
func (f *refreshResult) label() string {
	l := "without extensions"
	if f.Extensions {
		l = "with extensions"
	}
	if f.Large {
		l += fmt.Sprintf(", %d instances at %v latency", f.Instances, f.Latency)
	}
	return l
}

// ProviderCPUPerInstance is the provider processes' CPU time per refreshed
// instance.
func (f *refreshResult) ProviderCPUPerInstance() time.Duration {
	return f.ProviderCPU / time.Duration(f.Instances)
}

// FloorCPUPerInstance is the floor provider's, for the same plan.
func (f *refreshResult) FloorCPUPerInstance() time.Duration {
	if f.Floor == nil {
		return 0
	}
	return f.Floor.ProviderCPU / time.Duration(f.Instances)
}

// windowLimit is the refresh window's target: 1.3 × the latency bound,
// 1.25 × for the large refresh.
func (f *refreshResult) windowLimit() (time.Duration, string) {
	if f.Large {
		return f.Bound * 5 / 4, "1.25"
	}
	return f.Bound * 13 / 10, "1.3"
}

func (r *report) figures() []figure {
	var out []figure
	for _, f := range r.Refreshes {
		name, limit := "API calls per refreshed instance, "+f.label(), 1.0
		if f.Extensions {
			limit = 2.0
		}
		out = append(out, figure{name,
			fmt.Sprintf("%.2f (%d calls, %d instances, at most %d on one)", f.CallsPerInstance(), f.APICalls, f.Instances, f.MaxPerInst),
			fmt.Sprintf("≤ %.0f", limit), verdict(f.CallsPerInstance() <= limit && float64(f.MaxPerInst) <= limit)})
	}
	for _, a := range r.Actions {
		name := fmt.Sprintf("Completion lag, %s, %v action", a.Op, a.Duration)
		if a.Pending != "" {
			out = append(out, figure{name, "pending: " + a.Pending, "≤ " + seconds(a.Limit()), nil})
			continue
		}
		out = append(out, figure{name, fmt.Sprintf("%s (%d polls)", seconds(a.Lag), a.Polls),
			"≤ " + seconds(a.Limit()) + " (5% + 1 s)", verdict(a.Lag <= a.Limit())})
		out = append(out, figure{fmt.Sprintf("Apply wall time ÷ action duration, %s, %v action", a.Op, a.Duration),
			fmt.Sprintf("%.2f (%s)", a.Wall.Seconds()/a.Duration.Seconds(), seconds(a.Wall)), "reported", nil})
	}
	t := r.Tokens
	minT, maxT := 0, 0
	for i, n := range t.PerProcess {
		if i == 0 || n < minT {
			minT = n
		}
		maxT = max(maxT, n)
	}
	out = append(out, figure{"Token requests per provider process",
		fmt.Sprintf("%d to %d, over %d processes that called the API in %d terraform commands (%d token requests not attributed)",
			minT, maxT, len(t.PerProcess), t.Commands, t.Unattributed),
		"exactly 1", verdict(len(t.PerProcess) > 0 && minT == 1 && maxT == 1 && t.Unattributed == 0)})
	for _, f := range r.Refreshes {
		if f.Extensions {
			continue
		}
		limit, factor := f.windowLimit()
		out = append(out, figure{fmt.Sprintf("Refresh of %d instances at -parallelism=%d, %v latency", f.Instances, f.Parallelism, f.Latency),
			fmt.Sprintf("%s (whole terraform plan: %s; %s without latency)", seconds(f.Window), seconds(f.Wall), seconds(f.WallNoLat)),
			fmt.Sprintf("≤ %s × %s = %s", factor, seconds(f.Bound), seconds(limit)), verdict(f.Window <= limit)})
	}
	for _, f := range r.Refreshes {
		if f.Floor == nil {
			continue
		}
		ours, floor := f.ProviderCPUPerInstance(), f.FloorCPUPerInstance()
		out = append(out, figure{"Provider CPU time per refreshed instance, " + f.label(),
			fmt.Sprintf("%s (floor %s: %.2f ×)", millis(ours), millis(floor), float64(ours)/float64(max(floor, 1))),
			"≤ 1.25 × the floor's", verdict(ours*4 <= floor*5)})
	}
	if s := r.Startup; s != nil {
		out = append(out, figure{"Provider start-up to schema served (median)",
			fmt.Sprintf("%s (handshake %s)", millis(median(s.Schemas)), millis(median(s.Handshakes))), "reported", nil})
	}
	var peak int64
	for _, f := range r.Refreshes {
		if f.Large {
			out = append(out, figure{fmt.Sprintf("Provider peak memory (VmHWM) during the refresh of %d instances", f.Instances),
				megabytes(f.PeakKB), "< 150 MB", verdict(f.PeakKB > 0 && f.PeakKB*1024 < largeMemoryLimitBytes)})
			continue
		}
		peak = max(peak, f.PeakKB)
	}
	out = append(out, figure{"Provider peak memory (VmHWM) during the refreshes of " + strconv.Itoa(r.Options.instances) + " instances",
		megabytes(peak), "< 100 MB", verdict(peak > 0 && peak*1024 < memoryLimitBytes)})
	return out
}

func megabytes(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb*1024)/1e6) }

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func millis(d time.Duration) string  { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func mark(p *bool) string {
	switch {
	case p == nil:
		return "—"
	case *p:
		return "pass"
	default:
		return "**FAIL**"
	}
}

func (r *report) table() string {
	var sb strings.Builder
	sb.WriteString("| Figure | Measured | Target | Result |\n|---|---|---|---|\n")
	for _, f := range r.figures() {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", f.Name, escape(f.Measured), f.Target, mark(f.Pass))
	}
	return sb.String()
}

func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// summary is what the command prints.
func (r *report) summary() string { return r.table() }

func (r *report) markdown() string {
	var sb strings.Builder
	o := r.Options
	m := r.Machine
	fmt.Fprintf(&sb, `# Benchmarks

Figures from one run of `+"`make bench`"+` on the machine below, on %s
(the run took %s). They are measurements on one machine: other load on it
shows in the wall times (not in the call and token counts), and less in
the CPU times, which is why the provider is judged by its CPU time beside
the floor's, measured in the same run.

## Machine

| | |
|---|---|
| CPUs (nproc) | %d |
| CPU model | %s |
| Memory | %s |
| OS | %s |
| Go | %s |
| Terraform | %s |
| Load average (1 min) when the run began / ended | %s / %s |

## Results

Emulator latency %v on every request (API and token endpoint);
`+"`terraform plan`"+` refreshes %d instances at `+"`-parallelism=%d`"+`; the
create, resize and delete runs use actions of %s.%s

`, r.Date.Format("2006-01-02 15:04 UTC"), r.Elapsed.Round(time.Second), m.CPUs, m.CPUModel, m.MemTotal, m.OS, m.Go, m.Terraform, m.LoadStart, m.LoadEnd,
		o.latency, o.instances, o.parallelism, joinDurations(o.durations), r.largeIntro())
	sb.WriteString(r.table())

	sb.WriteString("\n## Details\n\n### Refresh (`terraform plan`, nothing to change)\n\n")
	sb.WriteString("|")
	for _, f := range r.Refreshes {
		fmt.Fprintf(&sb, " | %s", capitalize(f.label()))
	}
	sb.WriteString(" |\n|---|" + strings.Repeat("---|", len(r.Refreshes)) + "\n")
	rows := []struct {
		name string
		f    func(*refreshResult) string
	}{
		{"Instances", func(f *refreshResult) string { return fmt.Sprint(f.Instances) }},
		{"API calls (token requests excluded)", func(f *refreshResult) string { return fmt.Sprint(f.APICalls) }},
		{"API calls per instance", func(f *refreshResult) string { return fmt.Sprintf("%.2f", f.CallsPerInstance()) }},
		{"Token requests", func(f *refreshResult) string { return fmt.Sprint(f.Tokens) }},
		{"Refresh window (first request sent → last answered)", func(f *refreshResult) string { return seconds(f.Window) }},
		{"Bound: calls × latency ÷ parallelism", func(f *refreshResult) string { return seconds(f.Bound) }},
		{"Window ÷ bound", func(f *refreshResult) string { return fmt.Sprintf("%.2f", f.Window.Seconds()/f.Bound.Seconds()) }},
		{"Whole `terraform plan`, with latency", func(f *refreshResult) string { return seconds(f.Wall) }},
		{"Whole `terraform plan`, without latency", func(f *refreshResult) string { return seconds(f.WallNoLat) }},
		{"CPU time: terraform / provider processes", func(f *refreshResult) string {
			return fmt.Sprintf("%s / %s", seconds(f.TFCPU), seconds(f.ProviderCPU))
		}},
		{"CPU floor: that CPU time ÷ CPUs", func(f *refreshResult) string { return seconds(r.cpuFloor(f)) }},
		{"Provider CPU time per instance", func(f *refreshResult) string { return millis(f.ProviderCPUPerInstance()) }},
		{"Floor: CPU time terraform / provider processes", func(f *refreshResult) string {
			if f.Floor == nil {
				return "—"
			}
			return fmt.Sprintf("%s / %s", seconds(f.Floor.TFCPU), seconds(f.Floor.ProviderCPU))
		}},
		{"Floor: provider CPU time per instance", func(f *refreshResult) string { return millis(f.FloorCPUPerInstance()) }},
		{"Provider CPU ÷ the floor's", func(f *refreshResult) string {
			return fmt.Sprintf("%.2f", float64(f.ProviderCPUPerInstance())/float64(max(f.FloorCPUPerInstance(), 1)))
		}},
		{"Provider processes that called the API", func(f *refreshResult) string { return fmt.Sprint(f.Procs) }},
		{"Connections they opened", func(f *refreshResult) string { return fmt.Sprint(f.Conns) }},
		{"Provider peak memory (VmHWM)", func(f *refreshResult) string { return megabytes(f.PeakKB) }},
		{"Floor: provider peak memory (VmHWM)", func(f *refreshResult) string {
			if f.Floor == nil {
				return "—"
			}
			return megabytes(f.Floor.PeakKB)
		}},
	}
	for _, row := range rows {
		fmt.Fprintf(&sb, "| %s |", row.name)
		for _, f := range r.Refreshes {
			fmt.Fprintf(&sb, " %s |", row.f(f))
		}
		sb.WriteString("\n")
	}

	for _, f := range r.Refreshes {
		if limit, _ := f.windowLimit(); !f.Extensions && f.Window > limit && r.cpuFloor(f) > limit {
			floorTF, floorPer := "—", "—"
			if f.Floor != nil {
				floorTF, floorPer = seconds(f.Floor.TFCPU), millis(f.FloorCPUPerInstance())
			}
			fmt.Fprintf(&sb, cpuBoundText, seconds(f.TFCPU+f.ProviderCPU), r.Machine.CPUs, seconds(r.cpuFloor(f)), seconds(limit),
				seconds(max(f.Wall-f.WallNoLat, 0)), seconds(f.Bound), f.Instances, f.Latency, floorTF, floorPer,
				millis(f.ProviderCPUPerInstance()))
		}
	}
	sb.WriteString(r.memoryText())
	sb.WriteString(r.rpcTable())

	sb.WriteString("\n### Applies that wait for an action\n\n")
	sb.WriteString("| Operation | Action duration | Lag (first poll seeing it done − completion) | Target | Polls of the action | Wall time of the command | Wall ÷ duration |\n|---|---|---|---|---|---|---|\n")
	for _, a := range r.Actions {
		if a.Pending != "" {
			fmt.Fprintf(&sb, "| %s | %v | pending: %s | ≤ %s | | | |\n", a.Op, a.Duration, escape(a.Pending), seconds(a.Limit()))
			continue
		}
		fmt.Fprintf(&sb, "| %s | %v | %s | ≤ %s | %d | %s | %.2f |\n", a.Op, a.Duration, seconds(a.Lag), seconds(a.Limit()),
			a.Polls, seconds(a.Wall), a.Wall.Seconds()/a.Duration.Seconds())
	}

	if s := r.Startup; s != nil {
		fmt.Fprintf(&sb, `
### Provider start-up

%d start-ups: handshake median %s (min %s, max %s); schema served median %s
(min %s, max %s); the schema answer is %d bytes.
`, len(s.Schemas), millis(median(s.Handshakes)), millis(minOf(s.Handshakes)), millis(maxOf(s.Handshakes)),
			millis(median(s.Schemas)), millis(minOf(s.Schemas)), millis(maxOf(s.Schemas)), s.SchemaBytes)
	}

	sb.WriteString(methodText)
	return sb.String()
}

func (r *report) largeIntro() string {
	for _, f := range r.Refreshes {
		if f.Large {
			return fmt.Sprintf(" The large refresh plans %d instances with %v latency on every request, at the same parallelism.",
				f.Instances, f.Latency)
		}
	}
	return ""
}

// memoryText explains the provider's peak memory beside the floor's, from
// the refresh with the most instances that was also planned on the floor.
func (r *report) memoryText() string {
	var f *refreshResult
	for _, g := range r.Refreshes {
		if g.Floor != nil && g.Floor.PeakKB > 0 && (f == nil || g.Instances > f.Instances) {
			f = g
		}
	}
	if f == nil {
		return ""
	}
	return fmt.Sprintf(memoryTextFormat, f.Instances, megabytes(f.Floor.PeakKB), megabytes(f.PeakKB))
}

// cpuFloor is the refresh's CPU time spread over every CPU: no schedule
// can finish it sooner.
func (r *report) cpuFloor(f *refreshResult) time.Duration {
	return (f.TFCPU + f.ProviderCPU) / time.Duration(max(r.Machine.CPUs, 1))
}

// rpcTable is the provider CPU time per instance of each RPC, ours beside
// the floor's, for every refresh.
func (r *report) rpcTable() string {
	var sb strings.Builder
	sb.WriteString(rpcIntro)
	sb.WriteString("| RPC |")
	for _, f := range r.Refreshes {
		fmt.Fprintf(&sb, " %s: ours | floor |", capitalize(f.label()))
	}
	sb.WriteString("\n|---|" + strings.Repeat("---|---|", len(r.Refreshes)) + "\n")
	cell := func(f *refreshResult, st rpcStats, rpc string) string {
		v, ok := st[rpc]
		if !ok {
			return "—"
		}
		return fmt.Sprintf("%s (%.0f calls)", millis2(v.CPU/time.Duration(f.Instances)), float64(v.Calls)/float64(f.Instances))
	}
	for _, rpc := range []string{rpccpu.Validate, rpccpu.Upgrade, rpccpu.Read, rpccpu.Plan} {
		fmt.Fprintf(&sb, "| %s |", rpc)
		for _, f := range r.Refreshes {
			var floor rpcStats
			if f.Floor != nil {
				floor = f.Floor.RPC
			}
			fmt.Fprintf(&sb, " %s | %s |", cell(f, f.RPC, rpc), cell(f, floor, rpc))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("| Outside these RPCs (gRPC, start-up, background GC) |")
	for _, f := range r.Refreshes {
		floor := "—"
		if f.Floor != nil {
			floor = millis2(max(f.Floor.ProviderCPU-f.Floor.RPC.total(), 0) / time.Duration(f.Instances))
		}
		fmt.Fprintf(&sb, " %s | %s |", millis2(max(f.ProviderCPU-f.RPC.total(), 0)/time.Duration(f.Instances)), floor)
	}
	sb.WriteString("\n")
	return sb.String()
}

// millis2 is millis with two decimals, for the per-RPC figures.
func millis2(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const rpcIntro = `
#### Provider CPU time per instance, per RPC, beside the floor

The floor is the same schema served by a resource that does no work: Read
keeps the prior state; no ValidateConfig, no ModifyPlan, no validators,
plan modifiers or defaults (` + "`cmd/itcare-bench/floor`" + `). Terraform plans
the same configuration and state against it (no API calls), at the same
parallelism. What the floor spends is terraform-plugin-framework's own
minimum for this schema, served as the framework ships it. Each figure is the CPU time of the calls to that
RPC, divided by the instances (and the calls per instance): validation runs
twice per instance, in the provider process of the validation and in that
of the plan. The time outside them is the process's total minus the calls'.

`

const memoryTextFormat = `
Peak memory grows with the instances when terraform-plugin-framework is
served as it ships: at %[1]d instances the floor peaked at %[2]s, the
provider at %[3]s. terraform-plugin-framework v1.19.0 keeps the
cancel function of every request's context until StopProvider, which
terraform sends only when interrupted (internal/proto6server,
registerContext, added by the fix of hashicorp/terraform-plugin-framework#781),
and with it the whole context: about 10 KB per RPC, four RPCs per instance
in a plan. No upstream report of it was found. The provider serves its
per-instance RPCs through ` + "`internal/rpcctx`" + `, which hands the framework a
context that lets go of the request's when the RPC returns; the floor
does not, to show the framework as it ships.
`

const cpuBoundText = `
The refresh target of %[7]d instances at %[8]v latency is out of reach on
this machine, and not because of the API: the injected latency added %[5]s
to the whole plan (with latency − without), but terraform and the provider
spent %[1]s of CPU on the plan, which takes at least %[3]s on %[2]d CPUs
before any latency, above the %[4]s target (the latency bound %[6]s assumes
the client costs nothing). The floor shows where that CPU goes: terraform
spends %[9]s on the same plan against a provider that does no work, and
that provider %[10]s per instance against our %[11]s. Most of it is
terraform-plugin-framework's per-request handling of this schema: every
walk over the attributes (defaults, write-only values, plan modifiers,
semantic equality) looks each attribute up by path, and each path step
rebuilds the schema's attribute map (the cost of these walks, worst with
sets, is hashicorp/terraform-plugin-framework#775, open); reflection into
and out of a model compiles a regular expression per field
(hashicorp/terraform-plugin-framework#725, open: Read avoids it with a
codec of its own); garbage collection is the rest. Below the floor, only
fewer requests or a smaller schema would help. The provider's own work per instance (one HTTP
call, the decode and the flatten) is tens of microseconds
(` + "`make bench-go`" + `).
`

const methodText = `
## How each figure is measured

- **Setup.** ` + "`cmd/itcare-bench`" + ` builds the provider, serves the
  emulator (` + "`internal/emulator`" + `) in-process on a loopback port and
  runs the ` + "`terraform`" + ` on PATH against the build through
  ` + "`dev_overrides`" + ` in a CLI configuration of its own. The provider
  runs with its defaults (no ` + "`ITCARE_POLL_INTERVAL_MAX`" + `: polls are
  capped at 30 s, as for users). A latency fault delays every request,
  token requests included.
- **API calls per instance.** The instances are seeded in the emulator
  and imported; a ` + "`terraform plan -detailed-exitcode`" + ` without latency
  must then report no changes, so the measured plan is a pure refresh. The
  emulator's request log of the measured plan gives the calls; every
  non-token request counts, whatever its path. With extensions, the state
  of the first run is copied with ` + "`plpgsql`" + ` tracked in every instance
  (an import cannot record extensions).
- **Completion lag.** The emulator records when each action completed
  and when a poll first saw it completed; the lag is the difference. The
  wall time is that of the whole ` + "`terraform apply`" + ` or
  ` + "`terraform destroy`" + ` (plan, refresh and provider start-ups
  included).
- **Token requests per provider process.** Terraform starts several
  provider processes per command. The bench finds the process that owns the
  client end of each connection to the emulator (` + "`/proc/net/tcp`" + ` and
  the processes' file descriptors) and counts token requests per process,
  over every terraform command of the run.
- **Refresh time.** The window runs from the first API request of the
  measured plan to the end of the last answer (emulator timestamps): it is
  what the latency bound is about. The whole command's wall time, which adds
  terraform's start-up and graph walk, is shown beside it.
- **Start-up to schema served.** The provider binary is started as
  terraform starts it (magic cookie, protocol 6); the time runs from the
  exec to the plugin handshake line, then to the answer of
  ` + "`GetProviderSchema`" + ` over gRPC. Timing ` + "`terraform providers schema`" + `
  instead would add terraform's own start-up, which the provider cannot
  change.
- **Floor and CPU per RPC.** ` + "`cmd/itcare-bench/floor`" + ` serves
  ` + "`itcare_postgresql`" + ` with the real schema stripped of validators, plan
  modifiers and defaults, and a resource that does no work. After each
  measured plan, the same configuration and state are planned against it
  (through its own ` + "`dev_overrides`" + `). In both, the provider processes
  record the CPU time of each validate, upgrade, read and plan call
  (` + "`internal/rpccpu`" + `: the call's thread CPU clock, the goroutine locked to
  its thread; enabled by ` + "`ITCARE_BENCH_RPC_CPU_DIR`" + `, which the bench sets
  for these plans only). CPU times per process come from
  ` + "`/proc/<pid>/stat`" + `.
- **Peak memory.** The provider processes that terraform starts are
  polled every 20 ms for ` + "`VmHWM`" + ` (the kernel's high-water mark of the
  resident set) in ` + "`/proc/<pid>/status`" + ` during the measured plans.

## Reproduce

` + "```sh" + `
make bench      # this report: go run ./cmd/itcare-bench
make bench-go   # unit benchmarks of the mapping and plan functions
` + "```" + `

` + "`go run ./cmd/itcare-bench -h`" + ` lists the settings (latency, number of
instances, parallelism, action durations, the large refresh;
` + "`-actions=false`" + ` runs the refreshes only, ` + "`-keep -profile`" + ` keeps a CPU
profile of each measured provider process, and one of what its heap still
holds when it stops). It needs Go, the ` + "`terraform`" + `
binary on PATH and Linux (` + "`/proc`" + `); it runs offline.
`

func joinDurations(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, " and ")
}

func minOf(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func maxOf(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
