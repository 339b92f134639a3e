package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// The TestAccProfile_ tests hold under every reading of the API's
// silences: make test runs them (with the other tests the profiles name in
// GNUmakefile) once per emulator profile, through ITCARE_EMULATOR_COMPAT.
// Where a reading changes what a user can do (no list by name), the test
// expects the error that says what to do instead.

// expectEmulatorID checks that the state holds the instance's id as the
// emulator knows it, whatever the create's answer called internalId.
func expectEmulatorID(e *acctest.Emulator, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := instanceID(e, name)
		if err != nil {
			return err
		}
		rs, ok := s.RootModule().Resources[pgAddr]
		if !ok {
			return fmt.Errorf("%s is not in the state", pgAddr)
		}
		if rs.Primary.ID != fmt.Sprint(id) {
			return fmt.Errorf("state id %s, but the emulator's instance %s is %d", rs.Primary.ID, name, id)
		}
		return nil
	}
}

// TestAccProfile_lifecycle: create, stop, start and upgrade, import by id,
// and the data sources by id, with the instance's real id in the state.
func TestAccProfile_lifecycle(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccprof")
	w := &writeCounter{e: e}
	dataSources := `
data "itcare_postgresql" "by_id" {
  id = itcare_postgresql.db.id
}

data "itcare_postgresql_versions" "v" {
  instance_id = itcare_postgresql.db.id
}

data "itcare_postgresql_nodes" "n" {
  instance_id = itcare_postgresql.db.id
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.Config(pgHCL(name, nil)),
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{
					"power_state": knownvalue.StringExact("running"),
					"version":     knownvalue.StringExact("15"),
				}),
				Check: resource.ComposeTestCheckFunc(w.expect("POST /itcare/databases/postgresql"), expectEmulatorID(e, name)),
			},
			{
				PreConfig: w.mark,
				Config:    e.Config(pgHCL(name, map[string]string{"power_state": `"stopped"`})),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"power_state": knownvalue.StringExact("stopped")}),
				Check:             w.expect("PATCH /itcare/databases/postgresql/"),
			},
			{
				PreConfig: w.mark,
				Config: e.Config(pgHCL(name, map[string]string{
					"version": `"16"`, "allow_major_version_upgrade": "true",
				}) + dataSources),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(pgAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pgAddr, tfjsonpath.New("power_state"), knownvalue.StringExact("running")),
					statecheck.ExpectKnownValue(pgAddr, tfjsonpath.New("version"), knownvalue.StringExact("16")),
					statecheck.ExpectKnownValue("data.itcare_postgresql.by_id", tfjsonpath.New("power_state"), knownvalue.StringExact("running")),
					statecheck.ExpectKnownValue("data.itcare_postgresql.by_id", tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue("data.itcare_postgresql_versions.v", tfjsonpath.New("versions"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("17")})),
					statecheck.ExpectKnownValue("data.itcare_postgresql_nodes.n", tfjsonpath.New("nodes"), knownvalue.ListSizeExact(1)),
				},
				Check: w.expect("PATCH /itcare/databases/postgresql/", "PATCH /itcare/databases/postgresql/"),
			},
			{
				ResourceName:      pgAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"adm_password_wo", "adm_password_wo_version", "deletion_protection",
					"timeouts", "allow_major_version_upgrade"},
			},
		},
	})
}

// TestAccProfile_byName: the data source and import by name work where
// ITCare lists instances by name, and elsewhere fail saying to use the id.
func TestAccProfile_byName(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccbyname")
	noList := acctest.Compat(t).Has(emulator.CompatNoList)
	byName := fmt.Sprintf(`
data "itcare_postgresql" "by_name" {
  name = %q
}
`, name)
	lookup := resource.TestStep{
		Config: e.Config(pgHCL(name, nil) + byName),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.CompareValuePairs("data.itcare_postgresql.by_name", tfjsonpath.New("id"), pgAddr, tfjsonpath.New("id"), compare.ValuesSame()),
		},
	}
	importByName := resource.TestStep{
		ResourceName:            pgAddr,
		ImportState:             true,
		ImportStateId:           name,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: []string{"adm_password_wo", "adm_password_wo_version", "deletion_protection", "timeouts"},
	}
	if noList {
		lookup.ExpectError = regexp.MustCompile(`(?s)Lookup By Name Not Available.*does not list PostgreSQL instances by name.*Set id`)
		lookup.ConfigStateChecks = nil
		importByName.ExpectError = regexp.MustCompile(`(?s)does not list PostgreSQL instances by name.*Import it by its numeric id`)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.Config(pgHCL(name, nil))},
			lookup,
			importByName,
		},
	})
}

// TestAccProfile_createAnswerLost: a create whose answer is lost is found
// by whatever ITCare offers, and never sent twice; where nothing can find
// it, the apply fails saying so, with still one create sent.
func TestAccProfile_createAnswerLost(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgacclost")
	e.AddFault(emulator.Fault{Kind: "drop", Method: "POST", Path: "/itcare/databases/postgresql", InstanceName: name, After: true, Count: 1})
	w := &writeCounter{e: e}
	compat := acctest.Compat(t)
	step := resource.TestStep{
		Config:            e.Config(pgHCL(name, nil)),
		ConfigStateChecks: expectValues(pgAddr, map[string]knownvalue.Check{"power_state": knownvalue.StringExact("running")}),
		Check:             resource.ComposeTestCheckFunc(w.expect("POST /itcare/databases/postgresql"), expectEmulatorID(e, name)),
	}
	if compat.Has(emulator.CompatNoList) && compat.Has(emulator.CompatNoActionsList) {
		step.ConfigStateChecks, step.Check = nil, nil
		step.ExpectError = regexp.MustCompile(`(?s)did not say whether.*cannot be found by name.*does not resend a create`)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps:                    []resource.TestStep{step},
	})
	if err := w.expect("POST /itcare/databases/postgresql")(nil); err != nil && step.ExpectError != nil {
		t.Error(err)
	}
}
