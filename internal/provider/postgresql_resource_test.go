package provider_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

const pgAddr = "itcare_postgresql.db"

// pgHCL renders an itcare_postgresql resource: a valid standalone instance
// with the given attributes replaced (raw HCL values; "" removes one). The
// password is set as pgPasswordAttrs says.
func pgHCL(name string, overrides map[string]string) string {
	attrs := map[string]string{
		"name":                fmt.Sprintf("%q", name),
		"service_id":          "1001",
		"network_id":          "2001",
		"area":                `"EB-QA"`,
		"trigram":             `"ACC"`,
		"node_sizing":         `"2cpu4gb"`,
		"disk_size":           "40",
		"version":             `"15"`,
		"deletion_protection": "false",
	}
	maps.Copy(attrs, pgPasswordAttrs())
	for k, v := range overrides {
		if v == "" {
			delete(attrs, k)
		} else {
			attrs[k] = v
		}
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("resource \"itcare_postgresql\" \"db\" {\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %s\n", k, attrs[k])
	}
	b.WriteString("}\n")
	return b.String()
}

// pgPasswordAttrs are the password arguments pgHCL sets: the write-only
// password the documentation recommends, or adm_password on a CLI without
// write-only arguments (OpenTofu before 1.11), so that the tests that are
// not about the password run there too. The tests of the write-only
// password set it themselves and call acctest.SkipUnlessCLI.
func pgPasswordAttrs() map[string]string {
	if acctest.Supports(acctest.WriteOnlyArguments) {
		return map[string]string{"adm_password_wo": `"Str0ng!Passw0rd"`, "adm_password_wo_version": "1"}
	}
	return map[string]string{"adm_password": `"Str0ng!Passw0rd"`}
}

// pgPasswordHCL renders pgPasswordAttrs as the lines of a resource block,
// for the tests that write their configuration by hand.
func pgPasswordHCL() string {
	attrs := pgPasswordAttrs()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		fmt.Fprintf(&b, "  %s = %s\n", k, attrs[k])
	}
	return b.String()
}

// setsWriteOnly says whether a configuration sets adm_password_wo or its
// version, which a CLI without write-only arguments refuses.
func setsWriteOnly(hcl string) bool {
	return strings.Contains(hcl, "adm_password_wo")
}

// pgPasswordStateChecks is what the state holds of the password pgHCL set:
// never the write-only one.
func pgPasswordStateChecks() map[string]knownvalue.Check {
	if acctest.Supports(acctest.WriteOnlyArguments) {
		return map[string]knownvalue.Check{
			"adm_password":            knownvalue.Null(),
			"adm_password_wo":         knownvalue.Null(),
			"adm_password_wo_version": knownvalue.Int64Exact(1),
		}
	}
	return map[string]knownvalue.Check{
		"adm_password":            knownvalue.StringExact("Str0ng!Passw0rd"),
		"adm_password_wo":         knownvalue.Null(),
		"adm_password_wo_version": knownvalue.Null(),
	}
}

// pgImportIgnore lists what an import cannot read back: the API never
// returns the password, whichever argument carried it, and
// deletion_protection and timeouts take their defaults on import.
var pgImportIgnore = []string{"adm_password", "adm_password_wo", "adm_password_wo_version", "deletion_protection", "timeouts"}

func pgHA(name string, overrides map[string]string) string {
	o := map[string]string{
		"topology":          `"HA"`,
		"node_prefix":       `"PGACCHA"`,
		"availability_zone": `"EB-QA-A"`,
		"tls":               "true",
	}
	for k, v := range overrides {
		o[k] = v
	}
	return pgHCL(name, o)
}

func expectValues(addr string, values map[string]knownvalue.Check) []statecheck.StateCheck {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]statecheck.StateCheck, 0, len(keys))
	for _, k := range keys {
		out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New(k), values[k]))
	}
	return out
}

// writesSince returns the emulator's writes after the first n, as
// "METHOD path operation" lines.
func writesSince(e *acctest.Emulator, n int) []string {
	var out []string
	for i, w := range e.Writes() {
		if i >= n {
			out = append(out, strings.TrimSpace(w.Method+" "+w.Path+" "+w.Operation))
		}
	}
	return out
}

// checkWrites fails a step when the emulator received other writes than
// want since mark() was last called.
type writeCounter struct {
	e *acctest.Emulator
	n int
}

func (w *writeCounter) mark() { w.n = len(w.e.Writes()) }

func (w *writeCounter) expect(want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := writesSince(w.e, w.n)
		if len(got) != len(want) {
			return fmt.Errorf("writes %q, want %d matching %q", got, len(want), want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				return fmt.Errorf("write %d is %q, want %q", i, got[i], want[i])
			}
		}
		return nil
	}
}

func instanceID(e *acctest.Emulator, name string) (int64, error) {
	inst, ok := e.InstanceByName(name)
	if !ok {
		return 0, fmt.Errorf("emulator has no instance named %s", name)
	}
	return inst.ID, nil
}

// emulatorSays is a knownvalue.Check against a value the emulator computes
// (a date, an id), read when the check runs: the instance may not exist
// yet when the test case is built. want returns nil for null.
type emulatorSays struct {
	what string
	want func() (any, error)
}

func (c emulatorSays) CheckValue(v any) error {
	want, err := c.want()
	if err != nil {
		return err
	}
	if want == nil || v == nil {
		if want != v {
			return fmt.Errorf("%s: got %v, the emulator says %v", c.what, v, want)
		}
		return nil
	}
	if fmt.Sprint(v) != fmt.Sprint(want) {
		return fmt.Errorf("%s: got %v, the emulator says %v", c.what, v, want)
	}
	return nil
}

func (c emulatorSays) String() string { return c.what + " as the emulator says" }

// fromInstance checks a value against what the emulator's API shows of the
// instance named name; pick returns nil for null.
func fromInstance(e *acctest.Emulator, name, what string, pick func(emulator.Instance) any) knownvalue.Check {
	return emulatorSays{what: what, want: func() (any, error) {
		in, ok := e.InstanceByName(name)
		if !ok {
			return nil, fmt.Errorf("emulator has no instance named %s", name)
		}
		view, _ := e.InstanceView(in.ID)
		return pick(view), nil
	}}
}

// stateDate is an API date as the provider records it: RFC 3339 in UTC,
// whole seconds; nil for none. A date that does not parse stays as it is,
// so that the comparison fails.
func stateDate(s *string) any {
	if s == nil || *s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return *s
	}
	return t.UTC().Format(time.RFC3339)
}

// lifecycleChecks are the read model's lifecycle dates and internal id of
// the instance named name, as the emulator shows them.
func lifecycleChecks(e *acctest.Emulator, name string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"released_at":          fromInstance(e, name, "releasedAt", func(in emulator.Instance) any { return stateDate(&in.ReleasedAt) }),
		"end_of_sales_at":      fromInstance(e, name, "endOfSalesAt", func(in emulator.Instance) any { return stateDate(&in.EndOfSalesAt) }),
		"end_of_support_at":    fromInstance(e, name, "endOfSupportAt", func(in emulator.Instance) any { return stateDate(&in.EndOfSupportAt) }),
		"extended_support_at":  fromInstance(e, name, "extendedSupportAt", func(in emulator.Instance) any { return stateDate(&in.ExtendedSupportAt) }),
		"internal_resource_id": fromInstance(e, name, "internalResourceId", func(in emulator.Instance) any { return in.InternalResourceID }),
	}
}

// exclusionChecks are the patch party's exclusion fields of the instance
// named name, as the emulator shows them.
func exclusionChecks(e *acctest.Emulator, name string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"excluded_by": fromInstance(e, name, "patchParty.excludedBy", func(in emulator.Instance) any {
			if in.PatchParty.ExcludedBy == nil {
				return nil
			}
			return *in.PatchParty.ExcludedBy
		}),
		"exclusion_date": fromInstance(e, name, "patchParty.exclusionDate", func(in emulator.Instance) any { return stateDate(in.PatchParty.ExclusionDate) }),
	}
}

// allOf passes when every one of checks passes.
type allOf []knownvalue.Check

func (c allOf) CheckValue(v any) error {
	for _, check := range c {
		if err := check.CheckValue(v); err != nil {
			return err
		}
	}
	return nil
}

func (c allOf) String() string {
	parts := make([]string, len(c))
	for i, check := range c {
		parts[i] = check.String()
	}
	return strings.Join(parts, " and ")
}

// withChecks merges maps of checks; a key in several maps must pass all of
// their checks.
func withChecks(maps ...map[string]knownvalue.Check) map[string]knownvalue.Check {
	out := map[string]knownvalue.Check{}
	for _, m := range maps {
		for k, v := range m {
			if prev, ok := out[k]; ok {
				v = allOf{prev, v}
			}
			out[k] = v
		}
	}
	return out
}

// expectPriorID checks that the state going into a plan holds the id of
// the emulator's instance: the resource was recorded, not orphaned.
type expectPriorID struct {
	e    *acctest.Emulator
	name string
}

func (c expectPriorID) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	id, err := instanceID(c.e, c.name)
	if err != nil {
		resp.Error = err
		return
	}
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address == pgAddr {
			if got := fmt.Sprint(r.AttributeValues["id"]); got != fmt.Sprint(id) {
				resp.Error = fmt.Errorf("state id %s, emulator id %d", got, id)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s not in the prior state", pgAddr)
}

// parallelTestThenCheckDestroy is resource.ParallelTest for a test case
// whose steps leave the state empty: its last step destroys everything, or
// none of its steps creates anything. terraform-plugin-testing then skips
// the final destroy and tc.CheckDestroy with it, so it runs here, after
// the test case; it gets no state.
func parallelTestThenCheckDestroy(t *testing.T, tc resource.TestCase) {
	t.Helper()
	resource.ParallelTest(t, tc)
	if err := tc.CheckDestroy(nil); err != nil {
		t.Errorf("CheckDestroy: %v", err)
	}
}

func TestAccPostgreSQL_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccbasic")
	w := &writeCounter{e: e}
	cfg := e.Config(pgHCL(name, nil))
	created := map[string]knownvalue.Check{
		"id":                          knownvalue.StringRegexp(regexp.MustCompile(`^[0-9]+$`)),
		"name":                        knownvalue.StringExact(name),
		"service_id":                  knownvalue.Int64Exact(1001),
		"network_id":                  knownvalue.Int64Exact(2001),
		"area":                        knownvalue.StringExact("EB-QA"),
		"trigram":                     knownvalue.StringExact("ACC"),
		"node_sizing":                 knownvalue.StringExact("2cpu4gb"),
		"disk_size":                   knownvalue.Int64Exact(40),
		"version":                     knownvalue.StringExact("15"),
		"topology":                    knownvalue.StringExact("STANDALONE"),
		"allowed_replication_lag":     knownvalue.Int64Exact(10),
		"node_prefix":                 knownvalue.Null(),
		"availability_zone":           knownvalue.Null(),
		"tls":                         knownvalue.Bool(false),
		"backup_enabled":              knownvalue.Null(),
		"monitoring_enabled":          knownvalue.NotNull(),
		"on_call_supervision":         knownvalue.NotNull(),
		"monitoring_alerting":         knownvalue.NotNull(),
		"power_state":                 knownvalue.StringExact("running"),
		"restore":                     knownvalue.Null(),
		"extensions":                  knownvalue.Null(),
		"change_reference":            knownvalue.Null(),
		"deletion_protection":         knownvalue.Bool(false),
		"allow_major_version_upgrade": knownvalue.Bool(false),
		"status":                      knownvalue.StringExact("ACTIVE"),
		"ip_address":                  knownvalue.StringRegexp(regexp.MustCompile(`^[0-9.]+$`)),
		"url":                         knownvalue.StringRegexp(regexp.MustCompile(name)),
		"product_version":             knownvalue.StringRegexp(regexp.MustCompile(`^15\.`)),
		"cpu":                         knownvalue.Int64Exact(2),
		"ram":                         knownvalue.Int64Exact(4),
		"storage":                     knownvalue.Int64Exact(40),
		"node_count":                  knownvalue.Int64Exact(1),
		"instance_count":              knownvalue.Int64Exact(1),
		"environment":                 knownvalue.StringExact("DEVELOPMENT"),
		"service_name":                knownvalue.NotNull(),
		"creation_time":               knownvalue.NotNull(),
		"creation_user":               knownvalue.NotNull(),
		"replication_status":          knownvalue.NotNull(),
		"backup_status":               knownvalue.NotNull(),
		"support_phase":               knownvalue.NotNull(),
		"metrology_url":               knownvalue.NotNull(),
		"patch_party": knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"excluded":       knownvalue.Bool(false),
			"patch_date":     knownvalue.NotNull(),
			"patch_tag":      knownvalue.NotNull(),
			"excluded_by":    knownvalue.Null(),
			"exclusion_date": knownvalue.Null(),
		}),
	}
	maps.Copy(created, pgPasswordStateChecks())
	created = withChecks(lifecycleChecks(e, name), created)

	steps := []resource.TestStep{
		{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionCreate)},
			},
			ConfigStateChecks: expectValues(pgAddr, created),
			Check:             w.expect("POST /itcare/databases/postgresql"),
		},
		{
			ResourceName:                         pgAddr,
			ImportState:                          true,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "id",
			ImportStateVerifyIgnore:              pgImportIgnore,
		},
		{
			ResourceName:            pgAddr,
			ImportState:             true,
			ImportStateId:           name,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: pgImportIgnore,
		},
		{
			// terraform plan -generate-config-out, then the import must
			// plan as a no-op with the generated configuration.
			ResourceName:    pgAddr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			GenerateConfig:  true,
		},
		{
			// Provider-side settings change without any call to ITCare.
			PreConfig: w.mark,
			Config:    e.Config(pgHCL(name, map[string]string{"change_reference": `"RFC-42"`, "timeouts": `{ create = "90m" }`})),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(pgAddr, tfjsonpath.New("status"), knownvalue.StringExact("ACTIVE")),
				},
			},
			ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"change_reference": knownvalue.StringExact("RFC-42")}),
			Check:             w.expect(),
		},
	}
	if acctest.Supports(acctest.WriteOnlyArguments) {
		steps = append(steps,
			resource.TestStep{
				Config:      e.Config(pgHCL(name, map[string]string{"adm_password_wo_version": "2"})),
				ExpectError: regexp.MustCompile(`(?s)Administrator Password Cannot Change.*revert\s+adm_password_wo_version\s+to\s+1`),
			},
			resource.TestStep{
				// Switching from the write-only password to adm_password would
				// record a value Terraform cannot check against the instance.
				PreConfig:   w.mark,
				Config:      e.Config(pgHCL(name, map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": `"An0ther!Passw0rd"`})),
				ExpectError: regexp.MustCompile(`(?s)Administrator Password Cannot Change.*adm_password_wo`),
			},
		)
	} else {
		// The same promise for adm_password, which pgHCL set instead.
		steps = append(steps, resource.TestStep{
			Config:      e.Config(pgHCL(name, map[string]string{"adm_password": `"An0ther!Passw0rd"`})),
			ExpectError: regexp.MustCompile(`(?s)Administrator Password Cannot Change.*revert\s+adm_password\s+to\s+its\s+previous\s+value`),
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps:                    steps,
	})
}

func TestAccPostgreSQL_ha(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccha")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.Config(pgHA(name, nil)),
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"topology":          knownvalue.StringExact("HA"),
					"node_count":        knownvalue.Int64Exact(3),
					"tls":               knownvalue.Bool(true),
					"node_prefix":       knownvalue.StringExact("PGACCHA"),
					"availability_zone": knownvalue.StringExact("EB-QA-A"),
				}),
			},
			{
				ResourceName:            pgAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: append(slices.Clone(pgImportIgnore), "node_prefix", "availability_zone"),
			},
			{
				ResourceName:    pgAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
			},
		},
	})
}

func TestAccPostgreSQL_disappears(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccgone")
	cfg := e.Config(pgHCL(name, nil))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					id, err := instanceID(e, name)
					if err != nil {
						return err
					}
					return e.DeleteInstance(id)
				},
				// The deletion happens after apply: the refresh finds nothing.
				ExpectNonEmptyPlan: true,
			},
			{
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccPostgreSQL_deletionProtection(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccprot")
	protected := e.Config(pgHCL(name, map[string]string{"deletion_protection": ""}))
	w := &writeCounter{e: e}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            protected,
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"deletion_protection": knownvalue.Bool(true)}),
			},
			{
				PreConfig:   w.mark,
				Config:      protected,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Protected Against Deletion.*deletion_protection\s+=\s+false`),
			},
			{
				Config:      e.Config(pgHCL(name, map[string]string{"deletion_protection": "", "disk_size": "80"})),
				ExpectError: regexp.MustCompile(`(?s)Protected Against Deletion.*disk_size\s+cannot\s+change\s+in\s+place`),
			},
			{
				Config:      e.Config(pgHCL(name, map[string]string{"deletion_protection": "", "version": `"14"`})),
				ExpectError: regexp.MustCompile(`(?s)Protected Against Deletion.*version\s+cannot\s+change\s+in\s+place`),
			},
			{
				// Lifting the protection is a provider-side update.
				Config: e.Config(pgHCL(name, nil)),
				Check:  w.expect(),
			},
		},
	})
}

func TestAccPostgreSQL_validation(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccinvalid")
	old := time.Now().Add(-15 * 24 * time.Hour).UTC().Format(time.RFC3339)
	future := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	recent := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	restore := func(src, ts, stop string) string {
		return fmt.Sprintf(`{ source_id = %s, timestamp = %q, stop = %q }`, src, ts, stop)
	}
	cases := []struct {
		name string
		hcl  string
		re   string
	}{
		{"name too short", pgHCL("pg1", nil), `Attribute\s+name\s+string\s+length\s+must\s+be\s+between\s+5\s+and\s+60`},
		{"name too long", pgHCL(strings.Repeat("a", 61), nil), `Attribute\s+name\s+string\s+length`},
		{"name uppercase", pgHCL("PgAcc001", nil), `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
		{"name with dash", pgHCL("pg-acc-01", nil), `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
		{"name cluster", pgHCL("cluster", nil), `Attribute\s+name\s+value\s+must\s+be\s+none\s+of`},
		{"service id zero", pgHCL(name, map[string]string{"service_id": "0"}), `Attribute\s+service_id\s+value\s+must\s+be\s+at\s+least\s+1`},
		{"sizing without memory", pgHCL(name, map[string]string{"node_sizing": `"2cpu"`}), `Attribute\s+node_sizing\s+must\s+look\s+like\s+2cpu4gb`},
		{"sizing zero cpu", pgHCL(name, map[string]string{"node_sizing": `"0cpu4gb"`}), `Attribute\s+node_sizing\s+must\s+look\s+like`},
		{"disk too small", pgHCL(name, map[string]string{"disk_size": "39"}), `Attribute\s+disk_size\s+value\s+must\s+be\s+between\s+40\s+and\s+1024`},
		{"disk too large", pgHCL(name, map[string]string{"disk_size": "1025"}), `Attribute\s+disk_size\s+value\s+must\s+be\s+between`},
		{"minor version", pgHCL(name, map[string]string{"version": `"15.4"`}), `version\s+must\s+be\s+a\s+major\s+version\s+only`},
		{"version with a leading zero", pgHCL(name, map[string]string{"version": `"015"`}), `version\s+must\s+be\s+a\s+major\s+version\s+only`},
		{"topology lowercase", pgHCL(name, map[string]string{"topology": `"ha"`}), `Attribute\s+topology\s+value\s+must\s+be\s+one\s+of`},
		{"lag zero", pgHCL(name, map[string]string{"allowed_replication_lag": "0"}), `Attribute\s+allowed_replication_lag\s+value\s+must\s+be\s+between\s+1\s+and\s+10240`},
		{"lag too high", pgHCL(name, map[string]string{"allowed_replication_lag": "10241"}), `Attribute\s+allowed_replication_lag\s+value\s+must\s+be\s+between`},
		{"weak write-only password", pgHCL(name, map[string]string{"adm_password_wo": `"short"`}), `adm_password_wo\s+must\s+have\s+at\s+least\s+12\s+characters`},
		{"password without special", pgHCL(name, map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": `"NoSpecial12345"`}), `(?s)adm_password\s+must\s+have.*lacks\s+a\s+special\s+character`},
		{"both passwords", pgHCL(name, map[string]string{"adm_password_wo": `"Str0ng!Passw0rd"`, "adm_password": `"Str0ng!Passw0rd"`}), `Attribute\s+"adm_password_wo"\s+cannot\s+be\s+specified\s+when\s+"adm_password"\s+is\s+specified`},
		{"no password", pgHCL(name, map[string]string{"adm_password_wo": "", "adm_password_wo_version": "", "adm_password": ""}), `(?s)Missing\s+Administrator\s+Password.*set\s+adm_password_wo`},
		{"HA without node prefix", pgHA(name, map[string]string{"node_prefix": ""}), `(?s)Missing\s+Attribute\s+for\s+an\s+HA\s+Instance.*set\s+node_prefix`},
		{"HA without zone", pgHA(name, map[string]string{"availability_zone": ""}), `(?s)Missing\s+Attribute\s+for\s+an\s+HA\s+Instance.*set\s+availability_zone`},
		{"lowercase node prefix", pgHA(name, map[string]string{"node_prefix": `"pgaccha"`}), `Attribute\s+node_prefix\s+must\s+be\s+5\s+to\s+12\s+uppercase`},
		{"power state", pgHCL(name, map[string]string{"power_state": `"off"`}), `Attribute\s+power_state\s+value\s+must\s+be\s+one\s+of`},
		{"excluded without reason", pgHCL(name, map[string]string{"patch_party": `{ excluded = true }`}), `(?s)Missing\s+Exclusion\s+Reason.*patch_party\.exclusion_reason`},
		{"patch group on HA", pgHA(name, map[string]string{"patch_party": `{ excluded = false, patch_group = "2" }`}), `patch_group\s+can\s+only\s+be\s+chosen\s+for\s+an\s+instance\s+with\s+one\s+node`},
		{"restore stop", pgHCL(name, map[string]string{"restore": restore("12", recent, "DURING")}), `Attribute\s+restore\.stop\s+value\s+must\s+be\s+one\s+of`},
		{"restore timestamp without offset", pgHCL(name, map[string]string{"restore": restore("12", "2025-01-31T09:30:00", "AFTER")}), `restore\.timestamp\s+must\s+be\s+an\s+RFC\s+3339\s+date-time`},
		{"restore too old", pgHCL(name, map[string]string{"restore": restore("12", old, "AFTER")}), `(?s)Restore\s+Point\s+Too\s+Old.*14\s+days`},
		{"restore in the future", pgHCL(name, map[string]string{"restore": restore("12", future, "AFTER")}), `Restore\s+Point\s+In\s+The\s+Future`},
		{"restore source zero", pgHCL(name, map[string]string{"restore": restore("0", recent, "AFTER")}), `Attribute\s+restore\.source_id\s+value\s+must\s+be\s+at\s+least\s+1`},
		{"extensions before 15", pgHCL(name, map[string]string{"version": `"14"`, "extensions": `[{ database = "postgres", name = "pg_trgm" }]`}), `(?s)Extensions\s+Need\s+PostgreSQL\s+15.*version\s+is\s+"14"`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		if why := acctest.Unsupported(acctest.WriteOnlyArguments); why != "" && setsWriteOnly(c.hcl) {
			t.Logf("%s: left out, %s", c.name, why)
			continue
		}
		steps = append(steps, resource.TestStep{
			Config:      e.Config(c.hcl),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.re),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps:                    steps,
	})
	if got := writesSince(e, 0); len(got) != 0 {
		t.Errorf("invalid configurations reached ITCare: %q", got)
	}
}

func TestAccPostgreSQL_createWithRestoreAndSettings(t *testing.T) {
	e := acctest.NewEmulator(t)
	src, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgaccsrc"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
		"allowedReplicationLag": 10, "backupEnabled": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A day old: the restore point, an hour ago, is after its creation.
	if err := e.UpdateInstance(src.ID, map[string]any{"creationTime": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomName("pgaccrestored")
	w := &writeCounter{e: e}
	point := time.Now().Add(-time.Hour).Truncate(time.Second)
	withRestore := func(ts string) string {
		return e.Config(pgHCL(name, map[string]string{
			"restore":     fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "AFTER" }`, src.ID, ts),
			"patch_party": `{ excluded = true, exclusion_reason = "legacy application" }`,
			"extensions":  `[{ database = "postgres", name = "pg_trgm" }, { database = "postgres", name = "hstore" }]`,
			"power_state": `"stopped"`,
		}))
	}
	cfg := withRestore(point.UTC().Format(time.RFC3339))

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: w.mark,
				Config:    cfg,
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"power_state": knownvalue.StringExact("stopped"),
					"status":      knownvalue.StringExact("STOPPED"),
					"extensions":  knownvalue.SetSizeExact(2),
					"patch_party": knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"excluded":         knownvalue.Bool(true),
						"exclusion_reason": knownvalue.StringExact("legacy application"),
					}),
				}),
				// The order every plan uses: restore, patch party, extensions, stop.
				Check: w.expect(
					"POST /itcare/databases/postgresql",
					"PATCH /itcare/databases/postgresql/", // restore
					"PATCH /itcare/databases/postgresql/", // update_patch_party
					"PATCH /itcare/databases/postgresql/", // install_extension
					"PATCH /itcare/databases/postgresql/", // stop
				),
			},
			{
				// A second apply sends nothing.
				PreConfig: w.mark,
				Config:    cfg,
				Check:     w.expect(),
			},
			{
				// The same instant written otherwise is no new restore: no
				// replacement, nothing sent.
				PreConfig: w.mark,
				Config:    withRestore(point.In(time.FixedZone("CET", 3600)).Format("2006-01-02T15:04:05.000-07:00")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
				},
				Check: w.expect(),
			},
			{
				// Removing the restore block only stops recording it: the
				// restore happened at creation.
				PreConfig: w.mark,
				Config: e.Config(pgHCL(name, map[string]string{
					"patch_party": `{ excluded = true, exclusion_reason = "legacy application" }`,
					"extensions":  `[{ database = "postgres", name = "pg_trgm" }, { database = "postgres", name = "hstore" }]`,
					"power_state": `"stopped"`,
				})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
				},
				Check: w.expect(),
			},
		},
	})
	var ops []string
	for _, r := range e.Writes() {
		if r.Method == "PATCH" {
			ops = append(ops, r.Operation)
		}
	}
	if want := []string{"restore", "update_patch_party", "install_extension", "stop"}; !slices.Equal(ops, want) {
		t.Errorf("operations %v, want %v", ops, want)
	}
}

func TestAccPostgreSQL_restorePlanChecks(t *testing.T) {
	skipUnlessAcc(t)
	e := acctest.NewEmulator(t)
	seed := func(service int64, version string, backup bool) int64 {
		inst, err := e.SeedInstance(map[string]any{
			"name": acctest.RandomName("pgaccsrc"), "serviceId": service, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
			"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": version, "topology": "STANDALONE", "backupEnabled": backup,
			"noBackupProdReason": "test", "noMonitoringProdReason": "test",
		})
		if err != nil {
			t.Fatal(err)
		}
		// Backed up for a month: every restore point below is after its creation.
		if err := e.UpdateInstance(inst.ID, map[string]any{"creationTime": time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)}); err != nil {
			t.Fatal(err)
		}
		return inst.ID
	}
	dev, prod, v14, noBackup := seed(1001, "15", true), seed(1002, "15", true), seed(1001, "14", true), seed(1001, "15", false)
	stopped, young := seed(1001, "15", true), seed(1001, "15", true)
	if err := e.UpdateInstance(stopped, map[string]any{"status": "STOPPED"}); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateInstance(young, map[string]any{"creationTime": time.Now().Add(-30 * time.Minute).UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomName("pgaccrestore")
	eightDaysAgo := time.Now().Add(-8 * 24 * time.Hour).UTC().Format(time.RFC3339)
	restore := func(src int64, ts string) string {
		return e.Config(pgHCL(name, map[string]string{"restore": fmt.Sprintf(`{ source_id = %d, timestamp = %q, stop = "BEFORE" }`, src, ts)}))
	}
	hourAgo := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: restore(dev, eightDaysAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Restore Point Too Old.*development\s+service.*7\s+days`)},
			{Config: restore(v14, hourAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Restore Source Version Differs.*PostgreSQL\s+14`)},
			{Config: restore(noBackup, hourAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`Restore Source Not Backed Up`)},
			{Config: restore(999999, hourAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Restore Source Not Found.*restore\.source_id`)},
			{Config: restore(stopped, hourAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Restore Source Not Active.*STOPPED`)},
			{Config: restore(young, hourAgo), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Restore Point Before the Source Existed`)},
			{
				// A production source keeps 14 days: the plan goes through.
				Config:             restore(prod, eightDaysAgo),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if w := e.Writes(); len(w) != 0 {
		t.Errorf("plan checks wrote to ITCare: %+v", w)
	}
}
