package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The RequiresReplaceIf functions below are only called by the framework
// for an existing instance whose planned value differs from the state.

// versionLowerRequiresReplace replaces the instance for a lower major
// version; a higher one is an in-place upgrade.
func versionLowerRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = versionLower(req.StateValue, req.PlanValue)
		},
		"A lower major version replaces the instance; a higher one upgrades it in place.",
		"A lower major version replaces the instance; a higher one upgrades it in place.",
	)
}

func versionLower(prior, plan types.String) bool {
	a, errA := strconv.Atoi(prior.ValueString())
	b, errB := strconv.Atoi(plan.ValueString())
	return errA == nil && errB == nil && b < a
}

// topologyRequiresReplace replaces the instance for HA to STANDALONE, which
// ITCare has no operation for.
func topologyRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = req.StateValue.ValueString() == topologyHA && req.PlanValue.ValueString() == topologyStandalone
		},
		"HA to STANDALONE replaces the instance; STANDALONE to HA changes it in place.",
		"`HA` to `STANDALONE` replaces the instance; `STANDALONE` to `HA` changes it in place.",
	)
}

// replicationLagRequiresReplace replaces the instance for a new lag, except
// when the same plan switches it to HA: enable_ha then carries the lag.
func replicationLagRequiresReplace() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			var prior, planned types.String
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("topology"), &prior)...)
			resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("topology"), &planned)...)
			resp.RequiresReplace = !(prior.ValueString() == topologyStandalone && planned.ValueString() == topologyHA)
		},
		"Replaces the instance, except together with a STANDALONE to HA change.",
		"Replaces the instance, except together with a `STANDALONE` to `HA` change.",
	)
}

// requiresReplaceIfPriorSetString replaces the instance when a create-only
// value that the state records changes to another. A value the state does
// not have (an imported instance: the API never returns it) is only
// recorded, and a removed one only dropped: neither changes ITCare.
func requiresReplaceIfPriorSetString() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
		},
		"Changing a recorded value replaces the instance.",
		"Changing a recorded value replaces the instance.",
	)
}

// requiresReplaceIfReadBackDiffers is requiresReplaceIfPriorSetString for a
// create-only boolean that ITCare reads back under another name (readBack,
// a read-only attribute): a value set where the state has none replaces
// the instance when it differs from what ITCare reports, since recording
// it would put a false value in the state.
func requiresReplaceIfReadBackDiffers(readBack string) planmodifier.Bool {
	desc := "Changing a recorded value, or setting one that differs from " + readBack + ", replaces the instance."
	return boolplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
			if !req.StateValue.IsNull() {
				resp.RequiresReplace = !req.PlanValue.IsNull()
				return
			}
			var read types.Bool
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(readBack), &read)...)
			resp.RequiresReplace = readBackDiffers(req.PlanValue, read)
		},
		desc, desc,
	)
}

// readBackDiffers reports a configured value that ITCare reads back as
// another.
func readBackDiffers(configured, read types.Bool) bool {
	return known(configured) && known(read) && configured.ValueBool() != read.ValueBool()
}

// requiresReplaceIfPriorSetBool is requiresReplaceIfPriorSetString for booleans.
func requiresReplaceIfPriorSetBool() planmodifier.Bool {
	return boolplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() && !req.PlanValue.IsNull()
		},
		"Changing a recorded value replaces the instance.",
		"Changing a recorded value replaces the instance.",
	)
}

// sameRestore reports two restore values that ask for the same restore:
// equal, or equal but for how the timestamp writes one instant.
func sameRestore(a, b types.Object) bool {
	if a.Equal(b) {
		return true
	}
	if !known(a) || !known(b) {
		return false
	}
	x, y := a.Attributes(), b.Attributes()
	for k, v := range x {
		if k != "timestamp" && !v.Equal(y[k]) {
			return false
		}
	}
	tx, okx := x["timestamp"].(types.String)
	ty, oky := y["timestamp"].(types.String)
	return okx && oky && sameInstant(tx, ty)
}

// sameInstant reports two RFC 3339 timestamps of one instant.
func sameInstant(a, b types.String) bool {
	ta, errA := time.Parse(time.RFC3339, a.ValueString())
	tb, errB := time.Parse(time.RFC3339, b.ValueString())
	return errA == nil && errB == nil && ta.Equal(tb)
}
