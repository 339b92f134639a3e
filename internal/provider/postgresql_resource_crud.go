package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

func (r *postgresqlResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan postgresqlResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var password, passwordAttr types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("adm_password_wo"), &passwordAttr)...)
	if resp.Diagnostics.HasError() {
		return
	}
	password = plan.AdmPassword
	pwPath := "adm_password"
	if !passwordAttr.IsNull() {
		password, pwPath = passwordAttr, "adm_password_wo"
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	op := opContext{Step: stepCreate, Name: plan.Name.ValueString(), Timeout: timeout, TimeoutName: "create", PasswordAttr: pwPath}
	action, id := r.sendCreate(ctx, client, plan, password.ValueString(), op, &resp.Diagnostics)
	if id == 0 {
		return
	}
	op.ID = id

	// Record the id before waiting: a failed or interrupted wait then
	// leaves a tainted resource, never an orphan.
	plan.ID = types.StringValue(strconv.FormatInt(id, 10))
	resp.Diagnostics.Append(setStateWithoutUnknowns(ctx, &resp.State, &plan)...)
	resp.Diagnostics.Append(recordPasswordGiven(ctx, resp.Private)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var err error
	if action != nil && action.ID != 0 {
		op.ActionID = action.ID
		_, err = client.WaitForAction(ctx, action.ID, r.data.wait)
	} else {
		_, err = waitForActionsInProgress(ctx, client, r.data.wait, id, true, nil)
	}
	// A restore not run yet could not be recorded as done: such a create
	// stays tainted, as one that timed out.
	if err != nil && interrupted(ctx, err) && plan.Restore.IsNull() {
		r.keepInterruptedCreate(ctx, client, op, resp)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryCreate, op, err)
		return
	}
	pg, dbs := r.completeCreate(ctx, client, plan, op, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	state, diags := flattenPostgreSQL(ctx, plan, pg, dbs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// sendCreate sends the create request and returns its action and the new
// instance's id; a zero id, with an error in diags, when there is none. The
// id is the one ITCare shows for the name (FindCreatedPostgreSQL), never a
// number taken on trust. A request whose outcome is unknown is never sent
// again: the instance is looked up instead.
func (r *postgresqlResource) sendCreate(ctx context.Context, client *itcare.Client, plan postgresqlResourceModel, password string, op opContext, diags *diag.Diagnostics) (*itcare.Action, int64) {
	action, err := client.CreatePostgreSQL(ctx, expandCreateRequest(plan, password))
	if err != nil && !itcare.IsUnknownOutcome(err) {
		// The client says the request never reached ITCare, or ITCare refused it.
		addAPIError(diags, summaryCreate, op, err)
		return nil, 0
	}
	if err != nil || action == nil || action.InternalID == 0 {
		tflog.Warn(ctx, "the create's answer names no instance, looking it up", map[string]any{"name": op.Name})
	}
	found, ferr := client.FindCreatedPostgreSQL(ctx, op.Name, action)
	if err == nil && ferr == nil && len(found) == 0 && action != nil && action.ID != 0 {
		// Accepted, yet shown nowhere: the instance may appear only once
		// its action has run.
		tflog.Info(ctx, "the new instance is not visible yet; waiting for its action before looking again", map[string]any{"action_id": action.ID})
		if _, werr := client.WaitForAction(ctx, action.ID, r.data.wait); werr != nil {
			op.ActionID = action.ID
			addAPIError(diags, summaryCreate, op, werr)
			return nil, 0
		}
		found, ferr = client.FindCreatedPostgreSQL(ctx, op.Name, action)
	}
	if ferr != nil || len(found) != 1 {
		addUnknownCreateOutcome(diags, op, action, err, found, ferr)
		return nil, 0
	}
	return action, found[0].ID
}

// completeCreate brings a new instance whose create action succeeded to
// the plan: the restore, then the settings the create request cannot
// carry, in the order every plan uses. It returns the instance as read
// after them.
func (r *postgresqlResource) completeCreate(ctx context.Context, client *itcare.Client, plan postgresqlResourceModel, op opContext, diags *diag.Diagnostics) (*itcare.PostgreSQL, []itcare.Database) {
	restore, d := restoreFromModel(ctx, plan.Restore)
	diags.Append(d...)
	if diags.HasError() {
		return nil, nil
	}
	if restore != nil {
		if err := r.runAtCreate(ctx, client, operation{Name: itcare.OpRestore, Options: restore}, op, summaryRestore, diags); err != nil {
			return nil, nil
		}
	}
	readOp := opContext{Step: stepRead, ID: op.ID, Name: op.Name}
	pg, dbs, err := readPostgreSQL(ctx, client, op.ID, !plan.Extensions.IsNull())
	if err != nil {
		addAPIError(diags, summaryCreate, readOp, err)
		return nil, nil
	}
	ops, d := postCreateOperations(ctx, plan, pg, dbs)
	diags.Append(d...)
	if diags.HasError() || len(ops) == 0 {
		return pg, dbs
	}
	for _, o := range ops {
		if err := r.runAtCreate(ctx, client, o, op, summaryCreate, diags); err != nil {
			return nil, nil
		}
	}
	// One read gives the state after all of them.
	pg, dbs, err = readPostgreSQL(ctx, client, op.ID, !plan.Extensions.IsNull())
	if err != nil {
		addAPIError(diags, summaryCreate, readOp, err)
		return nil, nil
	}
	return pg, dbs
}

// runAtCreate runs one operation on a new instance through the update
// sender (a 409 waits for the action in progress, a lost answer is never
// followed by a second request), and reports its failure under summary.
func (r *postgresqlResource) runAtCreate(ctx context.Context, client *itcare.Client, o operation, create opContext, summary string, diags *diag.Diagnostics) error {
	op := create
	op.Step, op.Operation, op.ActionID = stepOperation, o.label(), 0
	actionID, err := runOperation(ctx, client, r.data.wait, op.ID, o)
	if err != nil {
		op.ActionID = actionID
		addAPIError(diags, summary, op, err)
	}
	return err
}

func (r *postgresqlResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// Read runs for every instance on every plan: the codec does what
	// State.Get and State.Set do, without their reflection's cost.
	codec, err := postgresqlCodec()
	if err != nil {
		resp.Diagnostics.AddError("Provider Internal Error", "The resource's model does not match its schema: "+err.Error()+". Please report this issue to the provider developers.")
		return
	}
	var prior postgresqlResourceModel
	resp.Diagnostics.Append(codec.get(ctx, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := strconv.ParseInt(prior.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), summaryRead,
			fmt.Sprintf("The id %q in the state is not a number. Remove the resource from the state (terraform state rm) and import it again.", prior.ID.ValueString()))
		return
	}
	ended, diags := r.settlePendingAction(ctx, client, id, prior, req.Private, resp.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The extensions of an install_extension that just ended are not in
	// the state yet (it records only what was installed when the apply
	// stopped waiting): track them for this read, which keeps those that
	// are installed.
	hadNoExtensions := prior.Extensions.IsNull()
	prior.Extensions, diags = trackPendingExtensions(ctx, prior.Extensions, ended)
	resp.Diagnostics.Append(diags...)
	prior.Restore, diags = settledRestore(prior.Restore, ended)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pg, dbs, err := readPostgreSQL(ctx, client, id, known(prior.Extensions))
	if itcare.IsNotFound(err) {
		resp.Diagnostics.AddWarning("PostgreSQL Instance Not Found",
			fmt.Sprintf("The PostgreSQL instance %q (id %d) no longer exists in ITCare; it was deleted outside Terraform. "+
				"Terraform removed it from the state and will plan to create it again.", prior.Name.ValueString(), id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryRead, opContext{Step: stepRead, ID: id, Name: prior.Name.ValueString()}, err)
		return
	}
	state, diags := flattenPostgreSQL(ctx, prior, pg, dbs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if hadNoExtensions && known(state.Extensions) && len(state.Extensions.Elements()) == 0 {
		// A pending install that installed nothing leaves the state as it was.
		state.Extensions = types.SetNull(types.ObjectType{AttrTypes: extensionAttrTypes})
	}
	if itcare.IsDeleting(pg.Status) {
		// A delete that timed out, or another pipeline's: the state keeps
		// the instance until the API says it is gone, and says why.
		resp.Diagnostics.AddWarning("PostgreSQL Instance Being Deleted",
			fmt.Sprintf("ITCare is deleting the PostgreSQL instance %q (id %d): its status is %s. Any change planned for it "+
				"will fail; once the deletion ends, the next refresh removes it from the state. If the deletion is not "+
				"wanted, check it in the ITCare console.", prior.Name.ValueString(), id, pg.Status))
	}
	raw, diags := codec.value(ctx, &state)
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() {
		resp.State.Raw = raw
	}
}

func (r *postgresqlResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior postgresqlResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ops, diags := planOperations(ctx, prior, plan)
	resp.Diagnostics.Append(diags...)
	next, diags := stateBeforeOperations(ctx, prior, plan, ops)
	resp.Diagnostics.Append(diags...)
	pending, diags := getPendingAction(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !next.AdmPassword.IsNull() || !next.AdmPasswordWOVersion.IsNull() {
		resp.Diagnostics.Append(recordPasswordGiven(ctx, resp.Private)...)
	}
	if len(ops) == 0 && pending == nil {
		// Only provider-side or recorded values changed: nothing to send.
		resp.Diagnostics.Append(setStateWithoutUnknowns(ctx, &resp.State, &next)...)
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	id, err := strconv.ParseInt(prior.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), summaryUpdate,
			fmt.Sprintf("The id %q in the state is not a number. Remove the resource from the state (terraform state rm) and import it again.", prior.ID.ValueString()))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := &updateRun{client: client, id: id, prior: prior, plan: plan, next: next, ops: ops, resp: resp,
		base: opContext{Step: stepOperation, ID: id, Name: prior.Name.ValueString(), Timeout: timeout, TimeoutName: "update", InUpdate: true}}
	if pending != nil && !r.resumePending(ctx, u, pending) {
		return
	}
	for _, o := range u.ops {
		op := u.base
		op.Operation = o.label()
		actionID, err := runOperation(ctx, client, r.data.wait, id, o)
		if err != nil {
			op.ActionID = actionID
			// An action still running, whether the wait for it timed out,
			// was interrupted (Ctrl-C) or the answer naming it was lost,
			// is recorded so that the next run waits for it instead of
			// sending o again.
			if actionID != 0 && (errors.Is(err, context.DeadlineExceeded) || interrupted(ctx, err) || itcare.IsUnknownOutcome(err)) {
				resp.Diagnostics.Append(setPendingAction(ctx, resp.Private, pendingFor(o, actionID))...)
				op.Pending = true
			}
			// The operations before this one are done: record them, so
			// that the next plan shows only what is left.
			r.saveUpdated(ctx, client, id, &u.next, &resp.State, &resp.Diagnostics)
			addAPIError(&resp.Diagnostics, summaryUpdate, op, err)
			return
		}
		u.settled(ctx, o)
	}
	r.saveUpdated(ctx, client, id, &u.next, &resp.State, &resp.Diagnostics)
}

// updateRun is one Update under way: next is the state to record, ops
// the operations still to send, doneDBs the databases whose extensions
// are installed.
type updateRun struct {
	client      *itcare.Client
	id          int64
	prior, plan postgresqlResourceModel
	next        postgresqlResourceModel
	ops         []operation
	doneDBs     []string
	base        opContext
	resp        *resource.UpdateResponse
}

// settled records in next what o, which succeeded, made true.
func (u *updateRun) settled(ctx context.Context, o operation) {
	if o.Database != "" {
		u.doneDBs = append(u.doneDBs, o.Database)
	}
	u.resp.Diagnostics.Append(settle(ctx, &u.next, u.prior, u.plan, o, u.doneDBs)...)
}

// resumePending waits for the action of an operation that an earlier
// apply stopped waiting for, instead of sending the operation a second
// time, and takes the operation out of u.ops if it succeeded. It returns
// false when the update stops there (state and error recorded).
func (r *postgresqlResource) resumePending(ctx context.Context, u *updateRun, pending *pendingAction) bool {
	op := u.base
	op.Operation, op.ActionID = pending.label(), pending.ActionID
	_, err := waitForPending(ctx, u.client, r.data.wait, u.id, pending)
	if err == nil || itcare.IsNotFound(err) {
		u.resp.Diagnostics.Append(setPendingAction(ctx, u.resp.Private, nil)...)
		// An unnamed action's outcome is unknown: the operation is checked
		// against the instance before it is sent again (checkFirst or
		// the 409 handling never resend what ITCare already shows).
		if i := slices.IndexFunc(u.ops, pending.matches); i >= 0 && err == nil && pending.ActionID != actionUnnamed {
			u.settled(ctx, u.ops[i])
			u.ops = slices.Delete(u.ops, i, i+1)
		}
		return true
	}
	var actionErr *itcare.ActionError
	if errors.As(err, &actionErr) {
		u.resp.Diagnostics.Append(setPendingAction(ctx, u.resp.Private, nil)...)
	}
	r.saveUpdated(ctx, u.client, u.id, &u.next, &u.resp.State, &u.resp.Diagnostics)
	addAPIError(&u.resp.Diagnostics, summaryUpdate, op, err)
	return false
}

// saveUpdated fills the values an update leaves unknown (the read-only
// ones its operations change) from one read of the instance, and saves
// next. The arguments keep the values next holds: the planned ones for
// the operations that succeeded, the prior ones for the others. A failed
// read still saves next, so that what was done is not lost.
func (r *postgresqlResource) saveUpdated(ctx context.Context, client *itcare.Client, id int64, next *postgresqlResourceModel, st *tfsdk.State, diags *diag.Diagnostics) {
	// The wait may have used up the update timeout; the read gets its own
	// short budget so that the state still records what was done.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalReadTimeout)
	defer cancel()
	pg, dbs, err := readPostgreSQL(readCtx, client, id, known(next.Extensions))
	if err != nil {
		diags.AddWarning("PostgreSQL Instance Not Read After Update",
			fmt.Sprintf("Could not read the PostgreSQL instance %q (id %d) after the update: %v. Its read-only attributes are refreshed by the next plan.",
				next.Name.ValueString(), id, err))
	} else {
		fresh, d := flattenPostgreSQL(ctx, *next, pg, dbs)
		diags.Append(d...)
		fillUnknownFromRead(ctx, next, fresh)
	}
	diags.Append(setStateWithoutUnknowns(ctx, st, next)...)
}

func (r *postgresqlResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state postgresqlResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Terraform does not ask the provider before it replaces a tainted
	// instance or one named by -replace: this is the only place that can
	// stop those, and it judges the same value as the plan-time checks.
	if protected(state) {
		resp.Diagnostics.AddAttributeError(path.Root("deletion_protection"), summaryProtected,
			fmt.Sprintf("Terraform did not delete the PostgreSQL instance %q (id %s): its state has deletion_protection = true. "+
				"Deleting destroys the instance and all its data. A delete that no plan refused comes from terraform apply "+
				"-replace or from a tainted instance: to keep the instance, drop -replace, or run terraform untaint on it. %s",
				state.Name.ValueString(), state.ID.ValueString(), unprotectHowTo))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		// Nothing in ITCare can carry this id.
		return
	}
	op := opContext{Step: stepDelete, ID: id, Name: state.Name.ValueString(), Timeout: timeout, TimeoutName: "delete"}

	action, err := client.DeletePostgreSQL(ctx, id)
	if itcare.IsConflict(err) {
		// An action already runs on the instance (a create that timed
		// out, a console operation): let it finish, whatever its outcome,
		// then try once more.
		if _, werr := waitForOthersActions(ctx, client, r.data.wait, id, err); werr != nil && !itcare.IsNotFound(werr) {
			addAPIError(&resp.Diagnostics, summaryDelete, op, werr)
			return
		}
		action, err = client.DeletePostgreSQL(ctx, id)
	}
	if itcare.IsNotFound(err) {
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryDelete, op, err)
		return
	}
	if action == nil || action.ID == 0 {
		return
	}
	op.ActionID = action.ID
	if _, err := client.WaitForAction(ctx, action.ID, r.data.wait); err != nil && !itcare.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, summaryDelete, op, err)
	}
}

func (r *postgresqlResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID := strings.TrimSpace(req.ID)
	if _, err := strconv.ParseInt(importID, 10, 64); err == nil {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), importID)...)
		return
	}
	if importID == "" {
		resp.Diagnostics.AddError(summaryImport, "The import id is empty. Give the numeric ITCare id of the instance (e.g. 500061854) or its name.")
		return
	}
	client, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := findPostgreSQLByName(ctx, client, importID)
	if itcare.IsNotOffered(err) {
		resp.Diagnostics.AddError(summaryImport, fmt.Sprintf(
			"This ITCare API does not list PostgreSQL instances by name (%s), so %q cannot be imported by name. "+
				"Import it by its numeric id instead (the ITCare console shows it): terraform import <address> <id>, "+
				"or an import block whose id is that number.", err, importID))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, summaryImport, opContext{Step: stepLookUp, Name: importID}, err)
		return
	}
	switch len(found) {
	case 0:
		resp.Diagnostics.AddError(summaryImport, fmt.Sprintf(
			"No PostgreSQL instance named %q exists in ITCare for this API account. A non-numeric import id is taken "+
				"as the instance name; check the name, or import by the numeric id shown in the ITCare console.", importID))
	case 1:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(found[0].ID, 10))...)
	default:
		ids := make([]string, len(found))
		for i, pg := range found {
			ids[i] = strconv.FormatInt(pg.ID, 10)
		}
		resp.Diagnostics.AddError(summaryImport, fmt.Sprintf(
			"%d PostgreSQL instances are named %q (ids %s). Import the one you mean by its numeric id.",
			len(found), importID, strings.Join(ids, ", ")))
	}
}

// readPostgreSQL reads the instance and, when extensions are tracked, its
// databases.
func readPostgreSQL(ctx context.Context, client *itcare.Client, id int64, withDatabases bool) (*itcare.PostgreSQL, []itcare.Database, error) {
	pg, err := client.GetPostgreSQL(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !withDatabases {
		return pg, nil, nil
	}
	dbs, err := client.GetPostgreSQLDatabases(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return pg, dbs, nil
}

// findPostgreSQLByName returns the instances named exactly name.
func findPostgreSQLByName(ctx context.Context, client *itcare.Client, name string) ([]itcare.PostgreSQL, error) {
	list, err := client.FindPostgreSQLByName(ctx, name)
	if err != nil {
		return nil, err
	}
	out := list[:0:0]
	for _, pg := range list {
		if pg.Name == name {
			out = append(out, pg)
		}
	}
	return out, nil
}
