package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

func TestAccPostgreSQLDatabasesDataSource_basic(t *testing.T) {
	e := acctest.NewEmulator(t)
	p := seedPair(t, e)

	// Someone added a database with extensions to the HA instance in the
	// console, in an order the data source must not keep.
	err := e.UpdateInstance(p.ha.ID, map[string]any{"databases": []map[string]any{
		{"name": "postgres", "extensions": []map[string]any{{"name": "plpgsql", "schema": "pg_catalog", "version": "1.0"}}},
		{"name": "app", "extensions": []map[string]any{
			{"name": "postgis", "schema": "public", "version": "3.4.2"},
			{"name": "hstore", "schema": "public", "version": "1.8"},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}

	ext := func(name, schema, version string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":    knownvalue.StringExact(name),
			"schema":  knownvalue.StringExact(schema),
			"version": knownvalue.StringExact(version),
		})
	}
	db := func(name string, exts ...knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":       knownvalue.StringExact(name),
			"extensions": knownvalue.ListExact(exts),
		})
	}
	plpgsql := ext("plpgsql", "pg_catalog", "1.0")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
data "itcare_postgresql_databases" "std" {
  instance_id = "%d"
}

data "itcare_postgresql_databases" "ha" {
  instance_id = "%d"
}

output "ha_installed" {
  value = { for d in data.itcare_postgresql_databases.ha.databases : d.name => d.extensions[*].name }
}
`, p.std.ID, p.ha.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				// Every fresh instance has the postgres database with plpgsql.
				statecheck.ExpectKnownValue("data.itcare_postgresql_databases.std", tfjsonpath.New("databases"),
					knownvalue.ListExact([]knownvalue.Check{db("postgres", plpgsql)})),
				// Databases and extensions come sorted by name.
				statecheck.ExpectKnownValue("data.itcare_postgresql_databases.ha", tfjsonpath.New("databases"),
					knownvalue.ListExact([]knownvalue.Check{
						db("app", ext("hstore", "public", "1.8"), ext("postgis", "public", "3.4.2")),
						db("postgres", plpgsql),
					})),
				statecheck.ExpectKnownOutputValue("ha_installed", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"app":      knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("hstore"), knownvalue.StringExact("postgis")}),
					"postgres": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("plpgsql")}),
				})),
			},
		}},
	})
}
