package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// checkOperationsWithAPI checks the rules of the planned operations that
// only ITCare knows (the versions an instance can be upgraded to, the
// extensions it offers), once per kind of operation, in the order of
// operationSpecs. Nothing is written.
func (r *postgresqlResource) checkOperationsWithAPI(ctx context.Context, prior, plan postgresqlResourceModel, ops []operation) diag.Diagnostics {
	var diags diag.Diagnostics
	var checks []*operationSpec
	for _, s := range operationSpecs {
		if s.checkWithAPI != nil && slices.ContainsFunc(ops, func(o operation) bool { return o.Name == s.name }) {
			checks = append(checks, s)
		}
	}
	if len(checks) == 0 {
		return diags
	}
	client, d := r.client()
	diags.Append(d...)
	id, err := strconv.ParseInt(prior.ID.ValueString(), 10, 64)
	if diags.HasError() || err != nil {
		return diags
	}
	for _, s := range checks {
		d, err := s.checkWithAPI(ctx, client, id, prior, plan)
		if err != nil {
			addAPIError(&diags, summaryPlanCheck, opContext{Step: stepRead, ID: id, Name: prior.Name.ValueString()}, err)
			return diags
		}
		diags.Append(d...)
	}
	return diags
}

// checkUpgradeWithAPI reads the versions ITCare offers for the instance.
func checkUpgradeWithAPI(ctx context.Context, client *itcare.Client, id int64, prior, plan postgresqlResourceModel) (diag.Diagnostics, error) {
	offered, err := client.GetPostgreSQLVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	return checkUpgradeTarget(prior, plan, offered), nil
}

// checkExtensionsWithAPI reads the extensions the instance offers, and
// those already installed.
func checkExtensionsWithAPI(ctx context.Context, client *itcare.Client, id int64, prior, plan postgresqlResourceModel) (diag.Diagnostics, error) {
	offered, err := client.GetPostgreSQLExtensions(ctx, id)
	if err != nil {
		return nil, err
	}
	dbs, err := client.GetPostgreSQLDatabases(ctx, id)
	if err != nil {
		return nil, err
	}
	diags := checkExtensionsOffered(ctx, prior, plan, offered)
	diags.Append(noteInstalledExtensions(ctx, prior, plan, dbs)...)
	return diags, nil
}

// noteInstalledExtensions says which added extensions are installed
// already: the apply records them without calling ITCare.
func noteInstalledExtensions(ctx context.Context, prior, plan postgresqlResourceModel, dbs []itcare.Database) diag.Diagnostics {
	added, diags := addedExtensions(ctx, prior.Extensions, plan.Extensions)
	installed := installedExtensions(dbs)
	var there []string
	for _, e := range added {
		if installed[e] {
			there = append(there, fmt.Sprintf("%s in database %s", e.name, e.db))
		}
	}
	if len(there) > 0 {
		diags.AddAttributeWarning(path.Root("extensions"), "Extensions Already Installed",
			fmt.Sprintf("%s already installed in the PostgreSQL instance %q (id %s): Terraform only starts tracking them, "+
				"without calling ITCare.", strings.Join(there, ", ")+pluralIs(len(there)), prior.Name.ValueString(), prior.ID.ValueString()))
	}
	return diags
}

// pluralIs is " is" or " are" after a list of n items.
func pluralIs(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// checkUpgradeTarget refuses an upgrade to a version that ITCare does not
// offer for the instance.
func checkUpgradeTarget(prior, plan postgresqlResourceModel, offered []int64) diag.Diagnostics {
	var diags diag.Diagnostics
	target, err := strconv.ParseInt(plan.Version.ValueString(), 10, 64)
	if err != nil || slices.Contains(offered, target) {
		return diags
	}
	diags.AddAttributeError(path.Root("version"), "PostgreSQL Version Not Offered",
		fmt.Sprintf("ITCare cannot upgrade the PostgreSQL instance %q (id %s) from %q to %q: the versions it offers for this instance are %s. "+
			"Set version to one of them, or revert it to %q. The itcare_postgresql_versions data source lists them.",
			prior.Name.ValueString(), prior.ID.ValueString(), prior.Version.ValueString(), plan.Version.ValueString(),
			offeredVersionsText(offered), prior.Version.ValueString()))
	return diags
}

// checkExtensionsOffered refuses added extensions the instance does not offer.
func checkExtensionsOffered(ctx context.Context, prior, plan postgresqlResourceModel, offered []itcare.Extension) diag.Diagnostics {
	var diags diag.Diagnostics
	available := map[string]itcare.Extension{}
	names := make([]string, 0, len(offered))
	for _, e := range offered {
		available[e.Name] = e
		names = append(names, e.Name)
	}
	sort.Strings(names)
	var missing, restarting []string
	added, d := addedExtensions(ctx, prior.Extensions, plan.Extensions)
	diags.Append(d...)
	for _, e := range added {
		offer, ok := available[e.name]
		switch {
		case !ok && !slices.Contains(missing, e.name):
			missing = append(missing, e.name)
		case ok && offer.RequiresRestarting && !slices.Contains(restarting, e.name):
			restarting = append(restarting, e.name)
		}
	}
	if len(restarting) > 0 {
		sort.Strings(restarting)
		diags.AddAttributeWarning(path.Root("extensions"), "Extension Install Restarts PostgreSQL",
			fmt.Sprintf("Installing %s restarts PostgreSQL on the instance %q (id %s), which causes downtime. Apply when the "+
				"applications using it can bear the interruption.", strings.Join(restarting, ", "), prior.Name.ValueString(), prior.ID.ValueString()))
	}
	if len(missing) == 0 {
		return diags
	}
	sort.Strings(missing)
	diags.AddAttributeError(path.Root("extensions"), "PostgreSQL Extension Not Offered",
		fmt.Sprintf("The PostgreSQL instance %q (id %s) does not offer %s. Remove it from extensions; the instance offers: %s.",
			prior.Name.ValueString(), prior.ID.ValueString(), strings.Join(missing, ", "), strings.Join(names, ", ")))
	return diags
}

// checkRestoreWithAPI reads the restore source of a new instance: its
// service decides the restore window, and ITCare refuses a source that is
// not backed up or runs another version. Nothing is written.
func (r *postgresqlResource) checkRestoreWithAPI(ctx context.Context, plan postgresqlResourceModel, now time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	if !known(plan.Restore) {
		return diags
	}
	var rm restoreModel
	diags.Append(plan.Restore.As(ctx, &rm, basetypes.ObjectAsOptions{})...)
	if diags.HasError() || !known(rm.SourceID) {
		return diags
	}
	client, d := r.client()
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	src, err := client.GetPostgreSQL(ctx, rm.SourceID.ValueInt64())
	if itcare.IsNotFound(err) {
		diags.AddAttributeError(path.Root("restore").AtName("source_id"), "Restore Source Not Found",
			fmt.Sprintf("No PostgreSQL instance with id %d exists in ITCare for this API account. Set restore.source_id to the id of the instance whose backup you want.",
				rm.SourceID.ValueInt64()))
		return diags
	}
	if err != nil {
		addAPIError(&diags, summaryPlanCheck, opContext{Step: stepRead, ID: rm.SourceID.ValueInt64()}, err)
		return diags
	}
	diags.Append(checkRestoreSource(rm, plan, src, now)...)
	return diags
}

// checkRestoreInPlaceWithAPI checks a restore into an existing instance:
// the restore point, then the source as ITCare shows it. The source must
// be another instance, of the version this one has when the restore runs
// (before any upgrade of the same plan). Nothing is written.
func checkRestoreInPlaceWithAPI(ctx context.Context, client *itcare.Client, id int64, prior, plan postgresqlResourceModel) (diag.Diagnostics, error) {
	diags := checkRestorePoint(ctx, plan.Restore, time.Now())
	var rm restoreModel
	diags.Append(plan.Restore.As(ctx, &rm, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if diags.HasError() || !known(rm.SourceID) {
		return diags, nil
	}
	if rm.SourceID.ValueInt64() == id {
		diags.AddAttributeError(path.Root("restore").AtName("source_id"), "Restore Source Is This Instance",
			fmt.Sprintf("restore.source_id is %d, the id of the PostgreSQL instance %q itself: ITCare restores another "+
				"instance's backup into this one. To bring this instance back to an earlier point, restore it from a copy, "+
				"or set source_id to the instance whose data you want.", id, prior.Name.ValueString()))
		return diags, nil
	}
	src, err := client.GetPostgreSQL(ctx, rm.SourceID.ValueInt64())
	if itcare.IsNotFound(err) {
		diags.AddAttributeError(path.Root("restore").AtName("source_id"), "Restore Source Not Found",
			fmt.Sprintf("No PostgreSQL instance with id %d exists in ITCare for this API account. Set restore.source_id to the id of the instance whose backup you want.",
				rm.SourceID.ValueInt64()))
		return diags, nil
	}
	if err != nil {
		return diags, err
	}
	current := plan
	current.Version = prior.Version
	diags.Append(checkRestoreSource(rm, current, src, time.Now())...)
	return diags, nil
}

// restoreSourceText names a restore's source and point in time for a
// message, as far as the plan knows them.
func restoreSourceText(restore types.Object) string {
	var rm restoreModel
	if !known(restore) || restore.As(context.Background(), &rm, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
		return "another instance's (known after apply)"
	}
	source, at := "another instance's", "a point in time known after apply"
	if known(rm.SourceID) {
		source = fmt.Sprintf("the instance %d's", rm.SourceID.ValueInt64())
	}
	if known(rm.Timestamp) {
		at = rm.Timestamp.ValueString()
	}
	return fmt.Sprintf("%s data as of %s", source, at)
}

// checkRestoreSource checks a restore against its source instance.
func checkRestoreSource(rm restoreModel, plan postgresqlResourceModel, src *itcare.PostgreSQL, now time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	sourcePath := path.Root("restore").AtName("source_id")
	subject := fmt.Sprintf("The restore source %q (id %d)", src.Name, src.ID)
	if itcare.ClassifyStatus(src.Status) != itcare.StatusRunning {
		diags.AddAttributeError(sourcePath, "Restore Source Not Active",
			fmt.Sprintf("%s is %s: ITCare restores only from an ACTIVE instance. Start it (power_state = %q) before this "+
				"apply, or choose another source.", subject, src.Status, powerRunning))
	}
	if !src.BackupStatus {
		diags.AddAttributeError(sourcePath, "Restore Source Not Backed Up",
			subject+" is not backed up, so ITCare has nothing to restore. Choose a source with backups enabled.")
	}
	if known(plan.Version) && majorOf(src.Version) != "" && majorOf(src.Version) != plan.Version.ValueString() {
		diags.AddAttributeError(sourcePath, "Restore Source Version Differs",
			fmt.Sprintf("%s runs PostgreSQL %s and the instance it is restored into %s: ITCare restores only between instances of the same version. "+
				"Set version = %q, or choose another source.", subject, majorOf(src.Version), plan.Version.ValueString(), majorOf(src.Version)))
	}
	if !known(rm.Timestamp) {
		return diags
	}
	t, err := time.Parse(time.RFC3339, rm.Timestamp.ValueString())
	if err != nil {
		return diags
	}
	window, days := restoreWindowNonProd, 7
	if strings.EqualFold(src.Environment, "PRODUCTION") {
		window, days = restoreMaxAge, 14
	}
	// A point older than the widest window is reported without the API.
	if t.Before(now.Add(-window)) && !t.Before(now.Add(-restoreMaxAge)) {
		diags.AddAttributeError(path.Root("restore").AtName("timestamp"), "Restore Point Too Old",
			fmt.Sprintf("%s belongs to a %s service, whose backups ITCare keeps for %d days; %s is older. Choose a point in time after %s.",
				subject, strings.ToLower(src.Environment), days, rm.Timestamp.ValueString(), now.Add(-window).UTC().Format(time.RFC3339)))
	}
	if created, err := itcare.ParseTime(src.CreationTime); err == nil && t.Before(created) {
		diags.AddAttributeError(path.Root("restore").AtName("timestamp"), "Restore Point Before the Source Existed",
			fmt.Sprintf("%s was created at %s; %s is earlier, so it has no backup of that time. Choose a point in time after %s.",
				subject, created.UTC().Format(time.RFC3339), rm.Timestamp.ValueString(), created.UTC().Format(time.RFC3339)))
	}
	return diags
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
