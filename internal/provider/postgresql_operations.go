package provider

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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
	attrRestore           = "restore"
)

// operation is one PATCH that an update sends, in the order of the list
// planOperations returns. Name is the key of its spec in operationSpecs;
// Options is the options type that spec's rows read.
type operation struct {
	Name    string
	Options any
	// Database is the database of an install_extension: it settles only
	// that database's extensions.
	Database string
	// Bracket marks the start and stop that bracketStopped adds around
	// operations on a stopped instance: they change nothing in the end.
	Bracket bool
	// Restore is a restore's block as configured, for the pending-action
	// record: the state records it once the action has succeeded.
	Restore *restoreRecord
}

func (o operation) spec() *operationSpec { return specOf(o.Name) }

func (o operation) request() itcare.Operation {
	return itcare.Operation{Operation: o.Name, Options: o.Options}
}

// extensionNames lists the extensions an install_extension installs.
func (o operation) extensionNames() []string {
	opts, ok := o.Options.(itcare.InstallExtensionOptions)
	if !ok {
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

// planOperations maps a plan for an existing instance to the operations
// that bring ITCare to it, in the order of operationSpecs (install_extension
// once per database, by database name). An unchanged value gives no
// operation, and provider-side attributes give none at all. Replacements
// are not its concern: the plan modifiers and ModifyPlan deal with them
// before.
func planOperations(ctx context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
	var ops []operation
	var diags diag.Diagnostics
	for _, s := range operationSpecs {
		if s.plan != nil {
			more, d := s.plan(ctx, prior, plan)
			diags.Append(d...)
			ops = append(ops, named(s, more)...)
		}
	}
	return bracketStopped(prior, plan, ops), diags
}

// postCreateOperations lists the operations that bring a new instance to
// the planned patch party, extensions and power state, which the create
// request cannot carry. It sends nothing ITCare already matches.
func postCreateOperations(ctx context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, dbs []itcare.Database) ([]operation, diag.Diagnostics) {
	var ops []operation
	var diags diag.Diagnostics
	for _, s := range operationSpecs {
		if s.afterCreate != nil {
			more, d := s.afterCreate(ctx, plan, pg, dbs)
			diags.Append(d...)
			ops = append(ops, named(s, more)...)
		}
	}
	return ops, diags
}

// named gives the operations a spec's rows return the spec's name.
func named(s *operationSpec, ops []operation) []operation {
	for i := range ops {
		ops[i].Name = s.name
	}
	return ops
}

// powerChangesTo reports a planned change of power_state to state.
func powerChangesTo(prior, plan postgresqlResourceModel, state string) bool {
	return known(plan.PowerState) && known(prior.PowerState) && !plan.PowerState.Equal(prior.PowerState) &&
		plan.PowerState.ValueString() == state
}

// enableHAOperations switches a standalone instance to HA with the planned
// replication lag.
func enableHAOperations(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
	if !enablesHA(prior, plan) {
		return nil, nil
	}
	lag := int64(defaultReplicationLag)
	if known(plan.AllowedReplicationLag) {
		lag = plan.AllowedReplicationLag.ValueInt64()
	}
	return []operation{{Options: itcare.EnableHAOptions{ReplicationLag: lag, ChangeReference: plan.ChangeReference.ValueString()}}}, nil
}

// monitoringOperations sends both flags, so that one call settles both
// attributes whichever of them changed.
func monitoringOperations(_ context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
	changed := func(p, s types.Bool) bool { return known(p) && !p.Equal(s) }
	if !changed(plan.MonitoringEnabled, prior.MonitoringEnabled) && !changed(plan.OnCallSupervision, prior.OnCallSupervision) {
		return nil, nil
	}
	value := func(p, s types.Bool) bool {
		if known(p) {
			return p.ValueBool()
		}
		return s.ValueBool()
	}
	return []operation{{Options: itcare.MonitoringOptions{
		State:  value(plan.MonitoringEnabled, prior.MonitoringEnabled),
		OnCall: value(plan.OnCallSupervision, prior.OnCallSupervision),
	}}}, nil
}

// patchPartyOperations sends the planned membership. The group is sent
// only when it changes, since ITCare refuses any group on an HA instance,
// and the reason only with an exclusion.
func patchPartyOperations(ctx context.Context, prior, plan postgresqlResourceModel) ([]operation, diag.Diagnostics) {
	want, ok, diags := patchPartyFromModel(ctx, plan.PatchParty)
	have, _, d := patchPartyFromModel(ctx, prior.PatchParty)
	diags.Append(d...)
	if !ok || diags.HasError() || !patchPartyDiffers(want, have) {
		return nil, diags
	}
	if want.PatchGroup == have.PatchGroup {
		want.PatchGroup = ""
	}
	if !want.Excluded {
		want.ExclusionReason = ""
	}
	return []operation{{Options: itcare.PatchPartyOptions{PatchParty: want}}}, nil
}

// patchPartyAfterCreate sends the configured membership when the new
// instance's differs.
func patchPartyAfterCreate(ctx context.Context, plan postgresqlResourceModel, pg *itcare.PostgreSQL, _ []itcare.Database) ([]operation, diag.Diagnostics) {
	want, ok, diags := patchPartyFromModel(ctx, plan.PatchParty)
	if !ok || !patchPartyDiffers(want, patchPartyOf(pg)) {
		return nil, diags
	}
	return []operation{{Options: itcare.PatchPartyOptions{PatchParty: want}}}, diags
}

// patchPartyOf is an instance's patch party as an update request would
// set it; the zero request when the instance has none.
func patchPartyOf(pg *itcare.PostgreSQL) itcare.PatchPartyUpdate {
	if pg.PatchParty == nil {
		return itcare.PatchPartyUpdate{}
	}
	return itcare.PatchPartyUpdate{Excluded: pg.PatchParty.Excluded, PatchGroup: pg.PatchParty.PatchGroup, ExclusionReason: pg.PatchParty.ExclusionReason}
}

// installOperations installs extensions, one call per database. Databases
// and extensions are sorted so that the same plan always sends the same
// requests. Removed extensions need no call: ITCare cannot uninstall them.
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
		ops = append(ops, operation{Database: db, Options: opts})
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
		if s := o.spec(); s.settle != nil {
			diags.Append(s.settle(ctx, &next, prior, plan, nil)...)
		} else {
			copyAttributes(&next, prior, s.settles)
		}
	}
	return next, diags
}

// settle records in next the planned values that o made true. doneDBs are
// the databases whose install_extension has run, o's included.
func settle(ctx context.Context, next *postgresqlResourceModel, prior, plan postgresqlResourceModel, o operation, doneDBs []string) diag.Diagnostics {
	if s := o.spec(); s.settle != nil {
		return s.settle(ctx, next, prior, plan, doneDBs)
	}
	copyAttributes(next, plan, o.spec().settles)
	return nil
}

// resourceFieldByAttribute indexes the resource model's fields by
// attribute name, embedded structs included.
var resourceFieldByAttribute = func() map[string][]int {
	m := map[string][]int{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[postgresqlResourceModel]()) {
		if tag := f.Tag.Get("tfsdk"); tag != "" && tag != "-" {
			m[tag] = f.Index
		}
	}
	return m
}()

// copyAttributes copies the named attributes from src to dst. An
// attribute the model lacks is a programming error that the operations
// table test catches.
func copyAttributes(dst *postgresqlResourceModel, src postgresqlResourceModel, attrs []string) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for _, a := range attrs {
		if idx, ok := resourceFieldByAttribute[a]; ok {
			d.FieldByIndex(idx).Set(s.FieldByIndex(idx))
		}
	}
}

// downtimeWarning explains the downtime an operation causes, if it causes
// any (ok false otherwise).
func downtimeWarning(o operation, prior, plan postgresqlResourceModel) (attrName, summary, detail string, ok bool) {
	d := o.spec().downtime
	if d == nil || o.Bracket {
		return "", "", "", false
	}
	subject := fmt.Sprintf("the PostgreSQL instance %q (id %s)", prior.Name.ValueString(), prior.ID.ValueString())
	return d.attr, d.summary, d.detail(subject, prior, plan), true
}

// markChangedByOperations marks unknown the read-only values that the
// planned operations change, and settles the patch party fields that the
// configuration leaves to ITCare.
func markChangedByOperations(ctx context.Context, plan *postgresqlResourceModel, ops []operation, configPatchParty types.Object) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(ops) == 0 {
		return diags
	}
	plan.Status = types.StringUnknown()
	pp := patchPartyChanges{
		config:  patchPartyModel{PatchGroup: types.StringNull(), ExclusionReason: types.StringNull()},
		unknown: map[string]bool{},
		null:    map[string]bool{},
	}
	if known(configPatchParty) {
		diags.Append(configPatchParty.As(ctx, &pp.config, basetypes.ObjectAsOptions{})...)
	}
	for _, o := range ops {
		if s := o.spec(); s.planChanges != nil {
			diags.Append(s.planChanges(ctx, plan, &pp)...)
		}
	}
	if known(plan.PatchParty) && (len(pp.unknown) > 0 || len(pp.null) > 0) {
		attrs := plan.PatchParty.Attributes()
		for k := range pp.unknown {
			attrs[k] = types.StringUnknown()
		}
		for k := range pp.null {
			attrs[k] = types.StringNull()
		}
		o, d := types.ObjectValue(patchPartyAttrTypes, attrs)
		diags.Append(d...)
		plan.PatchParty = o
	}
	return diags
}
