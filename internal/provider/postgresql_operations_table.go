package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// operationSpec is everything the provider knows about one ITCare
// operation. Adding an operation means adding one row to operationSpecs;
// nothing else names it.
type operationSpec struct {
	// name is the operation as the API names it, and as diagnostics and
	// the pending-action record show it.
	name string
	// plan returns the operations of this kind that bring an existing
	// instance from prior to plan; planOperations fills in their name.
	// nil for an operation no plan of an existing instance sends.
	plan func(ctx context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics)
	// afterCreate returns the operations of this kind that a new instance
	// needs because the create request cannot carry the setting, given
	// what ITCare made. nil when the create request carries it.
	afterCreate func(ctx context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, dbs []itcare.Database) ([]operation, diag.Diagnostics)
	// settles lists the attributes whose planned value becomes true once
	// the operation's action succeeds.
	settles []string
	// settle, when set, computes the settled value instead of copying the
	// attributes in settles: install_extension settles the extensions of
	// the databases it ran for (doneDBs), none before it ran.
	settle func(ctx context.Context, next *postgresqlResourceModel, prior, plan postgresqlResourceModel, doneDBs []string) diag.Diagnostics
	// downtime, when set, is the warning of a plan that sends the operation.
	downtime *downtimeSpec
	// planChanges marks unknown at plan time the read-only values that the
	// operation changes, and records its effect on the patch party.
	planChanges func(ctx context.Context, plan *postgresqlResourceModel, pp *patchPartyChanges) diag.Diagnostics
	// reached reports whether ITCare already shows the operation's target,
	// in which case sending it would only run it a second time. nil: never
	// known to be reached.
	reached func(o operation, pg *itcare.PostgreSQL, dbs []itcare.Database) bool
	// readsDatabases says reached needs the instance's databases.
	readsDatabases bool
	// checkFirst says the target is checked before the operation is sent,
	// and the operation not sent when ITCare already shows it: an
	// extension installed by other means is installed once only.
	checkFirst bool
	// needsRunning says ITCare runs the operation only on a running
	// instance: on a stopped one that stays stopped, the update starts it
	// first and stops it again after (bracketStopped).
	needsRunning bool
	// checkWithAPI checks, at plan time and without writing, the rules of
	// the operation that only ITCare knows. An error is the API call's.
	checkWithAPI func(ctx context.Context, client *itcare.Client, id int64, prior, plan postgresqlResourceModel) (diag.Diagnostics, error)
}

// downtimeSpec is the warning of an operation that makes the instance
// unavailable. Each operation has its own summary because Terraform folds
// warnings that share one into a single message.
type downtimeSpec struct {
	attr    string
	summary string
	// detail explains the downtime; subject names the instance.
	detail func(subject string, prior, plan postgresqlResourceModel) string
}

// operationSpecs lists the operations in the order an update sends them:
// start first, so that the operations that need a running instance can
// run, stop last, so that they still can. restore comes next, before any
// other change, as at create (where completeCreate sends it right after
// the instance exists): the settings then apply to the restored instance,
// and an upgrade to the version the restored data has.
var operationSpecs = []*operationSpec{
	{
		name: itcare.OpStart,
		plan: func(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			return when(powerChangesTo(prior, plan, powerRunning), operation{})
		},
		settles: []string{attrPowerState},
		reached: func(_ operation, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return itcare.ClassifyStatus(pg.Status) == itcare.StatusRunning
		},
	},
	{
		name: itcare.OpRestore,
		plan: func(ctx context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			if plan.Restore.IsNull() || sameRestore(prior.Restore, plan.Restore) {
				// Removing the block, or writing the same instant
				// otherwise, only changes what is recorded.
				return nil, nil
			}
			opts, diags := restoreFromModel(ctx, plan.Restore)
			if opts == nil {
				// Not known before apply: a restore all the same.
				return []operation{{Options: itcare.RestoreOptions{}}}, diags
			}
			rec, d := restoreRecordOf(ctx, plan.Restore)
			diags.Append(d...)
			return []operation{{Options: *opts, Restore: rec}}, diags
		},
		settles: []string{attrRestore},
		downtime: &downtimeSpec{attr: attrRestore, summary: "Restore Overwrites Data",
			detail: func(subject string, _, plan postgresqlResourceModel) string {
				return fmt.Sprintf("Restoring %s overwrites all its data with %s: whatever was written in it since is lost, "+
					"and it is unavailable while ITCare restores.", subject, restoreSourceText(plan.Restore))
			}},
		needsRunning: true,
		checkWithAPI: checkRestoreInPlaceWithAPI,
	},
	{
		name: itcare.OpUpgrade,
		plan: func(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			return when(higherVersion(prior.Version, plan.Version), operation{Options: itcare.UpgradeOptions{
				TargetVersion: plan.Version.ValueString(), ChangeReference: upgradeChangeReference(plan)}})
		},
		settles: []string{attrVersion},
		downtime: &downtimeSpec{attr: attrVersion, summary: "Major Version Upgrade Causes Downtime",
			detail: func(subject string, prior, plan postgresqlResourceModel) string {
				return fmt.Sprintf("Upgrading %s from PostgreSQL %s to %s causes downtime: PostgreSQL is stopped during the major upgrade, which cannot be undone.",
					subject, prior.Version.ValueString(), plan.Version.ValueString())
			}},
		planChanges: func(_ context.Context, plan *postgresqlResourceModel, _ *patchPartyChanges) diag.Diagnostics {
			plan.ProductVersion, plan.SupportPhase, plan.EndOfSupportAt = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
			// The lifecycle dates are the new version's.
			plan.ReleasedAt, plan.EndOfSalesAt, plan.ExtendedSupportAt = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
			return nil
		},
		reached: reachedWith(func(opts itcare.UpgradeOptions, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return opts.TargetVersion != "" && majorOf(pg.Version) == opts.TargetVersion
		}),
		checkWithAPI: checkUpgradeWithAPI,
		needsRunning: true,
	},
	{
		name: itcare.OpResize,
		plan: func(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			return when(known(plan.NodeSizing) && known(prior.NodeSizing) && !plan.NodeSizing.Equal(prior.NodeSizing),
				operation{Options: itcare.ResizeOptions{Sizing: plan.NodeSizing.ValueString()}})
		},
		settles: []string{attrNodeSizing},
		downtime: &downtimeSpec{attr: attrNodeSizing, summary: "Resize Causes Downtime",
			detail: func(subject string, prior, plan postgresqlResourceModel) string {
				return fmt.Sprintf("Resizing %s from %s to %s causes downtime: ITCare restarts every node with the new size.",
					subject, prior.NodeSizing.ValueString(), plan.NodeSizing.ValueString())
			}},
		planChanges: func(_ context.Context, plan *postgresqlResourceModel, _ *patchPartyChanges) diag.Diagnostics {
			plan.CPU, plan.RAM = types.Int64Unknown(), types.Int64Unknown()
			return nil
		},
		reached: reachedWith(func(opts itcare.ResizeOptions, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return opts.Sizing != "" && strings.EqualFold(pg.NodeSizing, opts.Sizing)
		}),
	},
	{
		name:    itcare.OpEnableHA,
		plan:    enableHAOperations,
		settles: []string{attrTopology, attrReplicationLag},
		downtime: &downtimeSpec{attr: attrTopology, summary: "Switch to HA Causes Downtime",
			detail: func(subject string, _, _ postgresqlResourceModel) string {
				return fmt.Sprintf("Switching %s from %s to %s causes downtime: ITCare adds two nodes and restarts PostgreSQL with replication.",
					subject, topologyStandalone, topologyHA)
			}},
		planChanges: func(_ context.Context, plan *postgresqlResourceModel, pp *patchPartyChanges) diag.Diagnostics {
			plan.NodeCount, plan.InstanceCount, plan.IPAddress = types.Int64Unknown(), types.Int64Unknown(), types.StringUnknown()
			// ITCare drops the group of an instance that gains nodes.
			if pp.config.PatchGroup.IsNull() {
				pp.unknown["patch_group"] = true
			}
			pp.unknown["patch_date"], pp.unknown["patch_tag"] = true, true
			return nil
		},
		reached: func(_ operation, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return strings.EqualFold(pg.Topology, topologyHA)
		},
		needsRunning: true,
	},
	{
		name:    itcare.OpUpdateMonitoring,
		plan:    monitoringOperations,
		settles: []string{attrMonitoringEnabled, attrOnCallSupervision},
		reached: reachedWith(func(opts itcare.MonitoringOptions, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return pg.MonitoringEnabled == opts.State && pg.MonitoringOnCallEnabled == opts.OnCall
		}),
	},
	{
		name:        itcare.OpUpdatePatchParty,
		plan:        patchPartyOperations,
		afterCreate: patchPartyAfterCreate,
		settles:     []string{attrPatchParty},
		planChanges: func(ctx context.Context, plan *postgresqlResourceModel, pp *patchPartyChanges) diag.Diagnostics {
			pp.unknown["patch_date"], pp.unknown["patch_tag"] = true, true
			// Who excluded the instance and when are ITCare's to record: an
			// exclusion sent again is dated again.
			pp.unknown["excluded_by"], pp.unknown["exclusion_date"] = true, true
			// Including an instance again clears ITCare's exclusion reason.
			want, ok, diags := patchPartyFromModel(ctx, plan.PatchParty)
			if ok && !want.Excluded && pp.config.ExclusionReason.IsNull() {
				pp.null["exclusion_reason"] = true
			}
			return diags
		},
		reached: reachedWith(func(opts itcare.PatchPartyOptions, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return pg.PatchParty != nil && !patchPartyDiffers(opts.PatchParty, patchPartyOf(pg))
		}),
	},
	{
		name: itcare.OpInstallExtension,
		plan: func(ctx context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			added, diags := addedExtensions(ctx, prior.Extensions, plan.Extensions)
			return installOperations(added), diags
		},
		afterCreate: func(ctx context.Context, plan postgresqlResourceModel, _ *itcare.PostgreSQL, dbs []itcare.Database) ([]operation, diag.Diagnostics) {
			want, diags := extensionsFromSet(ctx, plan.Extensions)
			return installOperations(extensionsNotIn(want, installedExtensions(dbs))), diags
		},
		settles: []string{attrExtensions},
		settle: func(ctx context.Context, next *postgresqlResourceModel, prior, plan postgresqlResourceModel, doneDBs []string) diag.Diagnostics {
			var diags diag.Diagnostics
			next.Extensions, diags = settledExtensions(ctx, prior.Extensions, plan.Extensions, doneDBs)
			return diags
		},
		reached: reachedWith(func(opts itcare.InstallExtensionOptions, _ *itcare.PostgreSQL, dbs []itcare.Database) bool {
			installed := installedExtensions(dbs)
			for _, e := range opts.ExtensionsList {
				if !installed[extensionKey{opts.DBName, e.Name}] {
					return false
				}
			}
			return len(opts.ExtensionsList) > 0
		}),
		readsDatabases: true,
		checkFirst:     true,
		checkWithAPI:   checkExtensionsWithAPI,
		needsRunning:   true,
	},
	{
		name: itcare.OpStop,
		plan: func(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
			return when(powerChangesTo(prior, plan, powerStopped), operation{})
		},
		afterCreate: func(_ context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, _ []itcare.Database) ([]operation, diag.Diagnostics) {
			return when(plan.PowerState.ValueString() == powerStopped && itcare.ClassifyStatus(pg.Status) != itcare.StatusStopped, operation{})
		},
		settles: []string{attrPowerState},
		downtime: &downtimeSpec{attr: attrPowerState, summary: "Stop Causes Downtime",
			detail: func(subject string, _, _ postgresqlResourceModel) string {
				return fmt.Sprintf("Stopping %s causes downtime: it stays unavailable until power_state is set to %q again.", subject, powerRunning)
			}},
		reached: func(_ operation, pg *itcare.PostgreSQL, _ []itcare.Database) bool {
			return itcare.ClassifyStatus(pg.Status) == itcare.StatusStopped
		},
	},
}

// operationSpecsByName indexes operationSpecs.
var operationSpecsByName = func() map[string]*operationSpec {
	m := make(map[string]*operationSpec, len(operationSpecs))
	for _, s := range operationSpecs {
		m[s.name] = s
	}
	return m
}()

// specOf returns the spec of the operation called name, or a spec that
// knows nothing (no settled attribute, no downtime, never reached) for a
// name this version does not know, such as one read from an older record.
func specOf(name string) *operationSpec {
	if s, ok := operationSpecsByName[name]; ok {
		return s
	}
	return &operationSpec{name: name}
}

// bracketStopped starts an instance that is stopped and stays stopped
// before the operations ITCare runs only on a running instance, and stops
// it again after them, instead of letting ITCare refuse them at apply.
func bracketStopped(prior, plan postgresqlResourceModel, ops []operation) []operation {
	if prior.PowerState.ValueString() != powerStopped || plan.PowerState.ValueString() != powerStopped ||
		!slices.ContainsFunc(ops, func(o operation) bool { return o.spec().needsRunning }) {
		return ops
	}
	out := append([]operation{{Name: itcare.OpStart, Bracket: true}}, ops...)
	return append(out, operation{Name: itcare.OpStop, Bracket: true})
}

// when returns o alone if cond holds, and no operation otherwise.
func when(cond bool, o operation) ([]operation, diag.Diagnostics) {
	if !cond {
		return nil, nil
	}
	return []operation{o}, nil
}

// reachedWith adapts a target check written for one operation's options
// type. Options of another type are not reached.
func reachedWith[O any](f func(opts O, pg *itcare.PostgreSQL, dbs []itcare.Database) bool) func(operation, *itcare.PostgreSQL, []itcare.Database) bool {
	return func(o operation, pg *itcare.PostgreSQL, dbs []itcare.Database) bool {
		opts, ok := o.Options.(O)
		return ok && f(opts, pg, dbs)
	}
}

// patchPartyChanges collects what the planned operations do to the patch
// party's read-only fields: config is the configured patch party, unknown
// and null the fields the plan shows as known after apply or as null.
type patchPartyChanges struct {
	config  patchPartyModel
	unknown map[string]bool
	null    map[string]bool
}

// defaultChangeReference is sent with an upgrade when change_reference is
// not set: the reference page's upgrade example always carries one (its
// enable_ha rules alone say it is optional), so an API that requires it
// still gets one.
const defaultChangeReference = "terraform"

// upgradeChangeReference is the changeReference of an upgrade.
func upgradeChangeReference(plan postgresqlResourceModel) string {
	if ref := plan.ChangeReference.ValueString(); ref != "" {
		return ref
	}
	return defaultChangeReference
}
