package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// ProviderSource is the source address configurations use for the
// provider built by ProviderBinary.
const ProviderSource = "cegedim-cloud/itcare"

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// ProviderBinary builds the provider once per test process and returns the
// directory holding terraform-provider-itcare. Some tests need Terraform to
// run the provider as its own process, as in production: to control
// -parallelism (terraform-plugin-testing offers no way to) and to see every
// log line that a TF_LOG=TRACE run writes, the provider's included.
func ProviderBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			buildErr = fmt.Errorf("cannot find the module root")
			return
		}
		root := filepath.Join(filepath.Dir(file), "..", "..")
		// Built once for every test of the process: a test's TempDir would
		// vanish with the first test that asked.
		dir, err := os.MkdirTemp("", "itcare-provider-bin-") //nolint:usetesting // shared by every test of the process
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-itcare"), ".") //nolint:gosec,noctx // builds this module
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		buildDir = dir
	})
	if buildErr != nil {
		t.Fatalf("building the provider: %v", buildErr)
	}
	return buildDir
}

// TerraformRun is a working directory with a CLI configuration whose
// dev_overrides point at the provider built by ProviderBinary. It runs the
// CLI of the acceptance tests (CLI): terraform, or tofu.
type TerraformRun struct {
	*tfexec.Terraform
	// Dir is the working directory (main.tf, the state, plan files).
	Dir string
	// Stdout and Stderr collect everything Terraform printed.
	Stdout, Stderr *strings.Builder
}

// NewTerraformRun writes hcl as main.tf in a new directory and returns a
// Terraform bound to it. env is added to the process environment of every
// command (TF_VAR_…, ITCARE_…). The CLI configuration lives outside Dir so
// that a search of Dir only finds what Terraform wrote.
func NewTerraformRun(t *testing.T, hcl string, env map[string]string) *TerraformRun {
	t.Helper()
	PreCheck(t)
	bin := ProviderBinary(t)
	dir := t.TempDir()
	cfgDir := t.TempDir()
	rc := filepath.Join(cfgDir, "terraformrc")
	cli, err := CLI()
	if err != nil {
		t.Fatal(err)
	}
	// The override is keyed on the full address, on the registry the CLI
	// resolves ProviderSource on.
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", cli.RegistryHost()+"/"+ProviderSource, bin)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, cli.Path)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	vars["TF_CLI_CONFIG_FILE"] = rc
	vars["CHECKPOINT_DISABLE"] = "1"
	for k, v := range env {
		vars[k] = v
	}
	// terraform-exec sets TF_LOG, TF_IN_AUTOMATION and the like itself
	// (SetLog, SetLogPath) and refuses them in the environment.
	if err := tf.SetEnv(tfexec.CleanEnv(vars)); err != nil {
		t.Fatal(err)
	}
	run := &TerraformRun{Terraform: tf, Dir: dir, Stdout: &strings.Builder{}, Stderr: &strings.Builder{}}
	tf.SetStdout(run.Stdout)
	tf.SetStderr(run.Stderr)
	return run
}

// RequiredProviders is the terraform block that selects the provider built
// by ProviderBinary.
func RequiredProviders() string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    itcare = { source = %q }\n  }\n}\n", ProviderSource)
}
