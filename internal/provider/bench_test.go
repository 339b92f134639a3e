package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// The benchmarks run the mapping functions that every refresh, plan and
// apply goes through, on the API's documented samples (the client's
// fixtures), so that a regression in their cost shows up in make bench-go.

// apiSample decodes a sample answer of the ITCare API into v.
func apiSample(b *testing.B, name string, v any) {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "itcare", "testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
}

// repeated returns n copies of the sample list's first item: the samples
// hold one item, real answers hold several.
func repeated[T any](b *testing.B, name string, n int) []T {
	b.Helper()
	var one []T
	apiSample(b, name, &one)
	if len(one) == 0 {
		b.Fatalf("%s: empty sample", name)
	}
	out := make([]T, n)
	for i := range out {
		out[i] = one[0]
	}
	return out
}

// benchConfig is the configuration of a typical instance, as the plan
// holds it on create.
func benchConfig() postgresqlResourceModel {
	return postgresqlResourceModel{
		Name:                 types.StringValue("pgbench01"),
		ServiceID:            types.Int64Value(1001),
		NetworkID:            types.Int64Value(2001),
		Area:                 types.StringValue("EB-QA"),
		Trigram:              types.StringValue("BEN"),
		NodeSizing:           types.StringValue("2cpu4gb"),
		DiskSize:             types.Int64Value(40),
		Version:              types.StringValue("15"),
		Topology:             types.StringValue("STANDALONE"),
		AdmPasswordWOVersion: types.Int64Value(1),
		DeletionProtection:   types.BoolValue(true),
		Extensions:           types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes}),
	}
}

func benchExtensions(b *testing.B, names ...string) types.Set {
	b.Helper()
	vals := make([]attr.Value, len(names))
	for i, n := range names {
		v, diags := types.ObjectValue(extensionAttrTypes, map[string]attr.Value{
			"database": types.StringValue("app"), "name": types.StringValue(n),
		})
		if diags.HasError() {
			b.Fatal(diags)
		}
		vals[i] = v
	}
	set, diags := types.SetValue(types.ObjectType{AttrTypes: extensionAttrTypes}, vals)
	if diags.HasError() {
		b.Fatal(diags)
	}
	return set
}

// benchDatabases is a databases answer holding the extensions that
// benchExtensions tracks, among others.
func benchDatabases(names ...string) []itcare.Database {
	ext := []itcare.DatabaseExtension{{Name: "plpgsql", Schema: "pg_catalog", Version: "1.0"}}
	for _, n := range names {
		ext = append(ext, itcare.DatabaseExtension{Name: n, Schema: "public", Version: "1.6"})
	}
	return []itcare.Database{
		{Name: "postgres", Extensions: ext[:1]},
		{Name: "app", Extensions: ext},
	}
}

// BenchmarkFlattenPostgreSQL is the mapping of every refresh (Read).
func BenchmarkFlattenPostgreSQL(b *testing.B) {
	ctx := context.Background()
	var pg itcare.PostgreSQL
	apiSample(b, "postgresql.json", &pg)
	b.Run("without extensions", func(b *testing.B) {
		prior := benchConfig()
		b.ReportAllocs()
		for b.Loop() {
			if _, diags := flattenPostgreSQL(ctx, prior, &pg, nil); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("with extensions", func(b *testing.B) {
		names := []string{"pg_trgm", "postgis", "uuid-ossp"}
		prior := benchConfig()
		prior.Extensions = benchExtensions(b, names...)
		dbs := benchDatabases(names...)
		b.ReportAllocs()
		for b.Loop() {
			m, diags := flattenPostgreSQL(ctx, prior, &pg, dbs)
			if diags.HasError() || len(m.Extensions.Elements()) != len(names) {
				b.Fatalf("%v, %d extensions", diags, len(m.Extensions.Elements()))
			}
		}
	})
}

// BenchmarkExpandCreateRequest is the mapping of a create.
func BenchmarkExpandCreateRequest(b *testing.B) {
	m := benchConfig()
	b.ReportAllocs()
	for b.Loop() {
		if req := expandCreateRequest(m, "Bench-Passw0rd!2026"); req.Name == "" {
			b.Fatal("empty request")
		}
	}
}

func BenchmarkFlattenPostgreSQLDataSource(b *testing.B) {
	var pg itcare.PostgreSQL
	apiSample(b, "postgresql.json", &pg)
	b.ReportAllocs()
	for b.Loop() {
		_ = flattenPostgreSQLDataSource(&pg)
	}
}

func BenchmarkFlattenPostgreSQLDatabases(b *testing.B) {
	dbs := repeated[itcare.Database](b, "databases.json", 10)
	b.ReportAllocs()
	for b.Loop() {
		if got := flattenPostgreSQLDatabases(dbs); len(got) != len(dbs) {
			b.Fatalf("%d databases", len(got))
		}
	}
}

func BenchmarkFlattenPostgreSQLExtensions(b *testing.B) {
	// ITCare offers some 60 extensions per instance.
	ext := repeated[itcare.Extension](b, "extensions.json", 60)
	b.ReportAllocs()
	for b.Loop() {
		if got := flattenPostgreSQLExtensions(ext); len(got) != len(ext) {
			b.Fatalf("%d extensions", len(got))
		}
	}
}

func BenchmarkFlattenPostgreSQLNetworks(b *testing.B) {
	nws := repeated[itcare.Network](b, "networks.json", 20)
	b.ReportAllocs()
	for b.Loop() {
		if got := flattenPostgreSQLNetworks(nws); len(got) != len(nws) {
			b.Fatalf("%d networks", len(got))
		}
	}
}

func BenchmarkFlattenPostgreSQLNodes(b *testing.B) {
	// An HA instance has two nodes.
	nodes := repeated[itcare.Node](b, "nodes.json", 2)
	b.ReportAllocs()
	for b.Loop() {
		if got := flattenPostgreSQLNodes(nodes); len(got) != len(nodes) {
			b.Fatalf("%d nodes", len(got))
		}
	}
}

func BenchmarkFlattenPostgreSQLVersions(b *testing.B) {
	versions := []int64{13, 14, 15, 16, 17}
	b.ReportAllocs()
	for b.Loop() {
		_ = flattenPostgreSQLVersions(versions)
	}
}

// BenchmarkPlanOperations is the plan → operations mapping of an update,
// for an unchanged plan and for one that resizes, stops and installs two
// extensions.
func BenchmarkPlanOperations(b *testing.B) {
	ctx := context.Background()
	var pg itcare.PostgreSQL
	apiSample(b, "postgresql.json", &pg)
	config := benchConfig()
	config.Extensions = benchExtensions(b, "pg_trgm")
	prior, diags := flattenPostgreSQL(ctx, config, &pg, benchDatabases("pg_trgm"))
	if diags.HasError() {
		b.Fatal(diags)
	}
	b.Run("no change", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ops, _ := planOperations(ctx, prior, prior); len(ops) != 0 {
				b.Fatalf("%d operations", len(ops))
			}
		}
	})
	b.Run("resize, stop, two extensions", func(b *testing.B) {
		plan := prior
		plan.NodeSizing = types.StringValue("4cpu8gb")
		plan.PowerState = types.StringValue(powerStopped)
		plan.Extensions = benchExtensions(b, "pg_trgm", "postgis", "uuid-ossp")
		b.ReportAllocs()
		for b.Loop() {
			if ops, _ := planOperations(ctx, prior, plan); len(ops) != 3 {
				b.Fatalf("%d operations: %+v", len(ops), ops)
			}
		}
	})
}

// BenchmarkReadStateMapping is what every Read pays to read the prior
// state into the model and write the new one: through the framework's
// reflection (State.Get, State.Set) and through the resource's codec.
func BenchmarkReadStateMapping(b *testing.B) {
	ctx := context.Background()
	m := sampleModel(b)
	state := tfsdk.State{Schema: pgSchema(b)}
	if diags := state.Set(ctx, &m); diags.HasError() {
		b.Fatal(diags)
	}
	b.Run("framework", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got postgresqlResourceModel
			out := tfsdk.State{Schema: state.Schema}
			if diags := state.Get(ctx, &got); diags.HasError() {
				b.Fatal(diags)
			}
			if diags := out.Set(ctx, &got); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("codec", func(b *testing.B) {
		codec, err := postgresqlCodec()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			var got postgresqlResourceModel
			if diags := codec.get(ctx, state.Raw, &got); diags.HasError() {
				b.Fatal(diags)
			}
			if _, diags := codec.value(ctx, &got); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
}
