package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// pendingActionKey is the private-state key of an operation whose wait
// timed out: the next refresh or apply waits for its action rather than
// sending the operation again.
const pendingActionKey = "pending_action"

// pendingAction is the private-state record of an operation still running
// in ITCare.
type pendingAction struct {
	ActionID  int64  `json:"action_id"`
	Operation string `json:"operation"`
	Database  string `json:"database,omitempty"`
	// Extensions are the extensions an install_extension installs in
	// Database. The state cannot hold them while the action runs, and a
	// refresh only reads the extensions the state tracks: without this
	// list, a refresh after the action ended would not see them installed
	// and the next plan would send the operation again.
	Extensions []string `json:"extensions,omitempty"`
	// Restore is the restore block a pending restore applies, as
	// configured: the refresh that sees its action succeed records it, so
	// that the next plan does not restore again.
	Restore *restoreRecord `json:"restore,omitempty"`
	// succeeded is set by settlePendingAction for an action that ended in
	// SUCCESS; it is never stored.
	succeeded bool
}

// restoreRecord is a restore block as configured.
type restoreRecord struct {
	SourceID  int64  `json:"source_id"`
	Timestamp string `json:"timestamp"`
	Stop      string `json:"stop"`
}

// restoreRecordOf records a known restore block.
func restoreRecordOf(ctx context.Context, o types.Object) (*restoreRecord, diag.Diagnostics) {
	if !known(o) {
		return nil, nil
	}
	var m restoreModel
	if diags := o.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
		return nil, diags
	}
	return &restoreRecord{SourceID: m.SourceID.ValueInt64(), Timestamp: m.Timestamp.ValueString(), Stop: m.Stop.ValueString()}, nil
}

// settledRestore is the restore the state records after a refresh: the
// pending restore's block once its action succeeded, else the prior one.
func settledRestore(prior types.Object, p *pendingAction) (types.Object, diag.Diagnostics) {
	if p == nil || !p.succeeded || p.Restore == nil {
		return prior, nil
	}
	return types.ObjectValue(restoreAttrTypes, map[string]attr.Value{
		"source_id": types.Int64Value(p.Restore.SourceID),
		"timestamp": types.StringValue(p.Restore.Timestamp),
		"stop":      types.StringValue(p.Restore.Stop),
	})
}

// pendingFor is the record of o, whose action actionID is still running.
func pendingFor(o operation, actionID int64) *pendingAction {
	return &pendingAction{ActionID: actionID, Operation: o.Name, Database: o.Database, Extensions: o.extensionNames(), Restore: o.Restore}
}

func (p pendingAction) label() string {
	return operation{Name: p.Operation, Database: p.Database}.label()
}

// matches reports whether o is the operation the pending action runs. An
// install_extension matches by database, and only if the pending action
// installs every extension o asks for: an extension added to the
// configuration since still needs its own request.
func (p pendingAction) matches(o operation) bool {
	if p.Operation != o.Name || p.Database != o.Database {
		return false
	}
	if p.Restore != nil && o.Restore != nil && *p.Restore != *o.Restore {
		// Another restore point: a restore of its own.
		return false
	}
	for _, n := range o.extensionNames() {
		if !slices.Contains(p.Extensions, n) {
			return false
		}
	}
	return true
}

// trackPendingExtensions adds to tracked the extensions of a pending
// install_extension, so that the read that follows the end of its action
// records those it finds installed (flattenExtensions keeps only tracked
// extensions that are installed, so a failed action adds nothing).
func trackPendingExtensions(ctx context.Context, tracked types.Set, p *pendingAction) (types.Set, diag.Diagnostics) {
	if p == nil || p.Database == "" || len(p.Extensions) == 0 {
		return tracked, nil
	}
	keys, diags := extensionsFromSet(ctx, tracked)
	if diags.HasError() {
		return tracked, diags
	}
	for _, n := range p.Extensions {
		if k := (extensionKey{p.Database, n}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return extensionSetOf(keys)
}

// privateGetter and privateSetter are the private-state methods that the
// requests and responses of Read and Update share.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func getPendingAction(ctx context.Context, p privateGetter) (*pendingAction, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, pendingActionKey)
	if diags.HasError() || len(raw) == 0 {
		return nil, diags
	}
	var pa pendingAction
	if err := json.Unmarshal(raw, &pa); err != nil || pa.ActionID == 0 {
		// A record this version cannot read is dropped: nothing can wait for it.
		return nil, diags
	}
	return &pa, diags
}

func setPendingAction(ctx context.Context, p privateSetter, pa *pendingAction) diag.Diagnostics {
	if pa == nil {
		return p.SetKey(ctx, pendingActionKey, nil)
	}
	raw, err := json.Marshal(pa)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Error Saving Private State", err.Error())
		return diags
	}
	return p.SetKey(ctx, pendingActionKey, raw)
}

// maxConflictWaits bounds how often one operation waits for an action that
// another party started before it is sent.
const maxConflictWaits = 5

// runOperation sends one operation and waits for its action. A 409 means
// another action runs on the instance and nothing was applied: wait for the
// running actions, then send the operation again, within ctx, unless
// ITCare then shows its target reached. The action id is returned as soon
// as ITCare names one, also with an error. An answer that was lost is
// resolved by resolveUnknownOutcome; its error comes back with the id of
// the action found running for the operation, if any.
func runOperation(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, o operation) (int64, error) {
	if o.spec().checkFirst {
		if reached, err := operationTargetReached(ctx, client, id, o); err == nil && reached {
			return 0, nil
		}
	}
	emptyLists := 0
	for attempt := 0; ; attempt++ {
		action, err := client.PatchPostgreSQL(ctx, id, o.request())
		if itcare.IsConflict(err) && attempt < maxConflictWaits {
			n, werr := waitForOthersActions(ctx, client, wait, id, err)
			if werr != nil {
				return 0, fmt.Errorf("%w; waiting for the action already in progress: %w", err, werr)
			}
			if n == 0 {
				emptyLists++
			}
			if emptyLists > 1 {
				// A conflict twice without a running action (the instance
				// is in a state that refuses operations): waiting cannot
				// help. Once only, the action may just have ended between
				// the 409 and the list: look and send again.
				return 0, err
			}
			// The action waited for may have been this very operation:
			// sent by an earlier apply whose answer was lost, or by
			// someone else. Sending it again would run it twice.
			reached, rerr := operationTargetReached(ctx, client, id, o)
			if rerr != nil {
				return 0, fmt.Errorf("%w; reading the instance after the action in progress ended: %w", err, rerr)
			}
			if reached {
				return 0, nil
			}
			continue
		}
		if itcare.IsUnknownOutcome(err) {
			return resolveUnknownOutcome(ctx, client, id, o, err)
		}
		if err != nil {
			return 0, err
		}
		if action == nil || action.ID == 0 {
			return 0, nil
		}
		_, err = client.WaitForAction(ctx, action.ID, wait)
		return action.ID, err
	}
}

// resolveUnknownOutcome looks for what became of a PATCH whose answer was
// lost (the client never resends one). An action of the operation in
// progress on the instance is taken as its action: its id is returned with
// err, for the caller to record it like an action whose wait timed out, so
// that the next run waits for it instead of sending the operation again.
// Without one, the instance is read: a target already reached means the
// operation is done (nil error). Otherwise the outcome stays unknown and
// err is returned; the next plan proposes the change again, and a late
// action is caught by the 409 handling of runOperation.
func resolveUnknownOutcome(ctx context.Context, client *itcare.Client, id int64, o operation, err error) (int64, error) {
	actions, lerr := client.ListActions(ctx, itcare.ActionFilter{ResourceID: id, Statuses: []string{itcare.ActionStatusInProgress}})
	if lerr == nil {
		if a := runningActionOf(actions, o); a != nil {
			return a.ID, fmt.Errorf("%w; ITCare action %d (%s), in progress on the instance, is taken as its action", err, a.ID, a.Process)
		}
	}
	pg, dbs, rerr := readPostgreSQL(ctx, client, id, o.spec().readsDatabases)
	if rerr == nil && targetReached(o, pg, dbs) {
		return 0, nil
	}
	if itcare.IsNotOffered(lerr) && rerr == nil && itcare.ClassifyStatus(pg.Status) == itcare.StatusTransitional {
		// Where ITCare lists no actions, an instance that is changing is
		// the only sign of the operation: it is recorded, unnamed, so
		// that the next run waits for the instance to settle.
		return actionUnnamed, fmt.Errorf("%w; the instance is %s, and ITCare lists no actions: its change is taken as the operation's", err, pg.Status)
	}
	return 0, err
}

// actionUnnamed stands for the id of an action that runs on the instance
// but that ITCare does not name (GET /actions is not served): waiting for
// it is waiting for the instance to settle.
const actionUnnamed int64 = -1

// waitForPending waits for a recorded action: by its id, or for the
// instance to settle when ITCare did not name it.
func waitForPending(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, p *pendingAction) (*itcare.Action, error) {
	if p.ActionID == actionUnnamed {
		_, err := client.WaitUntilSettled(ctx, id, wait)
		return nil, err
	}
	return client.WaitForAction(ctx, p.ActionID, wait)
}

// runningActionOf returns the most recently submitted action in progress
// whose process is o's, or nil.
func runningActionOf(actions []itcare.Action, o operation) *itcare.Action {
	var best *itcare.Action
	for i := range actions {
		a := &actions[i]
		if a.ID == 0 || (a.Status != "" && !strings.EqualFold(a.Status, itcare.ActionStatusInProgress)) || !processRuns(a.Process, o.Name) {
			continue
		}
		if best == nil || submittedAt(a).After(submittedAt(best)) || (submittedAt(a).Equal(submittedAt(best)) && a.ID > best.ID) {
			best = a
		}
	}
	return best
}

// processRuns reports whether an action's process (POSTGRESQL_RESIZE, ...)
// is the one of operation op (resize, ...). The underscore before the
// operation keeps RESTART from passing for START.
func processRuns(process, op string) bool {
	return process != "" && strings.HasSuffix(strings.ToUpper(process), "_"+strings.ToUpper(op))
}

func submittedAt(a *itcare.Action) time.Time {
	if a.SubmittedAt == nil {
		return time.Time{}
	}
	return a.SubmittedAt.Time
}

// operationTargetReached reads the instance (and its databases for an
// install_extension) and reports whether it already shows o's target.
func operationTargetReached(ctx context.Context, client *itcare.Client, id int64, o operation) (bool, error) {
	pg, dbs, err := readPostgreSQL(ctx, client, id, o.spec().readsDatabases)
	if err != nil {
		return false, err
	}
	return targetReached(o, pg, dbs), nil
}

// targetReached reports whether ITCare already shows what o asks for, in
// which case sending o would only run it a second time. An operation it
// cannot judge, or a status seen while an action runs, is not reached.
func targetReached(o operation, pg *itcare.PostgreSQL, dbs []itcare.Database) bool {
	reached := o.spec().reached
	return pg != nil && reached != nil && reached(o, pg, dbs)
}

// waitForOthersActions waits for the actions in progress on the instance
// that made a write answer conflict (409), and returns how many there
// were. Their outcome is not this apply's concern: an action of someone
// else that fails does not fail the apply.
func waitForOthersActions(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, conflict error) (int, error) {
	return waitForActionsInProgress(ctx, client, wait, id, false, conflict)
}

// waitForActionsInProgress waits for every action in progress on the
// instance and returns how many there were. ours says whether they are
// this apply's own (a create whose answer named no action): then one that
// ends in ERROR is the apply's failure. conflict is the 409 that made the
// caller wait, if any.
//
// Where ITCare lists no actions, the 409 may name the action it waits for;
// else the instance's status is the only sign that what runs on it has
// ended.
func waitForActionsInProgress(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, ours bool, conflict error) (int, error) {
	var ids []int64
	actions, err := client.ListActions(ctx, itcare.ActionFilter{ResourceID: id, Statuses: []string{itcare.ActionStatusInProgress}})
	switch {
	case itcare.IsNotOffered(err) && itcare.ConflictingActionID(conflict) != 0:
		ids = []int64{itcare.ConflictingActionID(conflict)}
	case itcare.IsNotOffered(err):
		waited, err := client.WaitUntilSettled(ctx, id, wait)
		if waited {
			return 1, err
		}
		return 0, err
	case err != nil:
		return 0, err
	}
	for _, a := range actions {
		if a.ID != 0 && (a.Status == "" || strings.EqualFold(a.Status, itcare.ActionStatusInProgress)) {
			ids = append(ids, a.ID)
		}
	}
	for i, aid := range ids {
		_, err := client.WaitForAction(ctx, aid, wait)
		var actionErr *itcare.ActionError
		if err != nil && (ours || !errors.As(err, &actionErr)) && !itcare.IsNotFound(err) {
			return i + 1, err
		}
	}
	return len(ids), nil
}

// settlePendingAction waits, within the update timeout, for the action of
// an operation whose wait timed out (or whose answer was lost) in an
// earlier apply, so that the read that follows sees its result and the
// operation is never sent twice. An action that ended, however it ended,
// is forgotten and returned, for the read to look at what it changed; one
// still running stays recorded for the next refresh or apply.
func (r *postgresqlResource) settlePendingAction(ctx context.Context, client *itcare.Client, id int64, prior postgresqlResourceModel, from privateGetter, to privateSetter) (*pendingAction, diag.Diagnostics) {
	pending, diags := getPendingAction(ctx, from)
	if pending == nil || diags.HasError() {
		return nil, diags
	}
	timeout, d := createWaitTimeout(ctx, prior, pending)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	subject := fmt.Sprintf("the PostgreSQL instance %q (id %d)", prior.Name.ValueString(), id)
	if pending.ActionID == actionUnnamed {
		// What became of it cannot be known: the read that follows shows
		// the instance as it is, and the next plan what is left.
		if _, err := waitForPending(waitCtx, client, r.data.wait, id, pending); err != nil {
			diags.AddWarning("ITCare Action Still Running", fmt.Sprintf("%s is still changing after an operation (%s) whose action "+
				"ITCare does not name: the refresh waited %s for it (%v). Terraform waits for it on the next refresh or apply "+
				"instead of sending %s again.", subject, pending.label(), timeout, err, pending.Operation))
			return nil, diags
		}
		diags.Append(setPendingAction(ctx, to, nil)...)
		return pending, diags
	}
	a, err := client.GetAction(waitCtx, pending.ActionID)
	if err == nil && strings.EqualFold(a.Status, itcare.ActionStatusInProgress) {
		tflog.Info(ctx, "waiting for an ITCare action started by an earlier apply", map[string]any{"action_id": pending.ActionID, "operation": pending.label()})
		a, err = client.WaitForAction(waitCtx, pending.ActionID, r.data.wait)
	} else if err == nil && strings.EqualFold(a.Status, itcare.ActionStatusError) {
		err = &itcare.ActionError{ActionID: a.ID, Process: a.Process, Message: a.Message, Action: a}
	}
	var actionErr *itcare.ActionError
	switch {
	case err == nil && a != nil && !strings.EqualFold(a.Status, itcare.ActionStatusSuccess):
		// An undocumented status: still running, as the waiter reads it.
		diags.AddWarning("ITCare Action Still Running", fmt.Sprintf("ITCare action %d (%s) on %s has status %s. "+
			"Terraform waits for it on the next refresh or apply instead of sending %s again.", pending.ActionID, pending.label(), subject, a.Status, pending.Operation))
		return nil, diags
	case err == nil:
		pending.succeeded = true
	case itcare.IsNotFound(err):
	case errors.As(err, &actionErr):
		msg := actionErr.Message
		if msg == "" {
			msg = "no message"
		}
		if pending.Operation == pendingCreate {
			diags.Append(recordFailedCreate(ctx, to, pending.ActionID, msg)...)
			break
		}
		diags.AddWarning("Earlier ITCare Operation Failed", fmt.Sprintf("ITCare action %d (%s), which an earlier apply stopped "+
			"waiting for, ended in ERROR on %s: %s. The state shows the instance as ITCare reports it; the next plan proposes "+
			"the change again.", pending.ActionID, pending.label(), subject, msg))
	default:
		// A refresh cannot read the configuration: it waited with the
		// timeouts of the last apply, and says so; the plan says what the
		// apply will wait with (planPendingAction).
		diags.AddWarning("ITCare Action Still Running", fmt.Sprintf("ITCare action %d (%s) on %s is still running: the refresh "+
			"waited %s for it, the timeout recorded by the last apply (%v). Terraform waits for it on the next refresh or "+
			"apply instead of sending %s again; check it in the ITCare console.",
			pending.ActionID, pending.label(), subject, timeout, err, pending.Operation))
		return nil, diags
	}
	diags.Append(setPendingAction(ctx, to, nil)...)
	return pending, diags
}
