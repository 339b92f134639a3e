package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// codecModels are states as Read writes them: the API's sample flattened
// without and with extensions, and with timeouts and restore set.
func codecModels(t *testing.T) map[string]postgresqlResourceModel {
	t.Helper()
	withExt := nullModel()
	withExt.Extensions = extSet(t, "app/pg_trgm", "app/postgis")
	pg := samplePG()
	m, diags := flattenPostgreSQL(context.Background(), withExt, &pg, benchDatabases("pg_trgm", "postgis"))
	if diags.HasError() {
		t.Fatal(diags)
	}
	withSet := sampleModel(t)
	withSet.Timeouts = timeouts.Value{Object: types.ObjectValueMust(withSet.Timeouts.AttributeTypes(context.Background()), map[string]attr.Value{
		"create": types.StringValue("2h"), "update": types.StringNull(), "delete": types.StringValue("30m"),
	})}
	withSet.Restore = types.ObjectValueMust(restoreAttrTypes, map[string]attr.Value{
		"source_id": types.Int64Value(42), "timestamp": types.StringValue("2026-11-30T10:00:00Z"), "stop": types.StringNull(),
	})
	return map[string]postgresqlResourceModel{
		"without extensions":        sampleModel(t),
		"with extensions":           m,
		"with timeouts and restore": withSet,
	}
}

// TestModelCodecAgreesWithTheFramework: what the codec writes is what
// State.Set writes, and what it reads back is what State.Get reads.
func TestModelCodecAgreesWithTheFramework(t *testing.T) {
	ctx := context.Background()
	s := pgSchema(t)
	codec, err := postgresqlCodec()
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range codecModels(t) {
		t.Run(name, func(t *testing.T) {
			state := tfsdk.State{Schema: s}
			if diags := state.Set(ctx, &m); diags.HasError() {
				t.Fatal(diags)
			}
			raw, diags := codec.value(ctx, &m)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if !raw.Equal(state.Raw) {
				diffs, _ := raw.Diff(state.Raw)
				t.Fatalf("the codec's value differs from State.Set's: %v", diffs)
			}
			var byFramework, byCodec postgresqlResourceModel
			if diags := state.Get(ctx, &byFramework); diags.HasError() {
				t.Fatal(diags)
			}
			if diags := codec.get(ctx, state.Raw, &byCodec); diags.HasError() {
				t.Fatal(diags)
			}
			if !reflect.DeepEqual(byCodec, byFramework) {
				t.Fatalf("the codec read\n%+v\nState.Get read\n%+v", byCodec, byFramework)
			}
			if !reflect.DeepEqual(byCodec, m) {
				t.Fatalf("the round trip changed the model:\n%+v\nwant\n%+v", byCodec, m)
			}
		})
	}
}

// TestModelCodecRefusesAWrongType: a field of another type than the
// schema's is an error naming the attribute, not a state of another type.
func TestModelCodecRefusesAWrongType(t *testing.T) {
	ctx := context.Background()
	codec, err := postgresqlCodec()
	if err != nil {
		t.Fatal(err)
	}
	m := codecModels(t)["without extensions"]
	m.Restore = types.ObjectNull(patchPartyAttrTypes)
	_, diags := codec.value(ctx, &m)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "its type is") {
		t.Fatalf("diagnostics %v, want a conversion error", diags)
	}
	if d, ok := diags[0].(interface{ Path() path.Path }); !ok || !d.Path().Equal(path.Root("restore")) {
		t.Errorf("the error does not name restore: %v", diags[0])
	}
}

// TestModelCodecWantsEveryAttribute: a model and a schema that do not
// match one for one are refused when the codec is built.
func TestModelCodecWantsEveryAttribute(t *testing.T) {
	ctx := context.Background()
	s := pgSchema(t)
	type short struct {
		ID types.String `tfsdk:"id"`
	}
	if _, err := newModelCodec(ctx, s, reflect.TypeFor[short]()); err == nil || !strings.Contains(err.Error(), "no field for the attribute") {
		t.Errorf("a model without most attributes: %v", err)
	}
	type extra struct {
		postgresqlResourceModel
		Other types.String `tfsdk:"other"`
	}
	if _, err := newModelCodec(ctx, s, reflect.TypeFor[extra]()); err == nil || !strings.Contains(err.Error(), `no attribute "other"`) {
		t.Errorf("a model with an attribute the schema lacks: %v", err)
	}
}
