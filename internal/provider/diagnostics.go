package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// Diagnostic summaries of the itcare_postgresql resource.
const (
	summaryCreate         = "Error Creating PostgreSQL Instance"
	summaryRead           = "Error Reading PostgreSQL Instance"
	summaryUpdate         = "Error Updating PostgreSQL Instance"
	summaryDelete         = "Error Deleting PostgreSQL Instance"
	summaryImport         = "Error Importing PostgreSQL Instance"
	summaryRestore        = "Error Restoring PostgreSQL Instance"
	summaryProtected      = "PostgreSQL Instance Protected Against Deletion"
	summaryPasswordChange = "Administrator Password Cannot Change"
	summaryPlanCheck      = "Error Checking the Plan With ITCare"
)

// step is what the provider was doing when an error occurred.
type step int

const (
	// stepRead is the zero value: reading can harm nothing, so a context
	// that forgets to say is read as the harmless step.
	stepRead step = iota
	stepCreate
	stepDelete
	stepLookUp
	// stepOperation is an ITCare operation, which opContext.Operation names.
	stepOperation
)

// opContext describes the operation a diagnostic is about.
type opContext struct {
	Step step
	// Operation labels the ITCare operation of a stepOperation, with its
	// database for an install_extension.
	Operation   string
	ID          int64
	Name        string
	ActionID    int64
	Timeout     time.Duration
	TimeoutName string
	// PasswordAttr is the attribute that carried the password, for an API
	// error about admPassword.
	PasswordAttr string
	// InUpdate marks an operation of an update: the state keeps what was
	// done, and nothing is tainted.
	InUpdate bool
	// Pending marks an operation whose action was still running when the
	// wait stopped, and that the next refresh or apply waits for.
	Pending bool
}

func (o opContext) subject() string {
	switch {
	case o.ID != 0 && o.Name != "":
		return fmt.Sprintf("the PostgreSQL instance %q (id %d)", o.Name, o.ID)
	case o.ID != 0:
		return fmt.Sprintf("the PostgreSQL instance with id %d", o.ID)
	default:
		return fmt.Sprintf("the PostgreSQL instance %q", o.Name)
	}
}

// verb says what could not be done to the instance.
func (o opContext) verb() string {
	switch o.Step {
	case stepCreate:
		return "create"
	case stepDelete:
		return "delete"
	case stepLookUp:
		return "look up"
	case stepOperation:
		return "run " + o.Operation + " on"
	}
	return "read"
}

// hint says what the user can do after a failed operation.
func (o opContext) hint() string {
	switch {
	case o.InUpdate && o.Pending:
		return fmt.Sprintf("Terraform recorded %s: the next refresh or apply waits for it instead of sending %s again. "+
			"The state records the operations that completed before it; run terraform plan to see what is left.", actionText(o.ActionID), o.Operation)
	case o.InUpdate:
		return "The state records the operations that completed before this one, and the prior values for the others: " +
			"correct the cause, run terraform plan to see what is left, and apply again."
	case o.Step == stepCreate && o.ID == 0:
		return "Nothing was recorded in the Terraform state. Correct the cause and apply again."
	case o.Step == stepCreate || o.Step == stepOperation:
		return "The instance id is recorded in the Terraform state and the resource is marked tainted: the next apply " +
			"replaces it (deletes this instance and creates a new one), unless deletion_protection is true, which makes the " +
			"delete refuse. Check the instance and the action in the ITCare console first; if the instance turns out usable, " +
			"run `terraform untaint` on this resource and apply again instead."
	case o.Step == stepDelete:
		return "The instance is still in the Terraform state. Check the action in the ITCare console, then run the destroy again."
	default:
		return "Check the provider's api_url and credentials and ITCare's status, then run Terraform again."
	}
}

// addAPIError turns an error of the client into a diagnostic that names
// the instance, the operation, the action and ITCare's message. An API
// error about a known field is attached to its attribute.
func addAPIError(diags *diag.Diagnostics, summary string, op opContext, err error) {
	var (
		actionErr *itcare.ActionError
		apiErr    *itcare.APIError
		authErr   *itcare.AuthError
		what      string
		attr      path.Path
		hasAttr   bool
	)
	verb := op.verb()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		what = fmt.Sprintf("Terraform stopped waiting after %s (timeouts.%s)", op.Timeout, op.TimeoutName)
		if op.ActionID != 0 {
			what += fmt.Sprintf(" while ITCare %s was still running; the action may still complete in ITCare", actionText(op.ActionID))
		}
		what += ". If ITCare needs longer, raise timeouts." + op.TimeoutName + "."
	case errors.As(err, &actionErr):
		what = fmt.Sprintf("ITCare action %d", actionErr.ActionID)
		if actionErr.Process != "" {
			what += " (" + actionErr.Process + ")"
		}
		msg := actionErr.Message
		if msg == "" {
			msg = "no message"
		}
		what += " ended in ERROR: " + msg
	case errors.As(err, &authErr):
		what = authErr.Error()
	case errors.As(err, &apiErr):
		what = "ITCare refused the request: " + apiErr.Error()
		attr, hasAttr = attributeForAPIField(apiErr.ErrorDesc, op.PasswordAttr)
		if op.ActionID != 0 {
			what += fmt.Sprintf(" (%s)", actionText(op.ActionID))
		}
	case itcare.IsUnknownOutcome(err):
		what = err.Error()
	default:
		what = err.Error()
		if op.ActionID != 0 {
			what += fmt.Sprintf(" (%s)", actionText(op.ActionID))
		}
	}
	detail := fmt.Sprintf("Could not %s %s. %s\n\n%s", verb, op.subject(), what, op.hint())
	if hasAttr {
		diags.AddAttributeError(attr, summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

// addUnknownCreateOutcome reports a create whose instance could not be
// told: its answer was lost (postErr), or ITCare accepted it (action) but
// shows no single instance of that name.
func addUnknownCreateOutcome(diags *diag.Diagnostics, op opContext, action *itcare.Action, postErr error, found []itcare.PostgreSQL, findErr error) {
	var b strings.Builder
	switch {
	case postErr != nil:
		fmt.Fprintf(&b, "ITCare did not say whether %s was created (%v)", op.subject(), postErr)
	case action != nil && action.ID != 0:
		fmt.Fprintf(&b, "ITCare accepted the create of %s (action %d), but the new instance's id could not be found", op.subject(), action.ID)
	default:
		fmt.Fprintf(&b, "ITCare accepted the create of %s without naming the instance", op.subject())
	}
	b.WriteString(", and looking it up by name ")
	switch {
	case findErr != nil:
		fmt.Fprintf(&b, "failed: %v.", findErr)
	case len(found) == 0:
		b.WriteString("found nothing.")
	default:
		ids := make([]string, len(found))
		for i, pg := range found {
			ids[i] = fmt.Sprint(pg.ID)
		}
		fmt.Fprintf(&b, "found %d instances (ids %s).", len(found), strings.Join(ids, ", "))
	}
	b.WriteString("\n\nCheck the ITCare console. If the instance exists, import it (terraform import, or an import block " +
		"with its id); otherwise apply again. Terraform does not resend a create whose outcome is unknown, so that no " +
		"second instance is made.")
	diags.AddError(summaryCreate, b.String())
}

// apiFieldAttributes maps the API's field names, as errorDesc names them,
// to attribute paths.
var apiFieldAttributes = map[string]path.Path{
	"name":                    path.Root("name"),
	"serviceId":               path.Root("service_id"),
	"networkId":               path.Root("network_id"),
	"area":                    path.Root("area"),
	"trigram":                 path.Root("trigram"),
	"nodeSizing":              path.Root("node_sizing"),
	"sizing":                  path.Root("node_sizing"),
	"diskSize":                path.Root("disk_size"),
	"postgreVersion":          path.Root("version"),
	"targetVersion":           path.Root("version"),
	"topology":                path.Root("topology"),
	"allowedReplicationLag":   path.Root("allowed_replication_lag"),
	"replicationLag":          path.Root("allowed_replication_lag"),
	"nodePrefix":              path.Root("node_prefix"),
	"az":                      path.Root("availability_zone"),
	"tls":                     path.Root("tls"),
	"backupEnabled":           path.Root("backup_enabled"),
	"dbBackupPolicyId":        path.Root("db_backup_policy_id"),
	"serverBackupPolicyId":    path.Root("server_backup_policy_id"),
	"noBackupProdReason":      path.Root("no_backup_prod_reason"),
	"noMonitoringProdReason":  path.Root("no_monitoring_prod_reason"),
	"noReplicationProdReason": path.Root("no_replication_prod_reason"),
	"replicationEnabled":      path.Root("replication_enabled"),
	"monitoringEnabled":       path.Root("monitoring_enabled"),
	"monitoringAlerting":      path.Root("monitoring_alerting"),
	"onCallSupervision":       path.Root("on_call_supervision"),
	"cloudId":                 path.Root("cloud_id"),
	"platform":                path.Root("platform"),
	"region":                  path.Root("region"),
	"regulation":              path.Root("regulation"),
	"changeReference":         path.Root("change_reference"),
	"sourceId":                path.Root("restore").AtName("source_id"),
	"timestamp":               path.Root("restore").AtName("timestamp"),
	"stop":                    path.Root("restore").AtName("stop"),
	"patchGroup":              path.Root("patch_party").AtName("patch_group"),
	"exclusionReason":         path.Root("patch_party").AtName("exclusion_reason"),
	"excluded":                path.Root("patch_party").AtName("excluded"),
	"dbname":                  path.Root("extensions"),
	"extensions_list":         path.Root("extensions"),
}

// attributeForAPIField finds the attribute an errorDesc names. errorDesc
// may be a bare field ("diskSize"), a dotted one ("options.sizing") or a
// phrase quoting it ("Error on field 'sizing'").
func attributeForAPIField(desc, passwordAttr string) (path.Path, bool) {
	desc = strings.TrimSpace(desc)
	if desc == "" {
		return path.Empty(), false
	}
	candidates := []string{desc}
	if i := strings.LastIndexByte(desc, '.'); i >= 0 {
		candidates = append(candidates, desc[i+1:])
	}
	for _, q := range []string{"'", "\"", "`"} {
		parts := strings.Split(desc, q)
		for i := 1; i < len(parts); i += 2 {
			f := parts[i]
			candidates = append(candidates, f)
			if j := strings.LastIndexByte(f, '.'); j >= 0 {
				candidates = append(candidates, f[j+1:])
			}
		}
	}
	for _, c := range candidates {
		if c == "admPassword" {
			if passwordAttr == "" {
				passwordAttr = "adm_password"
			}
			return path.Root(passwordAttr), true
		}
		if p, ok := apiFieldAttributes[c]; ok {
			return p, true
		}
	}
	return path.Empty(), false
}

// actionText names an action in a message; ITCare may not name one (see
// actionUnnamed).
func actionText(id int64) string {
	if id == actionUnnamed {
		return "the action it runs on the instance (ITCare names none)"
	}
	return fmt.Sprintf("action %d", id)
}
