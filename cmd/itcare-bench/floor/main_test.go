package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	itcare "github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
)

// The floor serves the real schema's types, without validators, plan
// modifiers or defaults anywhere.
func TestFloorSchema(t *testing.T) {
	ctx := context.Background()
	var want resource.SchemaResponse
	itcare.NewPostgreSQLResource().Schema(ctx, resource.SchemaRequest{}, &want)
	floor := floorSchema(ctx)
	if !floor.Type().Equal(want.Schema.Type()) {
		t.Fatalf("floor type %s differs from the real one %s", floor.Type(), want.Schema.Type())
	}
	if floor.Version != want.Schema.Version {
		t.Fatalf("floor version %d, real %d", floor.Version, want.Schema.Version)
	}
	for name, a := range floor.Attributes {
		if hasWork(a) {
			t.Errorf("%s keeps validators, plan modifiers or a default", name)
		}
	}
}

// hasWork reports whether a or an attribute nested in it has validators,
// plan modifiers or a default.
func hasWork(a schema.Attribute) bool {
	nested := func(attrs map[string]schema.Attribute) bool {
		for _, n := range attrs {
			if hasWork(n) {
				return true
			}
		}
		return false
	}
	switch a := a.(type) {
	case schema.StringAttribute:
		return len(a.Validators)+len(a.PlanModifiers) > 0 || a.Default != nil
	case schema.Int64Attribute:
		return len(a.Validators)+len(a.PlanModifiers) > 0 || a.Default != nil
	case schema.BoolAttribute:
		return len(a.Validators)+len(a.PlanModifiers) > 0 || a.Default != nil
	case schema.SingleNestedAttribute:
		return len(a.Validators)+len(a.PlanModifiers) > 0 || a.Default != nil || nested(a.Attributes)
	case schema.SetNestedAttribute:
		o := a.NestedObject
		return len(a.Validators)+len(a.PlanModifiers)+len(o.Validators)+len(o.PlanModifiers) > 0 || a.Default != nil ||
			nested(o.Attributes)
	default:
		return false
	}
}
