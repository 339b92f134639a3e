package provider

import (
	"context"
	"fmt"
	"sort"

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

// postCreateOperations lists the operations that bring a new instance to
// the planned patch party, extensions and power state, which the create
// request cannot carry. It sends nothing ITCare already matches.
func postCreateOperations(ctx context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, dbs []itcare.Database) []operation {
	var ops []operation
	if want, ok := patchPartyFromModel(ctx, plan.PatchParty); ok {
		have := itcare.PatchPartyUpdate{}
		if pg.PatchParty != nil {
			have = itcare.PatchPartyUpdate{Excluded: pg.PatchParty.Excluded, PatchGroup: pg.PatchParty.PatchGroup, ExclusionReason: pg.PatchParty.ExclusionReason}
		}
		if patchPartyDiffers(want, have) {
			ops = append(ops, operation{Name: itcare.OpUpdatePatchParty, Options: itcare.PatchPartyOptions{PatchParty: want}})
		}
	}
	ops = append(ops, installOperations(extensionsNotIn(extensionsFromSet(ctx, plan.Extensions), installedExtensions(dbs)))...)
	if plan.PowerState.ValueString() == powerStopped && pg.Status != statusStopped {
		ops = append(ops, operation{Name: itcare.OpStop})
	}
	return ops
}
