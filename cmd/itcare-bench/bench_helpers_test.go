package main

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

func TestParseHandshake(t *testing.T) {
	network, addr, err := parseHandshake("1|6|unix|/tmp/plugin123|grpc|\n")
	if err != nil || network != "unix" || addr != "/tmp/plugin123" {
		t.Errorf("got %q %q %v", network, addr, err)
	}
	for _, bad := range []string{"", "1|5|unix|/tmp/p|grpc|", "1|6|tcp|127.0.0.1:1|netrpc|", "garbage"} {
		if _, _, err := parseHandshake(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The client end of a loopback connection is the row whose local port is
// the client's and remote port the server's; the server end has them
// swapped and must not match.
func TestFindSocketInode(t *testing.T) {
	const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:A3C2 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:A3C2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1
`
	if got := findSocketInode(bufio.NewScanner(strings.NewReader(procNetTCP)), 0xA3C2, 0x1F90); got != "333" {
		t.Errorf("inode = %q, want 333", got)
	}
	if got := findSocketInode(bufio.NewScanner(strings.NewReader(procNetTCP)), 0xA3C3, 0x1F90); got != "" {
		t.Errorf("inode of an unknown port = %q", got)
	}
}

func TestParseProcFiles(t *testing.T) {
	status := "Name:\tterraform-provi\nVmPeak:\t  812345 kB\nVmHWM:\t   35240 kB\nVmRSS:\t   30000 kB\n"
	if kb, ok := parseStatusKB(status, "VmHWM"); !ok || kb != 35240 {
		t.Errorf("VmHWM = %d, %v", kb, ok)
	}
	if _, ok := parseStatusKB(status, "VmSwap"); ok {
		t.Error("missing key found")
	}
	// A command name with spaces and parentheses must not shift the fields.
	stat := "4242 (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 9 0 1234 0 0"
	if cpu, ok := parseStatCPU(stat); !ok || cpu != 1750*time.Millisecond {
		t.Errorf("cpu = %v, %v; want 1.75s", cpu, ok)
	}
}

func TestRefreshConfig(t *testing.T) {
	in := []seeded{{ID: 500061854, Name: "benchpg000"}, {ID: 500061855, Name: "benchpg001"}}
	hcl := refreshConfig(in, true, true)
	for _, want := range []string{`resource "itcare_postgresql" "pg001"`, `name        = "benchpg001"`,
		`to = itcare_postgresql.pg000`, `id = "500061855"`, `name = "plpgsql"`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("config lacks %q", want)
		}
	}
	if hcl := refreshConfig(in, false, false); strings.Contains(hcl, "import {") || strings.Contains(hcl, "extensions") {
		t.Errorf("unwanted import or extensions:\n%s", hcl)
	}
}

func TestFiguresVerdicts(t *testing.T) {
	r := &report{
		Options: options{instances: 200},
		Refreshes: []*refreshResult{
			{Instances: 200, APICalls: 200, MaxPerInst: 1, Parallelism: 10, Latency: 20 * time.Millisecond,
				Window: 500 * time.Millisecond, Bound: 400 * time.Millisecond, PeakKB: 40_000,
				ProviderCPU: 2 * time.Second, Floor: &floorResult{ProviderCPU: 1600 * time.Millisecond}},
			{Extensions: true, Instances: 200, APICalls: 401, MaxPerInst: 3, PeakKB: 120_000,
				ProviderCPU: 3 * time.Second, Floor: &floorResult{ProviderCPU: 2 * time.Second}},
			{Large: true, Instances: 1000, APICalls: 1000, MaxPerInst: 1, Parallelism: 10, Latency: 100 * time.Millisecond,
				Window: 13 * time.Second, Bound: 10 * time.Second, PeakKB: 140_000},
		},
		Actions: []*actionResult{
			{Op: "create", Duration: 20 * time.Second, Lag: 1900 * time.Millisecond, Wall: 22 * time.Second},
			{Op: "delete", Duration: 20 * time.Second, Lag: 2100 * time.Millisecond, Wall: 22 * time.Second},
			{Op: "resize", Duration: 20 * time.Second, Pending: "not supported"},
		},
		Tokens: tokenTally{PerProcess: []int{1, 1, 2}, Commands: 3},
	}
	got := map[string]string{}
	for _, f := range r.figures() {
		got[f.Name] = mark(f.Pass)
	}
	for name, want := range map[string]string{
		"API calls per refreshed instance, without extensions":                                  "pass",
		"API calls per refreshed instance, with extensions":                                     "**FAIL**",
		"Completion lag, create, 20s action":                                                    "pass",
		"Completion lag, delete, 20s action":                                                    "**FAIL**",
		"Completion lag, resize, 20s action":                                                    "—",
		"Token requests per provider process":                                                   "**FAIL**",
		"Refresh of 200 instances at -parallelism=10, 20ms latency":                             "pass",
		"Provider peak memory (VmHWM) during the refreshes of 200 instances":                    "**FAIL**",
		"API calls per refreshed instance, without extensions, 1000 instances at 100ms latency": "pass",
		"Refresh of 1000 instances at -parallelism=10, 100ms latency":                           "**FAIL**",
		"Provider peak memory (VmHWM) during the refresh of 1000 instances":                     "pass",
		"Provider CPU time per refreshed instance, without extensions":                          "pass",
		"Provider CPU time per refreshed instance, with extensions":                             "**FAIL**",
	} {
		if got[name] != want {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
}

func TestMemoryTextUsesTheLargestRefreshOnTheFloor(t *testing.T) {
	r := &report{Refreshes: []*refreshResult{
		{Instances: 200, PeakKB: 30_000, Floor: &floorResult{PeakKB: 60_000}},
		{Instances: 1000, PeakKB: 40_000, Floor: &floorResult{PeakKB: 180_000}},
		{Instances: 5000, PeakKB: 50_000}, // not planned on the floor
	}}
	got := r.memoryText()
	for _, want := range []string{"at 1000 instances", "184.3 MB", "41.0 MB", "terraform-plugin-framework#781"} {
		if !strings.Contains(got, want) {
			t.Errorf("memory text lacks %q:\n%s", want, got)
		}
	}
	if (&report{Refreshes: []*refreshResult{{Instances: 200, PeakKB: 30_000}}}).memoryText() != "" {
		t.Error("a memory text without a floor to compare with")
	}
}
