package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

type extensionKey struct{ db, name string }

func installedExtensions(dbs []itcare.Database) map[extensionKey]bool {
	m := map[extensionKey]bool{}
	for _, db := range dbs {
		for _, e := range db.Extensions {
			m[extensionKey{db.Name, e.Name}] = true
		}
	}
	return m
}

// extensionsFromSet reads the known extensions of an extensions set.
func extensionsFromSet(ctx context.Context, set types.Set) ([]extensionKey, diag.Diagnostics) {
	if !known(set) {
		return nil, nil
	}
	var items []extensionModel
	if diags := set.ElementsAs(ctx, &items, false); diags.HasError() {
		return nil, diags
	}
	out := make([]extensionKey, 0, len(items))
	for _, it := range items {
		if known(it.Database) && known(it.Name) {
			out = append(out, extensionKey{it.Database.ValueString(), it.Name.ValueString()})
		}
	}
	return out, nil
}

// extensionsOf reads the extensions of the prior and planned sets.
func extensionsOf(ctx context.Context, prior, plan types.Set) (had, want []extensionKey, diags diag.Diagnostics) {
	had, diags = extensionsFromSet(ctx, prior)
	want, d := extensionsFromSet(ctx, plan)
	diags.Append(d...)
	return had, want, diags
}

// removedExtensions describes the prior extensions the plan drops.
func removedExtensions(ctx context.Context, prior, plan types.Set) ([]string, diag.Diagnostics) {
	had, want, diags := extensionsOf(ctx, prior, plan)
	var out []string
	for _, e := range extensionsNotIn(had, keySet(want)) {
		out = append(out, fmt.Sprintf("%s in database %s", e.name, e.db))
	}
	return out, diags
}

// keySet indexes extensions for extensionsNotIn.
func keySet(keys []extensionKey) map[extensionKey]bool {
	m := make(map[extensionKey]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// extensionsNotIn lists the extensions of keys, in order, that are not in
// set: the one difference behind added, removed and missing extensions.
func extensionsNotIn(keys []extensionKey, set map[extensionKey]bool) []extensionKey {
	var out []extensionKey
	for _, k := range keys {
		if !set[k] {
			out = append(out, k)
		}
	}
	return out
}

// addedExtensions lists the planned extensions the prior state lacks.
func addedExtensions(ctx context.Context, prior, plan types.Set) ([]extensionKey, diag.Diagnostics) {
	had, want, diags := extensionsOf(ctx, prior, plan)
	return extensionsNotIn(want, keySet(had)), diags
}

// settledExtensions is the planned set restricted to what is true in
// ITCare: the extensions kept from the prior state, and the added ones of
// the databases in doneDBs. When every planned extension is there, it is
// the planned value itself.
func settledExtensions(ctx context.Context, prior, plan types.Set, doneDBs []string) (types.Set, diag.Diagnostics) {
	prev, planned, diags := extensionsOf(ctx, prior, plan)
	if diags.HasError() {
		return prior, diags
	}
	had := keySet(prev)
	var keep []extensionKey
	for _, e := range planned {
		if had[e] || slices.Contains(doneDBs, e.db) {
			keep = append(keep, e)
		}
	}
	if len(keep) == len(planned) {
		return plan, nil
	}
	if len(keep) == 0 && prior.IsNull() {
		return prior, nil
	}
	return extensionSetOf(keep)
}

func extensionSetOf(keys []extensionKey) (types.Set, diag.Diagnostics) {
	var diags diag.Diagnostics
	vals := make([]attr.Value, 0, len(keys))
	for _, e := range keys {
		v, d := types.ObjectValue(extensionAttrTypes, map[string]attr.Value{
			"database": types.StringValue(e.db),
			"name":     types.StringValue(e.name),
		})
		diags.Append(d...)
		vals = append(vals, v)
	}
	set, d := types.SetValue(types.ObjectType{AttrTypes: extensionAttrTypes}, vals)
	diags.Append(d...)
	return set, diags
}
