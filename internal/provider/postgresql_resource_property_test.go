package provider_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// Property: whatever configuration validate and plan accept applies, and
// reads back equal: no "inconsistent result after apply", and the plan
// after the apply is empty. make test runs a few configurations with a
// fixed seed; make fuzz runs many, with ITCARE_PROPERTY_SEED and
// ITCARE_PROPERTY_CONFIGS.
func TestAccPostgreSQL_acceptedMeansApplied(t *testing.T) {
	seed := envUint(t, "ITCARE_PROPERTY_SEED", 1)
	n := int(envUint(t, "ITCARE_PROPERTY_CONFIGS", 8))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	e := acctest.NewEmulator(t)
	src := propertyRestoreSource(t, e)
	var hcl strings.Builder
	hcl.WriteString(acctest.RequiredProviders() + e.ProviderConfig())
	configs := make([]string, n)
	for i := range n {
		configs[i] = strings.Replace(pgHCL(fmt.Sprintf("pgprop%d%d", seed%1000, i), randomArguments(rng, src)),
			`"itcare_postgresql" "db"`, fmt.Sprintf(`"itcare_postgresql" "p%d"`, i), 1)
		hcl.WriteString("\n" + configs[i])
	}
	run := acctest.NewTerraformRun(t, hcl.String(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("seed %d: apply of accepted configurations failed: %v\nconfigurations:\n%s", seed, err, strings.Join(configs, "\n"))
	}
	run.Stdout.Reset()
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("seed %d: plan after apply: changes %v, err %v\n%s\nconfigurations:\n%s", seed, changes, err, run.Stdout, strings.Join(configs, "\n"))
	}
	if err := run.Destroy(ctx); err != nil {
		t.Fatalf("seed %d: destroy: %v", seed, err)
	}
}

// propertyRestoreSource seeds a backed-up PostgreSQL 15 instance, a month
// old, for the configurations that restore from it.
func propertyRestoreSource(t *testing.T, e *acctest.Emulator) int64 {
	t.Helper()
	inst, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgpropsrc"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "SRC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE", "backupEnabled": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateInstance(inst.ID, map[string]any{"creationTime": time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	return inst.ID
}

// randomArguments draws the arguments of one instance from what the
// reference page allows, written as a user may write them: optional ones
// set or left out, trigrams in any case, timestamps in any RFC 3339
// notation, either password attribute.
func randomArguments(rng *rand.Rand, restoreSource int64) map[string]string {
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	coin := func() bool { return rng.IntN(2) == 0 }
	letters := func(alphabet string, shortest, longest int) string {
		b := make([]byte, shortest+rng.IntN(longest-shortest+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	version := 10 + rng.IntN(8)
	restoring := rng.IntN(4) == 0
	if restoring {
		version = 15 // the source's
	}
	a := map[string]string{
		"trigram":     strconv.Quote(letters("abcXYZ", 3, 3)),
		"node_sizing": strconv.Quote(fmt.Sprintf("%scpu%sgb", pick("1", "2", "4", "8"), pick("2", "4", "8", "16"))),
		"disk_size":   strconv.Itoa(40 + rng.IntN(985)),
		"version":     strconv.Quote(strconv.Itoa(version)),
	}
	if version >= 12 && coin() {
		a["topology"] = `"HA"`
		a["node_prefix"] = strconv.Quote(letters("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 5, 12))
		a["availability_zone"] = `"EB-QA-A"`
	} else if coin() {
		a["topology"] = `"STANDALONE"`
	}
	optional := map[string]func() string{
		"allowed_replication_lag": func() string { return strconv.Itoa(1 + rng.IntN(10240)) },
		"tls":                     func() string { return pick("true", "false") },
		"monitoring_enabled":      func() string { return pick("true", "false") },
		"power_state":             func() string { return pick(`"running"`, `"stopped"`) },
		"backup_enabled":          func() string { return pick("true", "false") },
	}
	names := make([]string, 0, len(optional))
	for k := range optional {
		names = append(names, k)
	}
	sort.Strings(names) // map order must not change what a seed draws
	for _, k := range names {
		if coin() {
			a[k] = optional[k]()
		}
	}
	if a["monitoring_enabled"] != "false" && coin() {
		a["on_call_supervision"] = pick("true", "false")
	}
	standalone := a["topology"] != `"HA"`
	switch rng.IntN(4) {
	case 1:
		a["patch_party"] = `{ excluded = false }`
	case 2:
		a["patch_party"] = `{ excluded = true, exclusion_reason = "patched by the team" }`
	case 3:
		if standalone {
			a["patch_party"] = fmt.Sprintf(`{ patch_group = %q }`, pick("1", "2", "3"))
		}
	}
	if coin() {
		var ts []string
		for _, k := range []string{"create", "update", "delete"} {
			if coin() {
				ts = append(ts, fmt.Sprintf("%s = %q", k, pick("45m", "2h", "90m", "3h30m")))
			}
		}
		a["timeouts"] = "{ " + strings.Join(ts, ", ") + " }"
	}
	if coin() {
		a["adm_password_wo"], a["adm_password_wo_version"], a["adm_password"] = "", "", `"Str0ng!Passw0rd"`
	}
	if restoring {
		point := time.Now().Add(-time.Duration(1+rng.IntN(50)) * time.Minute)
		ts := pick(point.UTC().Format(time.RFC3339), point.In(time.FixedZone("CET", 3600)).Format(time.RFC3339),
			point.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		a["restore"] = fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = %q }`, restoreSource, ts, pick("BEFORE", "AFTER"))
	}
	if version >= 15 && coin() {
		var ext []string
		for _, e := range []string{"pg_trgm", "hstore", "citext"} {
			if coin() {
				ext = append(ext, fmt.Sprintf(`{ database = "postgres", name = %q }`, e))
			}
		}
		a["extensions"] = "[" + strings.Join(ext, ", ") + "]"
	}
	return a
}

func envUint(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		t.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}
