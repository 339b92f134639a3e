package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// pendingCreate is the operation of the pending-action record of a create
// whose wait was interrupted.
const pendingCreate = "create"

// failedCreateKey is the private-state key recording that the create of
// an interrupted apply ended in ERROR: the next plan replaces the instance.
const failedCreateKey = "failed_create"

// failedCreate is the record under failedCreateKey.
type failedCreate struct {
	ActionID int64  `json:"action_id"`
	Message  string `json:"message"`
}

// interrupted reports a wait that ended because Terraform was interrupted
// (Ctrl-C cancels the request's context), not because timeouts ran out.
func interrupted(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}

// keepInterruptedCreate ends a create whose wait Terraform interrupted
// without an error, so that the instance is not tainted: ITCare goes on
// creating it, and throwing it away would cost up to two hours. The create
// action is recorded for the next refresh to wait for; the state already
// holds the id.
func (r *postgresqlResource) keepInterruptedCreate(ctx context.Context, client *itcare.Client, op opContext, resp *resource.CreateResponse) {
	actionID := op.ActionID
	if actionID == 0 {
		// The 202 named no action: find it, with a budget of its own since
		// the request's context is gone.
		lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalReadTimeout)
		defer cancel()
		actions, err := client.ListActions(lookCtx, itcare.ActionFilter{ResourceID: op.ID, Statuses: []string{itcare.ActionStatusInProgress}})
		if err == nil {
			if a := runningActionOf(actions, operation{Name: pendingCreate}); a != nil {
				actionID = a.ID
			}
		}
	}
	if actionID != 0 {
		resp.Diagnostics.Append(setPendingAction(ctx, resp.Private, &pendingAction{ActionID: actionID, Operation: pendingCreate})...)
	}
	resp.Diagnostics.AddWarning("PostgreSQL Instance Create Interrupted",
		fmt.Sprintf("Terraform was interrupted while ITCare creates %s (action %d). The instance is kept in the state, not "+
			"tainted: the next plan or apply waits for the action and adopts the instance, then applies what the create "+
			"request cannot carry (patch party, extensions, power state). If the action fails, the next plan replaces "+
			"the instance and says why.", op.subject(), actionID))
}

// createWaitTimeout is how long a refresh waits for a pending action: a
// create may take timeouts.create, any other operation timeouts.update.
func createWaitTimeout(ctx context.Context, prior postgresqlResourceModel, pending *pendingAction) (time.Duration, diag.Diagnostics) {
	if pending.Operation == pendingCreate {
		return prior.Timeouts.Create(ctx, defaultCreateTimeout)
	}
	return prior.Timeouts.Update(ctx, defaultUpdateTimeout)
}

// recordFailedCreate remembers that the create of an interrupted apply
// failed, for ModifyPlan to replace the instance.
func recordFailedCreate(ctx context.Context, to privateSetter, actionID int64, message string) diag.Diagnostics {
	raw, err := json.Marshal(failedCreate{ActionID: actionID, Message: message})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Error Saving Private State", err.Error())
		return diags
	}
	return to.SetKey(ctx, failedCreateKey, raw)
}

// planFailedCreate plans the replacement of an instance whose create
// failed after an interrupted apply: status, which ITCare will report
// anew, is the attribute that forces it. A protected instance is refused
// like any other replacement.
func planFailedCreate(ctx context.Context, from privateGetter, prior postgresqlResourceModel, plan *postgresqlResourceModel, resp *resource.ModifyPlanResponse) bool {
	raw, diags := from.GetKey(ctx, failedCreateKey)
	resp.Diagnostics.Append(diags...)
	var failed failedCreate
	if len(raw) == 0 || json.Unmarshal(raw, &failed) != nil {
		return false
	}
	why := fmt.Sprintf("The create of the PostgreSQL instance %q (id %s) failed in ITCare after an interrupted apply "+
		"(action %d: %s), so Terraform must replace it: the new instance is created from the configuration.",
		prior.Name.ValueString(), prior.ID.ValueString(), failed.ActionID, failed.Message)
	if protected(prior) {
		if known(plan.DeletionProtection) && !plan.DeletionProtection.ValueBool() {
			// Lifting the protection is an apply of its own; the
			// replacement is planned by the next one.
			resp.Diagnostics.AddWarning("PostgreSQL Instance Replaced Next", why+" This apply lifts deletion_protection; "+
				"the next plan replaces the instance.")
			return false
		}
		resp.Diagnostics.AddAttributeError(path.Root("deletion_protection"), summaryProtected, why+" deletion_protection is "+
			"true in the state, so the plan is refused before anything is touched. Check the instance in the ITCare "+
			"console; to replace it, set deletion_protection = false and apply that change on its own, then apply again.")
		return true
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("status"), "PostgreSQL Instance Will Be Replaced", why)
	plan.Status = types.StringUnknown()
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	return true
}

// passwordGivenKey is the private-state key saying that Terraform gave
// ITCare the instance's administrator password: it created the instance,
// or recorded a password attribute since. A password attribute removed
// and set again is then refused like any change ITCare cannot make.
const passwordGivenKey = "password_given"

// passwordGiven reads the record under passwordGivenKey.
func passwordGiven(ctx context.Context, from privateGetter) (bool, diag.Diagnostics) {
	raw, diags := from.GetKey(ctx, passwordGivenKey)
	return len(raw) > 0, diags
}

// recordPasswordGiven writes the record under passwordGivenKey.
func recordPasswordGiven(ctx context.Context, to privateSetter) diag.Diagnostics {
	return to.SetKey(ctx, passwordGivenKey, []byte(`true`))
}

// planPendingAction says, at plan time, how long the apply will wait for
// an action an earlier apply left running: with the configured timeouts,
// which a refresh cannot read.
func planPendingAction(ctx context.Context, from privateGetter, plan postgresqlResourceModel) diag.Diagnostics {
	pending, diags := getPendingAction(ctx, from)
	if pending == nil || diags.HasError() {
		return diags
	}
	timeout, d := createWaitTimeout(ctx, plan, pending)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	diags.AddWarning("Apply Waits for a Running ITCare Action", fmt.Sprintf("ITCare action %d (%s), which an earlier apply "+
		"stopped waiting for, is still running on the PostgreSQL instance %q. The apply waits for it, up to %s as the "+
		"configuration's timeouts say, instead of sending %s again.", pending.ActionID, pending.label(), plan.Name.ValueString(),
		shortDuration(timeout), pending.Operation))
	return diags
}
