package provider_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// secretsHCL is how the documentation tells users to pass secrets: the
// client secret in ITCARE_CLIENT_SECRET, the password through an
// ephemeral variable into the write-only attribute. (A literal in a .tf
// file is part of the configuration, which a plan file carries.)
func secretsHCL(e *acctest.Emulator, names ...string) string {
	var b strings.Builder
	b.WriteString(acctest.RequiredProviders())
	fmt.Fprintf(&b, `
provider "itcare" {
  api_url   = %q
  token_url = %q
  client_id = %q
}

variable "adm_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
`, e.APIURL(), e.TokenURL(), e.ClientID())
	for _, n := range names {
		fmt.Fprintf(&b, `
resource "itcare_postgresql" %q {
  name                    = %q
  service_id              = 1001
  network_id              = 2001
  area                    = "EB-QA"
  trigram                 = "ACC"
  node_sizing             = "2cpu4gb"
  disk_size               = 40
  version                 = "15"
  adm_password_wo         = var.adm_password
  adm_password_wo_version = 1
  deletion_protection     = false
}
`, n, n)
	}
	return b.String()
}

// TestAccReliability_secretsNeverLeak runs plan (to a plan file), apply,
// failing creates whose error answer and action message echo the
// password, and destroy, with TF_LOG=TRACE written to a file, the
// provider running as its own process as in production. Neither the
// client secret, nor any access token the emulator issued, nor the admin
// password may appear in Terraform's output, its log, the plan file (raw
// and every file inside it), `terraform show -json` of the plan and the
// state, or the state files.
func TestAccReliability_secretsNeverLeak(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	acctest.SkipUnlessCLI(t, acctest.WriteOnlyArguments)
	acctest.SkipUnlessCLI(t, acctest.EphemeralVariables)
	t.Parallel()
	stamp := time.Now().UnixNano() % 1_000_000_000
	clientSecret := fmt.Sprintf("cs-%d-Zq8vW2", stamp)
	password := fmt.Sprintf("Pw!%dXyZ", stamp)
	e := acctest.NewEmulatorWith(t, emulator.Config{ClientSecret: clientSecret})
	ok := acctest.RandomName("pgrelsecret")
	echoed := ok + "e"
	failed := ok + "f"

	logDir := t.TempDir()
	logPath := filepath.Join(logDir, "terraform.log")
	run := acctest.NewTerraformRun(t, secretsHCL(e, ok), map[string]string{"ITCARE_CLIENT_SECRET": clientSecret})
	// The password comes from a variables file kept outside the working
	// directory, as a pipeline's secret store would provide it; a -var
	// would put it on the command line, which TF_LOG prints.
	varFile := filepath.Join(t.TempDir(), "secret.tfvars")
	if err := os.WriteFile(varFile, []byte(fmt.Sprintf("adm_password = %q\n", password)), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := tfexec.VarFile(varFile)
	if err := run.SetLog("TRACE"); err != nil {
		t.Fatal(err)
	}
	if err := run.SetLogPath(logPath); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var texts []named
	planFile := filepath.Join(run.Dir, "create.tfplan")
	if _, err := run.Plan(ctx, tfexec.Out(planFile), vars); err != nil {
		t.Fatalf("plan: %v\n%s", err, run.Stderr)
	}
	plan, err := run.ShowPlanFile(ctx, planFile)
	if err != nil {
		t.Fatalf("show -json plan: %v", err)
	}
	planBytes, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	planJSON := string(planBytes)
	planText, err := run.ShowPlanFileRaw(ctx, planFile)
	if err != nil {
		t.Fatalf("show plan: %v", err)
	}
	texts = append(texts, named{"terraform show -json (plan)", planJSON}, named{"terraform show (plan)", planText})
	if !strings.Contains(planJSON, `"itcare_postgresql.`+ok+`"`) {
		t.Errorf("the plan JSON does not show the planned resource: the search below would prove nothing")
	}
	texts = append(texts, planFileTexts(t, planFile)...)
	if err := run.Apply(ctx, tfexec.DirOrPlan(planFile), vars); err != nil {
		t.Fatalf("apply: %v\n%s", err, run.Stderr)
	}

	// ITCare echoes the request in an error answer and in a failed
	// action's message: the diagnostics must not repeat the password.
	echo := fmt.Sprintf(`request {"name":"%s","admPassword":"%s"} refused`, echoed, password)
	e.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Method: "POST", Path: pgCollection, InstanceName: echoed, Status: 400, Message: echo, Count: 1})
	e.AddFault(emulator.Fault{Kind: emulator.FaultActionError, Operation: "create", InstanceName: failed, Message: "action failed: " + echo, Count: 1})
	if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(secretsHCL(e, ok, echoed, failed)), 0o600); err != nil {
		t.Fatal(err)
	}
	applyErr := run.Apply(ctx, vars)
	if applyErr == nil {
		t.Fatal("the apply with two failing creates succeeded")
	}
	for _, want := range []string{`ITCare\s+refused\s+the\s+request`, `ended\s+in\s+ERROR:\s+action\s+failed`} {
		if !regexp.MustCompile(want).MatchString(run.Stderr.String()) {
			t.Errorf("the diagnostics do not show ITCare's message %q: the search below would prove nothing\n%s", want, run.Stderr)
		}
	}
	texts = append(texts, named{"apply error", applyErr.Error()})

	st, err := run.ShowStateFile(ctx, filepath.Join(run.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("show state: %v", err)
	}
	stateBytes, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	stateJSON := string(stateBytes)
	if !strings.Contains(stateJSON, `"itcare_postgresql.`+ok+`"`) {
		t.Errorf("the state does not hold the instance: the search below would prove nothing")
	}
	texts = append(texts, named{"terraform show -json (state)", stateJSON})
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		texts = append(texts, readNamed(t, filepath.Join(run.Dir, f)))
	}
	if err := run.Destroy(ctx, vars); err != nil {
		t.Fatalf("destroy: %v\n%s", err, run.Stderr)
	}
	if n := len(e.Instances()); n != 0 {
		t.Errorf("%d instances left after destroy", n)
	}

	logText := readNamed(t, logPath)
	// The log must hold the provider's own TRACE/DEBUG lines, including
	// its calls to ITCare, or finding no secret in it means nothing.
	for _, want := range []string{"[TRACE]", "ITCare API request", "POST", "/actions/"} {
		if !strings.Contains(logText.text, want) {
			t.Errorf("the TF_LOG=TRACE log has no %q", want)
		}
	}
	texts = append(texts, logText,
		named{"terraform stdout", run.Stdout.String()},
		named{"terraform stderr", run.Stderr.String()})
	// Everything Terraform wrote in the working directory, whatever it is.
	_ = filepath.WalkDir(run.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			texts = append(texts, readNamed(t, p))
		}
		return nil
	})

	tokens := e.IssuedTokens()
	if len(tokens) < 4 {
		t.Errorf("%d tokens issued, want one per Terraform command at least", len(tokens))
	}
	secrets := map[string]string{"client secret": clientSecret, "admin password": password}
	for i, tok := range tokens {
		secrets[fmt.Sprintf("access token %d", i+1)] = tok
	}
	for _, tx := range texts {
		for what, s := range secrets {
			if strings.Contains(tx.text, s) {
				i := strings.Index(tx.text, s)
				t.Errorf("%s contains the %s: …%s…", tx.name, what, tx.text[max(0, i-80):min(len(tx.text), i+len(s)+20)])
			}
		}
	}
	// The write-only password is never in the state, not even hashed as a
	// value: its attribute is null.
	if !regexp.MustCompile(`"adm_password_wo":\s*null`).MatchString(stateJSON) {
		t.Error("adm_password_wo is not null in the state")
	}
}

type named struct{ name, text string }

func readNamed(t *testing.T, p string) named {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return named{p, string(b)}
}

// planFileTexts returns the raw plan file and every file inside it
// (a plan file is a zip: compressed data would hide a secret from a
// search of the raw bytes).
func planFileTexts(t *testing.T, p string) []named {
	t.Helper()
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := []named{{p + " (raw)", string(raw)}}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("plan file is not a zip: %v", err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, named{p + ":" + f.Name, string(b)})
	}
	if len(out) < 3 {
		t.Errorf("plan file holds %d files, want the plan, the state and the configuration", len(out)-1)
	}
	return out
}

// TestAccPostgreSQL_writeOnlyNeedsACapableCLI: a CLI without write-only
// arguments (OpenTofu before 1.11) cannot keep adm_password_wo out of the
// plan and the state, so the configuration is refused when it is
// validated, naming the attribute, and nothing reaches ITCare. The message
// comes from terraform-plugin-framework and names Terraform 1.11 whatever
// the CLI. On every other CLI the test skips.
func TestAccPostgreSQL_writeOnlyNeedsACapableCLI(t *testing.T) {
	acctest.SkipIfCLI(t, acctest.WriteOnlyArguments)
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccwocli")
	parallelTestThenCheckDestroy(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: e.Config(pgHCL(name, map[string]string{
				"adm_password": "", "adm_password_wo": `"Str0ng!Passw0rd"`, "adm_password_wo_version": "1",
			})),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)WriteOnly Attribute Not Allowed.*adm_password_wo.*only\s+supported\s+in\s+Terraform\s+1\.11`),
		}},
	})
	if got := writesSince(e, 0); len(got) != 0 {
		t.Errorf("a refused configuration reached ITCare: %q", got)
	}
}
