package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Rules of enable_ha, the in-place switch from STANDALONE to HA.
const (
	enableHAMinVersion = 12
	enableHAMaxLag     = 500
)

func (r *postgresqlResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	// Only the attributes the rules read: reading the whole configuration
	// into the model costs more than the rules (terraform validates every
	// instance twice per plan).
	var m postgresqlResourceModel
	for _, a := range []struct {
		name   string
		target any
	}{
		{"topology", &m.Topology}, {"version", &m.Version}, {"patch_party", &m.PatchParty},
		{"extensions", &m.Extensions}, {"timeouts", &m.Timeouts},
	} {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(a.name), a.target)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validatePostgreSQLConfig(ctx, m)...)
}

// validatePostgreSQLConfig checks the rules that involve several arguments
// and hold whether the instance exists or not. Unknown values are left to
// the plan or the API. It reads only topology, version, patch_party,
// extensions and timeouts, which ValidateConfig fills in.
func validatePostgreSQLConfig(ctx context.Context, m postgresqlResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	ha := known(m.Topology) && m.Topology.ValueString() == topologyHA
	if known(m.PatchParty) {
		var pp patchPartyModel
		diags.Append(m.PatchParty.As(ctx, &pp, basetypes.ObjectAsOptions{})...)
		if ha && !pp.PatchGroup.IsNull() {
			diags.AddAttributeError(path.Root("patch_party").AtName("patch_group"), "Invalid Attribute Combination",
				"patch_group can only be chosen for an instance with one node: ITCare refuses it on an HA instance. Remove patch_party.patch_group.")
		}
		if known(pp.Excluded) && pp.Excluded.ValueBool() && pp.ExclusionReason.IsNull() {
			diags.AddAttributeError(path.Root("patch_party").AtName("exclusion_reason"), "Missing Exclusion Reason",
				"An instance excluded from the patch party needs a reason: set patch_party.exclusion_reason, or set patch_party.excluded = false.")
		}
		if known(pp.ExclusionReason) && !pp.Excluded.IsUnknown() && !pp.Excluded.ValueBool() {
			// ITCare keeps no reason for an instance it patches: the value
			// could never be read back.
			diags.AddAttributeError(path.Root("patch_party").AtName("exclusion_reason"), "Exclusion Reason Without Exclusion",
				"patch_party.exclusion_reason explains an exclusion, and ITCare keeps none for an instance it patches. "+
					"Set patch_party.excluded = true to exclude the instance, or remove exclusion_reason.")
		}
	}
	diags.Append(validateTimeouts(ctx, m)...)
	if known(m.Extensions) && len(m.Extensions.Elements()) > 0 && known(m.Version) {
		if v, err := strconv.Atoi(m.Version.ValueString()); err == nil && v < extensionsMinVersion {
			diags.AddAttributeError(path.Root("extensions"), "Extensions Need PostgreSQL 15",
				fmt.Sprintf("ITCare installs extensions only on PostgreSQL %d or later; version is %q. Remove extensions, or ask cegedim.cloud support to install them.",
					extensionsMinVersion, m.Version.ValueString()))
		}
	}
	return diags
}

// validateTimeouts refuses a timeout that would stop the wait before it
// starts: the apply would send the request and give up on it at once.
func validateTimeouts(ctx context.Context, m postgresqlResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !known(m.Timeouts.Object) {
		return diags
	}
	for name, v := range m.Timeouts.Attributes() {
		s, ok := v.(types.String)
		if !ok || !known(s) {
			continue
		}
		if d, err := time.ParseDuration(s.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid Timeout",
				fmt.Sprintf("timeouts.%s must be a positive duration such as \"90m\"; got %q.", name, s.ValueString()))
		}
	}
	return diags
}

func (r *postgresqlResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if unchangedPlan(ctx, req, resp) {
		return
	}
	if req.Plan.Raw.IsNull() {
		var prior postgresqlResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(checkDestroy(prior)...)
		}
		return
	}
	var plan postgresqlResourceModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(r.checkCreate(ctx, req.Config, plan)...)
		return
	}
	var prior postgresqlResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if planFailedCreate(ctx, req.Private, prior, &plan, resp) {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
		return
	}
	// The framework does not pass the attribute plan modifiers'
	// replacements to ModifyPlan, so they are derived again here.
	replace := replacementAttributes(prior, plan)
	resp.Diagnostics.Append(planPendingAction(ctx, req.Private, plan)...)
	given, d := passwordGiven(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(checkExistingInstance(prior, plan, replace, given)...)
	if len(replace) > 0 && !resp.Diagnostics.HasError() {
		// A replacement is planned only if its create would pass every
		// check: say so now, beside the reason for the replacement, rather
		// than after the old instance is gone.
		resp.Diagnostics.Append(r.checkCreate(ctx, req.Config, plan)...)
	}
	if resp.Diagnostics.HasError() || len(replace) > 0 {
		return
	}
	ops, diags := planOperations(ctx, prior, plan)
	resp.Diagnostics.Append(diags...)
	var configPatchParty types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("patch_party"), &configPatchParty)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Show the recorded read-only values rather than "known after apply",
	// except those the operations change.
	keepComputedFromPrior(ctx, prior, &plan)
	resp.Diagnostics.Append(markChangedByOperations(ctx, &plan, ops, configPatchParty)...)
	resp.Diagnostics.Append(planWarnings(ctx, prior, plan, ops)...)
	if len(ops) > 0 {
		resp.Diagnostics.Append(r.checkOperationsWithAPI(ctx, prior, plan, ops)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// unchangedPlan reports a plan of an existing instance that is its prior
// state, with nothing unknown, and no failed create or running action
// recorded: ModifyPlan has nothing to check, warn about or fill in, and
// returns without reading the plan into the model (most plans of a
// refresh are such).
func unchangedPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	plan, prior := resp.Plan.Raw, req.State.Raw
	if plan.IsNull() || prior.IsNull() || !plan.IsFullyKnown() || !plan.Equal(prior) {
		return false
	}
	for _, key := range []string{failedCreateKey, pendingActionKey} {
		if raw, diags := req.Private.GetKey(ctx, key); diags.HasError() || len(raw) > 0 {
			return false
		}
	}
	return true
}

// planWarnings warns about what a plan does that users may not expect:
// downtime, and extensions that stay installed although the
// configuration drops them.
func planWarnings(ctx context.Context, prior, plan postgresqlResourceModel, ops []operation) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, o := range ops {
		a, summary, detail, ok := downtimeWarning(o, prior, plan)
		if !ok {
			continue
		}
		diags.AddAttributeWarning(path.Root(a), summary, detail+
			" Apply when the applications using it can bear the interruption.")
	}
	if len(ops) > 0 && ops[0].Bracket {
		var names []string
		for _, o := range ops {
			if o.spec().needsRunning && !slices.Contains(names, o.Name) {
				names = append(names, o.Name)
			}
		}
		diags.AddAttributeWarning(path.Root("power_state"), "Stopped Instance Started for the Change",
			fmt.Sprintf("ITCare runs %s only on a running instance: Terraform starts the stopped PostgreSQL instance %q (id %s), "+
				"runs the change, and stops it again.", strings.Join(names, ", "), prior.Name.ValueString(), prior.ID.ValueString()))
	}
	removed, d := removedExtensions(ctx, prior.Extensions, plan.Extensions)
	diags.Append(d...)
	if len(removed) > 0 {
		diags.AddAttributeWarning(path.Root("extensions"), "Extensions Not Uninstalled",
			fmt.Sprintf("ITCare cannot uninstall extensions. %s stay installed in the PostgreSQL instance %q; Terraform only stops tracking them.",
				strings.Join(removed, ", "), prior.Name.ValueString()))
	}
	for _, r := range replaceRules {
		if r.recordedOnly != nil && r.recordedOnly(prior, plan) {
			diags.AddAttributeWarning(path.Root(r.attr), "Create-Only Argument Only Recorded",
				fmt.Sprintf("ITCare applies %s only when it creates an instance, and does not return it: setting it on the "+
					"existing PostgreSQL instance %q (id %s) changes nothing in ITCare. Terraform only records the value.",
					r.attr, prior.Name.ValueString(), prior.ID.ValueString()))
		}
	}
	return diags
}

// protected reports whether the state protects the instance against
// deletion. The plan-time checks and Delete judge this one value, the
// state's: turning protection off is an apply of its own. A state without
// the value (an import not read yet) is protected, as the default is.
func protected(state postgresqlResourceModel) bool {
	return state.DeletionProtection.IsNull() || state.DeletionProtection.IsUnknown() || state.DeletionProtection.ValueBool()
}

// unprotectHowTo says how to lift the protection.
const unprotectHowTo = "To delete it, set deletion_protection = false in its resource block and apply that change on its " +
	"own (it changes nothing in ITCare), then run the command again."

// checkCreate checks a plan that creates an instance, the new one of a
// replacement included.
func (r *postgresqlResource) checkCreate(ctx context.Context, config tfsdk.Config, plan postgresqlResourceModel) diag.Diagnostics {
	var wo types.String
	diags := config.GetAttribute(ctx, path.Root("adm_password_wo"), &wo)
	now := time.Now()
	diags.Append(checkNewInstance(ctx, plan, wo, now)...)
	if !diags.HasError() {
		diags.Append(r.checkRestoreWithAPI(ctx, plan, now)...)
	}
	return diags
}

// checkDestroy refuses to destroy a protected instance.
func checkDestroy(prior postgresqlResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if protected(prior) {
		diags.AddAttributeError(path.Root("deletion_protection"), summaryProtected,
			fmt.Sprintf("The PostgreSQL instance %q (id %s) has deletion_protection = true in the state, so Terraform will not "+
				"destroy it: destroying deletes the instance and all its data. %s If the destroy is not wanted: after "+
				"terraform destroy, nothing was changed; if the resource block was removed from the configuration, put it "+
				"back, or replace it with a removed block whose lifecycle has destroy = false to stop managing the instance "+
				"without deleting it.", prior.Name.ValueString(), prior.ID.ValueString(), unprotectHowTo))
	}
	return diags
}

// checkNewInstance checks what is required only to create an instance:
// the read model does not return these values, so an imported instance
// cannot have them, and its generated configuration must still plan.
func checkNewInstance(ctx context.Context, plan postgresqlResourceModel, passwordWO types.String, now time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	if plan.AdmPassword.IsNull() && passwordWO.IsNull() {
		diags.AddAttributeError(path.Root("adm_password_wo"), "Missing Administrator Password",
			fmt.Sprintf("Creating the PostgreSQL instance %q needs an administrator password: set adm_password_wo "+
				"(write-only, kept out of the state; preferred) or adm_password.", plan.Name.ValueString()))
	}
	if known(plan.Topology) && plan.Topology.ValueString() == topologyHA {
		for _, a := range []struct {
			name, what string
			v          types.String
		}{{"node_prefix", "the prefix of its node names", plan.NodePrefix}, {"availability_zone", "its availability zone", plan.AvailabilityZone}} {
			if a.v.IsNull() {
				diags.AddAttributeError(path.Root(a.name), "Missing Attribute for an HA Instance",
					fmt.Sprintf("Creating an HA instance needs %s: set %s.", a.what, a.name))
			}
		}
	}
	diags.Append(checkRestorePoint(ctx, plan.Restore, now)...)
	return diags
}

// checkRestorePoint checks, without the API, that a restore's timestamp is
// in the past and within the widest window ITCare keeps backups for.
func checkRestorePoint(ctx context.Context, restore types.Object, now time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	if !known(restore) {
		return diags
	}
	var rm restoreModel
	diags.Append(restore.As(ctx, &rm, basetypes.ObjectAsOptions{})...)
	if !known(rm.Timestamp) {
		return diags
	}
	t, err := time.Parse(time.RFC3339, rm.Timestamp.ValueString())
	if err != nil {
		return diags
	}
	p := path.Root("restore").AtName("timestamp")
	switch {
	case t.Before(now.Add(-restoreMaxAge)):
		diags.AddAttributeError(p, "Restore Point Too Old",
			fmt.Sprintf("ITCare keeps backups for at most 14 days (7 days for a non-production service); %s is older. Choose a point in time after %s.",
				rm.Timestamp.ValueString(), now.Add(-restoreMaxAge).UTC().Format(time.RFC3339)))
	case t.After(now):
		diags.AddAttributeError(p, "Restore Point In The Future",
			fmt.Sprintf("%s is in the future; a restore point must be in the past: within 14 days for a production "+
				"source, 7 days for any other.", rm.Timestamp.ValueString()))
	}
	return diags
}

// checkExistingInstance checks a plan for an instance that exists.
// requiresReplace lists the attributes that force a replacement.
//
// given says that Terraform gave ITCare the instance's password (it
// created the instance, or recorded a password since): a password
// attribute that comes back after being removed is then a change too.
func checkExistingInstance(prior, plan postgresqlResourceModel, requiresReplace path.Paths, given bool) diag.Diagnostics {
	var diags diag.Diagnostics
	name, id := prior.Name.ValueString(), prior.ID.ValueString()
	if len(requiresReplace) > 0 {
		// The protection error comes first: nothing else matters for a
		// plan that would destroy a protected database.
		return checkReplacement(prior, plan, requiresReplace)
	}
	diags.Append(checkPasswordAttributes(prior, plan, given)...)
	if higherVersion(prior.Version, plan.Version) && !plan.AllowMajorVersionUpgrade.ValueBool() {
		diags.AddAttributeError(path.Root("version"), "Major Version Upgrade Not Allowed",
			fmt.Sprintf("Changing version from %q to %q upgrades the PostgreSQL instance %q (id %s) in place, with downtime, "+
				"and cannot be undone. Set allow_major_version_upgrade = true to allow it, or revert version to %q.",
				prior.Version.ValueString(), plan.Version.ValueString(), name, id, prior.Version.ValueString()))
	}
	if enablesHA(prior, plan) {
		if v, err := strconv.Atoi(plan.Version.ValueString()); err == nil && known(plan.Version) && v < enableHAMinVersion {
			diags.AddAttributeError(path.Root("topology"), "High Availability Needs PostgreSQL 12",
				fmt.Sprintf("ITCare switches an instance to HA only from PostgreSQL %d; version is %q. Upgrade first, or keep topology = %q.",
					enableHAMinVersion, plan.Version.ValueString(), topologyStandalone))
		}
		if known(plan.AllowedReplicationLag) && plan.AllowedReplicationLag.ValueInt64() > enableHAMaxLag {
			diags.AddAttributeError(path.Root("allowed_replication_lag"), "Replication Lag Too High",
				fmt.Sprintf("When an existing instance switches to HA, ITCare accepts an allowed_replication_lag from 1 to %d MB; got %d.",
					enableHAMaxLag, plan.AllowedReplicationLag.ValueInt64()))
		}
	}
	return diags
}

// checkReplacement refuses a replacement of a protected instance, and
// says why an unprotected one is replaced: the attributes that force it.
func checkReplacement(prior, plan postgresqlResourceModel, requiresReplace path.Paths) diag.Diagnostics {
	var diags diag.Diagnostics
	name, id := prior.Name.ValueString(), prior.ID.ValueString()
	attrs := make([]string, len(requiresReplace))
	for i, p := range requiresReplace {
		attrs[i] = p.String()
	}
	why := fmt.Sprintf("Terraform must replace the PostgreSQL instance %q (id %s) because %s cannot change in place: "+
		"replacing destroys the instance and all its data, then creates a new, empty one.", name, id, strings.Join(attrs, ", "))
	if protected(prior) {
		detail := why + " deletion_protection is true in the state, so the plan is refused before anything is touched. " +
			"To keep the instance, revert " + strings.Join(attrs, ", ") + ". To replace it, set deletion_protection = false " +
			"and apply that change on its own (it changes nothing in ITCare), then apply this one."
		if known(plan.DeletionProtection) && !plan.DeletionProtection.ValueBool() {
			detail += " Setting it to false in the same change is not enough: the protection that counts is the one already applied."
		}
		diags.AddAttributeError(requiresReplace[0], summaryProtected, detail)
		return diags
	}
	diags.AddAttributeWarning(requiresReplace[0], "PostgreSQL Instance Will Be Replaced", why)
	return diags
}

// checkPasswordAttributes refuses every password change the API cannot
// make on an existing instance, so that the state never records a
// password that is not the instance's. A removed value changes nothing
// and is dropped from the state.
func checkPasswordAttributes(prior, plan postgresqlResourceModel, given bool) diag.Diagnostics {
	var diags diag.Diagnostics
	name, id := prior.Name.ValueString(), prior.ID.ValueString()
	pw := path.Root("adm_password")
	if !prior.AdmPassword.IsNull() && !plan.AdmPassword.IsNull() && !plan.AdmPassword.Equal(prior.AdmPassword) {
		diags.AddAttributeError(pw, summaryPasswordChange, passwordChangeDetail(name, id, "adm_password", "revert adm_password to its previous value"))
	}
	if prior.AdmPassword.IsNull() && known(plan.AdmPassword) {
		switch {
		case given && prior.AdmPasswordWOVersion.IsNull():
			diags.AddAttributeError(pw, summaryPasswordChange, passwordBackDetail(name, id, "adm_password"))
		case !prior.AdmPasswordWOVersion.IsNull():
			// Created (or last set) through adm_password_wo: Terraform
			// cannot tell whether this value is the instance's.
			diags.AddAttributeError(pw, summaryPasswordChange, fmt.Sprintf("The PostgreSQL instance %q (id %s) got its "+
				"administrator password through adm_password_wo, and ITCare cannot change the password of an existing "+
				"instance: switching to adm_password would record a value Terraform cannot check. Remove adm_password and "+
				"keep adm_password_wo and adm_password_wo_version as they were.", name, id))
		default:
			diags.AddAttributeWarning(pw, "Administrator Password Only Recorded", fmt.Sprintf("ITCare cannot change nor "+
				"return the administrator password of the PostgreSQL instance %q (id %s): Terraform records adm_password "+
				"without checking it, and uses it only if the instance is replaced. Make sure it is the instance's "+
				"password, or use adm_password_wo, which is never stored.", name, id))
		}
	}
	// A version that comes back is a change, unless the same plan moves
	// from adm_password to the write-only password, which stores nothing.
	if given && prior.AdmPasswordWOVersion.IsNull() && known(plan.AdmPasswordWOVersion) && prior.AdmPassword.IsNull() {
		diags.AddAttributeError(path.Root("adm_password_wo_version"), summaryPasswordChange, passwordBackDetail(name, id, "adm_password_wo_version"))
	}
	if !prior.AdmPasswordWOVersion.IsNull() && !plan.AdmPasswordWOVersion.IsNull() && !plan.AdmPasswordWOVersion.Equal(prior.AdmPasswordWOVersion) {
		diags.AddAttributeError(path.Root("adm_password_wo_version"), summaryPasswordChange, passwordChangeDetail(name, id, "adm_password_wo_version",
			fmt.Sprintf("revert adm_password_wo_version to %d", prior.AdmPasswordWOVersion.ValueInt64())))
	}
	return diags
}

// passwordBackDetail explains why a password attribute cannot come back
// once removed.
func passwordBackDetail(name, id, attr string) string {
	return fmt.Sprintf("Terraform gave ITCare the administrator password of the PostgreSQL instance %q (id %s), and ITCare "+
		"cannot change it: %s, removed since, cannot be set again, since Terraform cannot tell whether the value is the "+
		"instance's password. Remove %s again; a password changed inside PostgreSQL (ALTER ROLE ... PASSWORD) needs "+
		"nothing here.", name, id, attr, attr)
}

func passwordChangeDetail(name, id, attr, revert string) string {
	return fmt.Sprintf("%s changed, but ITCare cannot change the administrator password of an existing instance "+
		"(PostgreSQL instance %q, id %s). To go on: %s. A password changed inside PostgreSQL (ALTER ROLE ... PASSWORD) "+
		"needs nothing here: Terraform uses the configured password only to create the instance. To stop keeping a "+
		"password in the state, remove adm_password and set adm_password_wo with adm_password_wo_version instead; to "+
		"rotate it through ITCare, replace the instance (this destroys its data).", attr, name, id, revert)
}

// replaceRule says whether a planned change of one attribute replaces the
// instance. The rules mirror the attributes' plan modifiers; a unit test
// keeps both lists in step.
type replaceRule struct {
	attr    string
	replace func(prior, plan postgresqlResourceModel) bool
	// recordedOnly, for a create-only value the API never returns, says
	// whether the plan sets it where the state has none: ITCare is not
	// changed, the value is only recorded.
	recordedOnly func(prior, plan postgresqlResourceModel) bool
}

var replaceRules = func() []replaceRule {
	changed := func(get func(postgresqlResourceModel) attr.Value) func(prior, plan postgresqlResourceModel) bool {
		return func(prior, plan postgresqlResourceModel) bool { return !get(plan).Equal(get(prior)) }
	}
	// Create-only values: only a recorded one can change; a removed one
	// is dropped.
	recorded := func(get func(postgresqlResourceModel) attr.Value) func(prior, plan postgresqlResourceModel) bool {
		return func(prior, plan postgresqlResourceModel) bool {
			return !get(prior).IsNull() && !get(plan).IsNull() && !get(plan).Equal(get(prior))
		}
	}
	// The API never returns these: a recorded value can only change.
	unread := func(name string, get func(postgresqlResourceModel) attr.Value) replaceRule {
		return replaceRule{attr: name, replace: recorded(get), recordedOnly: func(prior, plan postgresqlResourceModel) bool {
			return get(prior).IsNull() && known(get(plan))
		}}
	}
	// The API returns these under another name: a value set where the
	// state has none must match it.
	readBack := func(get, read func(postgresqlResourceModel) types.Bool) func(prior, plan postgresqlResourceModel) bool {
		changed := recorded(func(m postgresqlResourceModel) attr.Value { return get(m) })
		return func(prior, plan postgresqlResourceModel) bool {
			return changed(prior, plan) || (get(prior).IsNull() && readBackDiffers(get(plan), read(prior)))
		}
	}
	return []replaceRule{
		{attr: "name", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.Name })},
		{attr: "service_id", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.ServiceID })},
		{attr: "network_id", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.NetworkID })},
		{attr: "area", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.Area })},
		{attr: "trigram", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.Trigram })},
		{attr: "disk_size", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.DiskSize })},
		{attr: "version", replace: func(prior, plan postgresqlResourceModel) bool { return versionLower(prior.Version, plan.Version) }},
		{attr: "topology", replace: func(prior, plan postgresqlResourceModel) bool {
			return prior.Topology.ValueString() == topologyHA && plan.Topology.ValueString() == topologyStandalone
		}},
		{attr: "allowed_replication_lag", replace: func(prior, plan postgresqlResourceModel) bool {
			return !plan.AllowedReplicationLag.Equal(prior.AllowedReplicationLag) &&
				!(prior.Topology.ValueString() == topologyStandalone && plan.Topology.ValueString() == topologyHA)
		}},
		{attr: "tls", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.TLS })},
		{attr: "monitoring_alerting", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.MonitoringAlerting })},
		{attr: "cloud_id", replace: changed(func(m postgresqlResourceModel) attr.Value { return m.CloudID })},
		unread("node_prefix", func(m postgresqlResourceModel) attr.Value { return m.NodePrefix }),
		unread("availability_zone", func(m postgresqlResourceModel) attr.Value { return m.AvailabilityZone }),
		{attr: "backup_enabled", replace: readBack(func(m postgresqlResourceModel) types.Bool { return m.BackupEnabled },
			func(m postgresqlResourceModel) types.Bool { return m.BackupStatus })},
		unread("db_backup_policy_id", func(m postgresqlResourceModel) attr.Value { return m.DBBackupPolicyID }),
		unread("server_backup_policy_id", func(m postgresqlResourceModel) attr.Value { return m.ServerBackupPolicyID }),
		unread("no_backup_prod_reason", func(m postgresqlResourceModel) attr.Value { return m.NoBackupProdReason }),
		{attr: "replication_enabled", replace: readBack(func(m postgresqlResourceModel) types.Bool { return m.ReplicationEnabled },
			func(m postgresqlResourceModel) types.Bool { return m.ReplicationStatus })},
		unread("no_replication_prod_reason", func(m postgresqlResourceModel) attr.Value { return m.NoReplicationProdReason }),
		unread("no_monitoring_prod_reason", func(m postgresqlResourceModel) attr.Value { return m.NoMonitoringProdReason }),
		unread("platform", func(m postgresqlResourceModel) attr.Value { return m.Platform }),
		unread("region", func(m postgresqlResourceModel) attr.Value { return m.Region }),
		unread("regulation", func(m postgresqlResourceModel) attr.Value { return m.Regulation }),
	}
}()

// replacementAttributes lists the attributes whose planned change replaces
// the existing instance.
func replacementAttributes(prior, plan postgresqlResourceModel) path.Paths {
	var out path.Paths
	for _, r := range replaceRules {
		if r.replace(prior, plan) {
			out = append(out, path.Root(r.attr))
		}
	}
	return out
}

func enablesHA(prior, plan postgresqlResourceModel) bool {
	return prior.Topology.ValueString() == topologyStandalone && known(plan.Topology) && plan.Topology.ValueString() == topologyHA
}

// higherVersion reports a planned major version above the prior one.
func higherVersion(prior, plan types.String) bool {
	if !known(prior) || !known(plan) {
		return false
	}
	a, errA := strconv.Atoi(prior.ValueString())
	b, errB := strconv.Atoi(plan.ValueString())
	return errA == nil && errB == nil && b > a
}

// keepComputedFromPrior replaces unknown read-only values, and unknown
// optional arguments that ITCare sets when the configuration leaves them
// out, with the recorded ones, for a plan that changes nothing in ITCare.
func keepComputedFromPrior(_ context.Context, prior postgresqlResourceModel, plan *postgresqlResourceModel) {
	fillUnknown(&plan.postgresqlReadOnlyModel, prior.postgresqlReadOnlyModel)
	fillUnknownAttributesOf(plan, prior, "monitoring_enabled", "on_call_supervision", "monitoring_alerting", "cloud_id", "patch_party")
}
