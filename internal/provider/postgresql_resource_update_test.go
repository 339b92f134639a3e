package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// skipUnlessAcc skips an acceptance test before it starts an emulator,
// which a skipped resource.ParallelTest would leave unused.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// normalJSON re-encodes a JSON document with sorted keys, so that bodies
// compare by content.
func normalJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "<invalid JSON " + s + ">"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// patchBodies returns the bodies of the PATCH requests the emulator
// answered with the given status (0: any) since its log was last reset.
func patchBodies(e *acctest.Emulator, status int) []string {
	var out []string
	for _, w := range e.Writes() {
		if w.Method == http.MethodPatch && (status == 0 || w.Status == status) {
			out = append(out, normalJSON(w.Body))
		}
	}
	return out
}

// expectPatches checks that the writes since the log was last reset are
// exactly these PATCH bodies, in this order, every one accepted.
func expectPatches(e *acctest.Emulator, bodies ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := make([]string, len(bodies))
		for i, b := range bodies {
			want[i] = normalJSON(b)
		}
		var got []string
		for _, w := range e.Writes() {
			if w.Method != http.MethodPatch {
				return fmt.Errorf("unexpected write %s %s", w.Method, w.Path)
			}
			if w.Status != http.StatusAccepted && w.Status != http.StatusOK {
				return fmt.Errorf("PATCH %s answered %d", w.Body, w.Status)
			}
			got = append(got, normalJSON(w.Body))
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("PATCH bodies\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		return nil
	}
}

// inPlaceStep is one in-place change: the plan updates (never replaces),
// the emulator receives exactly the given PATCH bodies, and the plan
// after apply is empty.
func inPlaceStep(e *acctest.Emulator, hcl string, state map[string]knownvalue.Check, bodies ...string) resource.TestStep {
	return resource.TestStep{
		PreConfig: e.ResetRequests,
		Config:    e.Config(hcl),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: expectValues(pgAddr, state),
		Check:             expectPatches(e, bodies...),
	}
}

// settable are the arguments an operation changes.
var settable = []string{"power_state", "version", "node_sizing", "topology", "allowed_replication_lag",
	"monitoring_enabled", "on_call_supervision", "patch_party", "extensions"}

// expectChanges checks which operation-settled arguments a plan changes.
type expectChanges struct {
	addr string
	want []string
}

func (c expectChanges) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var got []string
		for _, a := range settable {
			b, aft := before[a], after[a]
			if a == "patch_party" {
				b, aft = argsOf(b), argsOf(aft)
			}
			if !reflect.DeepEqual(b, aft) || unknown[a] == true {
				got = append(got, a)
			}
		}
		want := append([]string(nil), c.want...)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			resp.Error = fmt.Errorf("plan changes %v, want %v", got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in the plan", c.addr)
}

// argsOf keeps the arguments of a patch_party value.
func argsOf(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	return map[string]any{"excluded": m["excluded"], "patch_group": m["patch_group"], "exclusion_reason": m["exclusion_reason"]}
}

func TestAccPostgreSQL_updateSizingAndMonitoring(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccsize")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			inPlaceStep(e, pgHCL(name, map[string]string{"node_sizing": `"4cpu8gb"`}),
				map[string]knownvalue.Check{"node_sizing": knownvalue.StringExact("4cpu8gb"), "cpu": knownvalue.Int64Exact(4), "ram": knownvalue.Int64Exact(8), "status": knownvalue.StringExact("ACTIVE")},
				`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`),
			inPlaceStep(e, pgHCL(name, map[string]string{"node_sizing": `"4cpu8gb"`, "monitoring_enabled": "false"}),
				map[string]knownvalue.Check{"monitoring_enabled": knownvalue.Bool(false), "on_call_supervision": knownvalue.Bool(false)},
				`{"operation":"update_monitoring","options":{"state":false,"on_call":false}}`),
			inPlaceStep(e, pgHCL(name, map[string]string{"node_sizing": `"4cpu8gb"`, "monitoring_enabled": "false", "on_call_supervision": "true"}),
				map[string]knownvalue.Check{"monitoring_enabled": knownvalue.Bool(false), "on_call_supervision": knownvalue.Bool(true)},
				`{"operation":"update_monitoring","options":{"state":false,"on_call":true}}`),
		},
	})
}

func TestAccPostgreSQL_updatePatchPartyAndExtensions(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccpp")
	exts := func(items ...string) string {
		parts := make([]string, len(items))
		for i, it := range items {
			db, ext, _ := strings.Cut(it, "/")
			parts[i] = fmt.Sprintf("{ database = %q, name = %q }", db, ext)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	included := map[string]string{"patch_party": `{ excluded = false, patch_group = "2" }`}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range included {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			inPlaceStep(e, pgHCL(name, map[string]string{"patch_party": `{ excluded = true, exclusion_reason = "legacy application" }`}),
				map[string]knownvalue.Check{"patch_party": knownvalue.ObjectPartial(withChecks(exclusionChecks(e, name), map[string]knownvalue.Check{
					"excluded": knownvalue.Bool(true), "exclusion_reason": knownvalue.StringExact("legacy application"), "patch_group": knownvalue.StringExact("1"),
					"excluded_by": knownvalue.StringExact(e.ClientID()), "exclusion_date": knownvalue.NotNull(),
				}))},
				`{"operation":"update_patch_party","options":{"patchParty":{"excluded":true,"exclusionReason":"legacy application"}}}`),
			inPlaceStep(e, pgHCL(name, included),
				map[string]knownvalue.Check{"patch_party": knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"excluded": knownvalue.Bool(false), "exclusion_reason": knownvalue.Null(), "patch_group": knownvalue.StringExact("2"),
					"excluded_by": knownvalue.Null(), "exclusion_date": knownvalue.Null(),
				})},
				`{"operation":"update_patch_party","options":{"patchParty":{"excluded":false,"patchGroup":"2"}}}`),
			inPlaceStep(e, pgHCL(name, with(map[string]string{"extensions": exts("postgres/pg_trgm", "appdb/hstore", "appdb/citext")})),
				map[string]knownvalue.Check{"extensions": knownvalue.SetSizeExact(3)},
				`{"operation":"install_extension","options":{"dbname":"appdb","extensions_list":[{"name":"citext"},{"name":"hstore"}]}}`,
				`{"operation":"install_extension","options":{"dbname":"postgres","extensions_list":[{"name":"pg_trgm"}]}}`),
			// ITCare cannot uninstall: the extension leaves the state only.
			inPlaceStep(e, pgHCL(name, with(map[string]string{"extensions": exts("postgres/pg_trgm", "appdb/hstore")})),
				map[string]knownvalue.Check{"extensions": knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"database": knownvalue.StringExact("postgres"), "name": knownvalue.StringExact("pg_trgm")}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"database": knownvalue.StringExact("appdb"), "name": knownvalue.StringExact("hstore")}),
				})}),
		},
	})
}

func TestAccPostgreSQL_updatePowerState(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccpower")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			inPlaceStep(e, pgHCL(name, map[string]string{"power_state": `"stopped"`}),
				map[string]knownvalue.Check{"power_state": knownvalue.StringExact("stopped"), "status": knownvalue.StringExact("STOPPED")},
				`{"operation":"stop"}`),
			inPlaceStep(e, pgHCL(name, nil),
				map[string]knownvalue.Check{"power_state": knownvalue.StringExact("running"), "status": knownvalue.StringExact("ACTIVE")},
				`{"operation":"start"}`),
		},
	})
}

func TestAccPostgreSQL_updateUpgradeAndHA(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccupg")
	upgraded := map[string]string{"version": `"16"`, "allow_major_version_upgrade": "true", "change_reference": `"RFC 1234"`}
	ha := map[string]string{"topology": `"HA"`, "allowed_replication_lag": "50"}
	for k, v := range upgraded {
		ha[k] = v
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			{
				// The guard fails the plan: nothing reaches ITCare.
				PreConfig:   e.ResetRequests,
				Config:      e.Config(pgHCL(name, map[string]string{"version": `"16"`})),
				ExpectError: regexp.MustCompile(`(?s)Major Version Upgrade Not Allowed.*version.*allow_major_version_upgrade\s+=\s+true`),
			},
			{
				PreConfig: func() {
					if w := e.Writes(); len(w) != 0 {
						t.Errorf("a refused upgrade reached ITCare: %+v", w)
					}
					e.ResetRequests()
				},
				Config: e.Config(pgHCL(name, upgraded)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(pgAddr, tfjsonpath.New("released_at")),
						plancheck.ExpectUnknownValue(pgAddr, tfjsonpath.New("end_of_sales_at")),
						plancheck.ExpectUnknownValue(pgAddr, tfjsonpath.New("extended_support_at")),
						plancheck.ExpectKnownValue(pgAddr, tfjsonpath.New("internal_resource_id"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				// The lifecycle dates are the new version's, known only after apply.
				ConfigStateChecks: expectValues(pgAddr, withChecks(lifecycleChecks(e, name), map[string]knownvalue.Check{
					"version":         knownvalue.StringExact("16"),
					"product_version": knownvalue.StringRegexp(regexp.MustCompile(`^16\.`)),
					"released_at":     knownvalue.StringRegexp(regexp.MustCompile(`^2023-`)),
				})),
				Check: expectPatches(e, `{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"RFC 1234"}}`),
			},
			inPlaceStep(e, pgHCL(name, ha),
				map[string]knownvalue.Check{
					"topology": knownvalue.StringExact("HA"), "allowed_replication_lag": knownvalue.Int64Exact(50),
					"node_count": knownvalue.Int64Exact(3), "patch_party": knownvalue.ObjectPartial(map[string]knownvalue.Check{"patch_group": knownvalue.Null()}),
				},
				`{"operation":"enable_ha","options":{"replicationLag":50,"changeReference":"RFC 1234"}}`),
		},
	})
}

// versionsProxy serves the emulator, except that GET …/versions answers
// offered: the emulator offers every later version, and the plan check for
// a version ITCare does not offer needs one that is missing.
func versionsProxy(t *testing.T, e *acctest.Emulator, offered string) string {
	t.Helper()
	h := e.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/versions") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(offered))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return fmt.Sprintf(`
provider "itcare" {
  api_url       = %q
  token_url     = %q
  client_id     = %q
  client_secret = %q
}
`, srv.URL+emulator.APIPrefix, srv.URL+emulator.TokenPath, e.ClientID(), e.ClientSecret())
}

func TestAccPostgreSQL_upgradeTargetNotOffered(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccnotoffered")
	providerBlock := versionsProxy(t, e, `[16]`)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: providerBlock + pgHCL(name, map[string]string{"version": `"14"`})},
			{
				PreConfig:   e.ResetRequests,
				Config:      providerBlock + pgHCL(name, map[string]string{"version": `"15"`, "allow_major_version_upgrade": "true"}),
				ExpectError: regexp.MustCompile(`(?s)PostgreSQL Version Not Offered.*from\s+"14"\s+to\s+"15".*offers\s+for\s+this\s+instance\s+are\s+"16"`),
			},
			{
				PreConfig: func() {
					if w := e.Writes(); len(w) != 0 {
						t.Errorf("an upgrade to a version not offered reached ITCare: %+v", w)
					}
				},
				Config:   providerBlock + pgHCL(name, map[string]string{"version": `"14"`}),
				PlanOnly: true,
			},
		},
	})
}

func TestAccPostgreSQL_updateOrdered(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccorder")
	all := map[string]string{
		"version": `"16"`, "allow_major_version_upgrade": "true",
		"node_sizing":        `"4cpu8gb"`,
		"topology":           `"HA"`,
		"monitoring_enabled": "false", "on_call_supervision": "true",
		"patch_party": `{ excluded = true, exclusion_reason = "legacy application" }`,
		"extensions":  `[{ database = "postgres", name = "pg_trgm" }]`,
		"power_state": `"stopped"`,
	}
	restarted := map[string]string{}
	for k, v := range all {
		restarted[k] = v
	}
	restarted["power_state"] = `"running"`
	restarted["node_sizing"] = `"8cpu16gb"`

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			inPlaceStep(e, pgHCL(name, all),
				map[string]knownvalue.Check{
					"version": knownvalue.StringExact("16"), "node_sizing": knownvalue.StringExact("4cpu8gb"), "topology": knownvalue.StringExact("HA"),
					"monitoring_enabled": knownvalue.Bool(false), "on_call_supervision": knownvalue.Bool(true),
					"extensions": knownvalue.SetSizeExact(1), "power_state": knownvalue.StringExact("stopped"), "status": knownvalue.StringExact("STOPPED"),
				},
				`{"operation":"upgrade","options":{"targetVersion":"16","changeReference":"terraform"}}`,
				`{"operation":"resize","options":{"sizing":"4cpu8gb"}}`,
				`{"operation":"enable_ha","options":{"replicationLag":10}}`,
				`{"operation":"update_monitoring","options":{"state":false,"on_call":true}}`,
				`{"operation":"update_patch_party","options":{"patchParty":{"excluded":true,"exclusionReason":"legacy application"}}}`,
				`{"operation":"install_extension","options":{"dbname":"postgres","extensions_list":[{"name":"pg_trgm"}]}}`,
				`{"operation":"stop"}`),
			// Start comes first, so that the rest runs on a started instance.
			inPlaceStep(e, pgHCL(name, restarted),
				map[string]knownvalue.Check{"power_state": knownvalue.StringExact("running"), "cpu": knownvalue.Int64Exact(8)},
				`{"operation":"start"}`,
				`{"operation":"resize","options":{"sizing":"8cpu16gb"}}`),
		},
	})
}

// TestAccPostgreSQL_downtimeWarnings runs terraform plan itself, since
// terraform-plugin-testing does not expose warnings, and reads the
// diagnostics from its JSON output.
func TestAccPostgreSQL_downtimeWarnings(t *testing.T) {
	skipUnlessAcc(t)
	acctest.PreCheck(t)
	t.Parallel()
	e := acctest.NewEmulator(t)
	src, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgaccdown"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
	})
	if err != nil {
		t.Fatal(err)
	}
	hcl := acctest.RequiredProviders() + e.ProviderConfig() + fmt.Sprintf(`
import {
  to = itcare_postgresql.db
  id = "%d"
}
`, src.ID) + pgHCL(src.Name, map[string]string{
		"adm_password_wo": "", "adm_password_wo_version": "",
		"node_sizing": `"4cpu8gb"`, "version": `"16"`, "allow_major_version_upgrade": "true",
		"topology": `"HA"`, "power_state": `"stopped"`, "monitoring_enabled": "false",
	})
	// Terraform prints warnings that share a summary once; the JSON stream
	// keeps each diagnostic, so read that.
	run := acctest.NewTerraformRun(t, hcl, nil)
	warnings := planWarningsJSON(t, run)
	for _, want := range []string{
		"Major Version Upgrade Causes Downtime: Upgrading the PostgreSQL instance",
		"Resize Causes Downtime: Resizing the PostgreSQL instance",
		"Switch to HA Causes Downtime: Switching the PostgreSQL instance",
		"Stop Causes Downtime: Stopping the PostgreSQL instance",
	} {
		if !slices.ContainsFunc(warnings, func(w string) bool { return strings.HasPrefix(w, want) && strings.Contains(w, "causes downtime") }) {
			t.Errorf("no warning %q in the plan output; warnings: %q", want, warnings)
		}
	}
	for _, w := range warnings {
		if strings.Contains(w, "update_monitoring") || strings.Contains(w, "monitoring") && strings.Contains(w, "downtime") {
			t.Errorf("monitoring warned about downtime: %q", w)
		}
	}
	if w := e.Writes(); len(w) != 0 {
		t.Errorf("terraform plan wrote to ITCare: %+v", w)
	}
}
