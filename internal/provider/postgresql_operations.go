package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// Attributes an operation settles. Everything else in a plan is either
// provider-side or recorded without an API call.
const (
	attrPowerState        = "power_state"
	attrVersion           = "version"
	attrNodeSizing        = "node_sizing"
	attrTopology          = "topology"
	attrReplicationLag    = "allowed_replication_lag"
	attrMonitoringEnabled = "monitoring_enabled"
	attrOnCallSupervision = "on_call_supervision"
	attrPatchParty        = "patch_party"
	attrExtensions        = "extensions"
)

// operation is one PATCH that an update sends, in the order of the list
// planOperations returns.
type operation struct {
	Name    string
	Options any
	// Settles lists the attributes whose planned value becomes true once
	// the operation's action succeeds.
	Settles []string
	// Database is the database of an install_extension: it settles only
	// that database's extensions.
	Database string
}

func (o operation) request() itcare.Operation {
	return itcare.Operation{Operation: o.Name, Options: o.Options}
}

// extensionNames lists the extensions an install_extension installs.
func (o operation) extensionNames() []string {
	opts, ok := o.Options.(itcare.InstallExtensionOptions)
	if !ok || o.Name != itcare.OpInstallExtension {
		return nil
	}
	names := make([]string, 0, len(opts.ExtensionsList))
	for _, e := range opts.ExtensionsList {
		names = append(names, e.Name)
	}
	return names
}

// label names the operation in messages and in the pending-action record.
func (o operation) label() string {
	if o.Database != "" {
		return fmt.Sprintf("%s (database %s)", o.Name, o.Database)
	}
	return o.Name
}

// causesDowntime reports the operations that make the instance unavailable.
func (o operation) causesDowntime() bool {
	switch o.Name {
	case itcare.OpResize, itcare.OpStop, itcare.OpUpgrade, itcare.OpEnableHA:
		return true
	}
	return false
}

// planOperations maps a plan for an existing instance to the operations
// that bring ITCare to it, in the documented order: start, upgrade, resize,
// enable_ha, update_monitoring, update_patch_party, install_extension (one
// per database, by database name), stop. Start comes first so that the
// operations that need a running instance can run; stop comes last so that
// they still can. An unchanged value gives no operation, and provider-side
// attributes give none at all. Replacements are not its concern: the plan
// modifiers and ModifyPlan deal with them before.
func planOperations(ctx context.Context, prior, plan postgresqlResourceModel) []operation {
	var ops []operation
	powerChange := known(plan.PowerState) && known(prior.PowerState) && !plan.PowerState.Equal(prior.PowerState)
	if powerChange && plan.PowerState.ValueString() == powerRunning {
		ops = append(ops, operation{Name: itcare.OpStart, Settles: []string{attrPowerState}})
	}
	if higherVersion(prior.Version, plan.Version) {
		ops = append(ops, operation{Name: itcare.OpUpgrade, Settles: []string{attrVersion},
			Options: itcare.UpgradeOptions{TargetVersion: plan.Version.ValueString(), ChangeReference: plan.ChangeReference.ValueString()}})
	}
	if known(plan.NodeSizing) && known(prior.NodeSizing) && !plan.NodeSizing.Equal(prior.NodeSizing) {
		ops = append(ops, operation{Name: itcare.OpResize, Settles: []string{attrNodeSizing},
			Options: itcare.ResizeOptions{Sizing: plan.NodeSizing.ValueString()}})
	}
	if enablesHA(prior, plan) {
		lag := int64(defaultReplicationLag)
		if known(plan.AllowedReplicationLag) {
			lag = plan.AllowedReplicationLag.ValueInt64()
		}
		ops = append(ops, operation{Name: itcare.OpEnableHA, Settles: []string{attrTopology, attrReplicationLag},
			Options: itcare.EnableHAOptions{ReplicationLag: lag, ChangeReference: plan.ChangeReference.ValueString()}})
	}
	if o, ok := monitoringOperation(prior, plan); ok {
		ops = append(ops, o)
	}
	if o, ok := patchPartyOperation(ctx, prior, plan); ok {
		ops = append(ops, o)
	}
	ops = append(ops, extensionOperations(ctx, prior.Extensions, plan.Extensions)...)
	if powerChange && plan.PowerState.ValueString() == powerStopped {
		ops = append(ops, operation{Name: itcare.OpStop, Settles: []string{attrPowerState}})
	}
	return ops
}

// monitoringOperation sends both flags, so that one call settles both
// attributes whichever of them changed.
func monitoringOperation(prior, plan postgresqlResourceModel) (operation, bool) {
	changed := func(p, s types.Bool) bool { return known(p) && !p.Equal(s) }
	if !changed(plan.MonitoringEnabled, prior.MonitoringEnabled) && !changed(plan.OnCallSupervision, prior.OnCallSupervision) {
		return operation{}, false
	}
	value := func(p, s types.Bool) bool {
		if known(p) {
			return p.ValueBool()
		}
		return s.ValueBool()
	}
	return operation{Name: itcare.OpUpdateMonitoring, Settles: []string{attrMonitoringEnabled, attrOnCallSupervision},
		Options: itcare.MonitoringOptions{
			State:  value(plan.MonitoringEnabled, prior.MonitoringEnabled),
			OnCall: value(plan.OnCallSupervision, prior.OnCallSupervision),
		}}, true
}

// patchPartyOperation sends the planned membership. The group is sent only
// when it changes, since ITCare refuses any group on an HA instance, and
// the reason only with an exclusion.
func patchPartyOperation(ctx context.Context, prior, plan postgresqlResourceModel) (operation, bool) {
	want, ok := patchPartyFromModel(ctx, plan.PatchParty)
	if !ok {
		return operation{}, false
	}
	have, _ := patchPartyFromModel(ctx, prior.PatchParty)
	if !patchPartyDiffers(want, have) {
		return operation{}, false
	}
	if want.PatchGroup == have.PatchGroup {
		want.PatchGroup = ""
	}
	if !want.Excluded {
		want.ExclusionReason = ""
	}
	return operation{Name: itcare.OpUpdatePatchParty, Settles: []string{attrPatchParty},
		Options: itcare.PatchPartyOptions{PatchParty: want}}, true
}

// extensionOperations installs the added extensions. Removed extensions
// need no call: ITCare cannot uninstall them.
func extensionOperations(ctx context.Context, prior, plan types.Set) []operation {
	return installOperations(addedExtensions(ctx, prior, plan))
}

// installOperations installs extensions, one call per database. Databases
// and extensions are sorted so that the same plan always sends the same
// requests.
func installOperations(keys []extensionKey) []operation {
	byDB := map[string][]string{}
	for _, e := range keys {
		byDB[e.db] = append(byDB[e.db], e.name)
	}
	dbs := make([]string, 0, len(byDB))
	for db := range byDB {
		dbs = append(dbs, db)
	}
	sort.Strings(dbs)
	ops := make([]operation, 0, len(dbs))
	for _, db := range dbs {
		names := byDB[db]
		sort.Strings(names)
		opts := itcare.InstallExtensionOptions{DBName: db, ExtensionsList: make([]itcare.ExtensionName, 0, len(names))}
		for _, n := range names {
			opts.ExtensionsList = append(opts.ExtensionsList, itcare.ExtensionName{Name: n})
		}
		ops = append(ops, operation{Name: itcare.OpInstallExtension, Settles: []string{attrExtensions}, Database: db, Options: opts})
	}
	return ops
}

// addedExtensions lists the planned extensions the prior state lacks.
func addedExtensions(ctx context.Context, prior, plan types.Set) []extensionKey {
	return extensionsNotIn(extensionsFromSet(ctx, plan), keySet(extensionsFromSet(ctx, prior)))
}

// stateBeforeOperations is the state to record when none of ops has run:
// the plan, with every attribute an operation settles at its prior value.
// Provider-side settings and values recorded without a call (passwords,
// create-only arguments set on an imported instance) take their planned
// value, and removed extensions leave the state at once.
func stateBeforeOperations(ctx context.Context, prior, plan postgresqlResourceModel, ops []operation) (postgresqlResourceModel, diag.Diagnostics) {
	next := plan
	var diags diag.Diagnostics
	for _, o := range ops {
		for _, a := range o.Settles {
			if a != attrExtensions {
				copySettled(&next, prior, a)
			}
		}
	}
	if len(addedExtensions(ctx, prior.Extensions, plan.Extensions)) > 0 {
		next.Extensions, diags = settledExtensions(ctx, prior.Extensions, plan.Extensions, nil)
	}
	return next, diags
}

// settle records in next the planned values that o made true.
func settle(ctx context.Context, next *postgresqlResourceModel, prior, plan postgresqlResourceModel, o operation, doneDBs []string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, a := range o.Settles {
		if a == attrExtensions {
			next.Extensions, diags = settledExtensions(ctx, prior.Extensions, plan.Extensions, doneDBs)
			continue
		}
		copySettled(next, plan, a)
	}
	return diags
}

// copySettled copies one operation-settled attribute from src to dst.
func copySettled(dst *postgresqlResourceModel, src postgresqlResourceModel, attrName string) {
	switch attrName {
	case attrPowerState:
		dst.PowerState = src.PowerState
	case attrVersion:
		dst.Version = src.Version
	case attrNodeSizing:
		dst.NodeSizing = src.NodeSizing
	case attrTopology:
		dst.Topology = src.Topology
	case attrReplicationLag:
		dst.AllowedReplicationLag = src.AllowedReplicationLag
	case attrMonitoringEnabled:
		dst.MonitoringEnabled = src.MonitoringEnabled
	case attrOnCallSupervision:
		dst.OnCallSupervision = src.OnCallSupervision
	case attrPatchParty:
		dst.PatchParty = src.PatchParty
	}
}

// settledExtensions is the planned set restricted to what is true in
// ITCare: the extensions kept from the prior state, and the added ones of
// the databases in doneDBs. When every planned extension is there, it is
// the planned value itself.
func settledExtensions(ctx context.Context, prior, plan types.Set, doneDBs []string) (types.Set, diag.Diagnostics) {
	had := map[extensionKey]bool{}
	for _, e := range extensionsFromSet(ctx, prior) {
		had[e] = true
	}
	planned := extensionsFromSet(ctx, plan)
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
}

// pendingFor is the record of o, whose action actionID is still running.
func pendingFor(o operation, actionID int64) *pendingAction {
	return &pendingAction{ActionID: actionID, Operation: o.Name, Database: o.Database, Extensions: o.extensionNames()}
}

func (p pendingAction) label() string {
	return operation{Name: p.Operation, Database: p.Database}.label()
}

// matches reports whether o is the operation the pending action runs. An
// install_extension matches by database, and only if the pending action
// installs every extension o asks for: an extension added to the
// configuration since still needs its own request. A record without the
// list (written before it was kept) matches by database alone.
func (p pendingAction) matches(o operation) bool {
	if p.Operation != o.Name || p.Database != o.Database {
		return false
	}
	if len(p.Extensions) == 0 {
		return true
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
	if p == nil || p.Operation != itcare.OpInstallExtension || p.Database == "" || len(p.Extensions) == 0 {
		return tracked, nil
	}
	keys := extensionsFromSet(ctx, tracked)
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
	for attempt := 0; ; attempt++ {
		action, err := client.PatchPostgreSQL(ctx, id, o.request())
		if itcare.IsConflict(err) && attempt < maxConflictWaits {
			n, werr := waitForOthersActions(ctx, client, wait, id)
			if werr != nil {
				return 0, fmt.Errorf("%w; waiting for the action already in progress: %w", err, werr)
			}
			if n == 0 {
				// A conflict without a running action (the instance is in
				// a state that refuses operations): waiting cannot help.
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
	reached, rerr := operationTargetReached(ctx, client, id, o)
	if rerr == nil && reached {
		return 0, nil
	}
	return 0, err
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
	pg, dbs, err := readPostgreSQL(ctx, client, id, o.Name == itcare.OpInstallExtension)
	if err != nil {
		return false, err
	}
	return targetReached(o, pg, dbs), nil
}

// targetReached reports whether ITCare already shows what o asks for, in
// which case sending o would only run it a second time. An operation it
// cannot judge, or a status seen while an action runs, is not reached.
func targetReached(o operation, pg *itcare.PostgreSQL, dbs []itcare.Database) bool {
	if pg == nil {
		return false
	}
	switch o.Name {
	case itcare.OpStart:
		return strings.EqualFold(pg.Status, statusActive)
	case itcare.OpStop:
		return strings.EqualFold(pg.Status, statusStopped)
	}
	switch opts := o.Options.(type) {
	case itcare.ResizeOptions:
		return opts.Sizing != "" && strings.EqualFold(pg.NodeSizing, opts.Sizing)
	case itcare.UpgradeOptions:
		return opts.TargetVersion != "" && majorOf(pg.Version) == opts.TargetVersion
	case itcare.EnableHAOptions:
		return strings.EqualFold(pg.Topology, topologyHA)
	case itcare.MonitoringOptions:
		return pg.MonitoringEnabled == opts.State && pg.MonitoringOnCallEnabled == opts.OnCall
	case itcare.PatchPartyOptions:
		if pg.PatchParty == nil {
			return false
		}
		have := itcare.PatchPartyUpdate{Excluded: pg.PatchParty.Excluded, PatchGroup: pg.PatchParty.PatchGroup, ExclusionReason: pg.PatchParty.ExclusionReason}
		return !patchPartyDiffers(opts.PatchParty, have)
	case itcare.InstallExtensionOptions:
		if len(opts.ExtensionsList) == 0 {
			return false
		}
		installed := installedExtensions(dbs)
		for _, e := range opts.ExtensionsList {
			if !installed[extensionKey{opts.DBName, e.Name}] {
				return false
			}
		}
		return true
	}
	return false
}

// waitForOthersActions waits for the actions in progress on the instance
// and returns how many there were. Their outcome is not this apply's
// concern: an action of someone else that fails does not fail the apply.
func waitForOthersActions(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64) (int, error) {
	return waitForActionsInProgress(ctx, client, wait, id, false)
}

// waitForActionsInProgress waits for every action in progress on the
// instance and returns how many there were. ours says whether they are
// this apply's own (a create whose answer named no action): then one that
// ends in ERROR is the apply's failure.
func waitForActionsInProgress(ctx context.Context, client *itcare.Client, wait itcare.WaitOptions, id int64, ours bool) (int, error) {
	actions, err := client.ListActions(ctx, itcare.ActionFilter{ResourceID: id, Statuses: []string{itcare.ActionStatusInProgress}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range actions {
		if a.ID == 0 || (a.Status != "" && !strings.EqualFold(a.Status, itcare.ActionStatusInProgress)) {
			continue
		}
		n++
		_, err := client.WaitForAction(ctx, a.ID, wait)
		var actionErr *itcare.ActionError
		if err != nil && (ours || !errors.As(err, &actionErr)) && !itcare.IsNotFound(err) {
			return n, err
		}
	}
	return n, nil
}

// downtimeWarning explains the downtime an operation causes. Each
// operation has its own summary because Terraform folds warnings that
// share one into a single message.
func downtimeWarning(o operation, prior, plan postgresqlResourceModel) (attrName, summary, detail string) {
	subject := fmt.Sprintf("the PostgreSQL instance %q (id %s)", prior.Name.ValueString(), prior.ID.ValueString())
	switch o.Name {
	case itcare.OpResize:
		return attrNodeSizing, "Resize Causes Downtime", fmt.Sprintf("Resizing %s from %s to %s causes downtime: ITCare restarts every node with the new size.",
			subject, prior.NodeSizing.ValueString(), plan.NodeSizing.ValueString())
	case itcare.OpStop:
		return attrPowerState, "Stop Causes Downtime", fmt.Sprintf("Stopping %s causes downtime: it stays unavailable until power_state is set to %q again.",
			subject, powerRunning)
	case itcare.OpUpgrade:
		return attrVersion, "Major Version Upgrade Causes Downtime", fmt.Sprintf("Upgrading %s from PostgreSQL %s to %s causes downtime: PostgreSQL is stopped during the major upgrade, which cannot be undone.",
			subject, prior.Version.ValueString(), plan.Version.ValueString())
	case itcare.OpEnableHA:
		return attrTopology, "Switch to HA Causes Downtime", fmt.Sprintf("Switching %s from %s to %s causes downtime: ITCare adds two nodes and restarts PostgreSQL with replication.",
			subject, topologyStandalone, topologyHA)
	}
	return "", "", ""
}

// offeredVersionsText renders the versions ITCare offers for a message.
func offeredVersionsText(versions []int64) string {
	if len(versions) == 0 {
		return "none (the instance runs the latest version ITCare offers)"
	}
	parts := make([]string, len(versions))
	for i, v := range versions {
		parts[i] = strconv.Quote(strconv.FormatInt(v, 10))
	}
	return strings.Join(parts, ", ")
}
