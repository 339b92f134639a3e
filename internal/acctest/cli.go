package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
)

// The CLIs the acceptance tests run under.
const (
	Terraform = "Terraform"
	OpenTofu  = "OpenTofu"
)

// EnvTerraformPath names the CLI binary the acceptance tests run instead of
// the terraform on PATH (terraform-plugin-testing reads it too); a tofu
// binary makes them run under OpenTofu.
const EnvTerraformPath = "TF_ACC_TERRAFORM_PATH"

// envProviderHost is the registry host terraform-plugin-testing keys the
// reattached provider on (registry.terraform.io unless set).
const envProviderHost = "TF_ACC_PROVIDER_HOST"

// CLIInfo says which CLI the acceptance tests drive.
type CLIInfo struct {
	// Name is Terraform or OpenTofu.
	Name string
	// Version is the version the CLI reports.
	Version *version.Version
	// Path is the binary.
	Path string
}

func (c CLIInfo) String() string {
	return fmt.Sprintf("%s v%s", c.Name, c.Version)
}

// RegistryHost is the host of a provider source address written without
// one ("cegedim-cloud/itcare"): each CLI has its own default registry, and
// keys dev_overrides and reattached providers on the full address.
func (c CLIInfo) RegistryHost() string {
	if c.Name == OpenTofu {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

var (
	cliOnce sync.Once
	cliInfo CLIInfo
	errCLI  error
)

// versionLine is the first line of `terraform version` and `tofu version`.
var versionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\S+)`)

// CLI returns the CLI the acceptance tests run: TF_ACC_TERRAFORM_PATH, or
// else the terraform on PATH, and the name and version it reports. It runs
// the binary once per test process.
func CLI() (CLIInfo, error) {
	cliOnce.Do(func() { cliInfo, errCLI = detectCLI() })
	return cliInfo, errCLI
}

func detectCLI() (CLIInfo, error) {
	path := os.Getenv(EnvTerraformPath)
	if path == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return CLIInfo{}, fmt.Errorf("terraform is not on PATH and %s is not set: acceptance tests run a real terraform or tofu binary", EnvTerraformPath)
		}
		path = p
	}
	cmd := exec.Command(path, "version") //nolint:gosec,noctx // the CLI under test
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version: %w", path, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	m := versionLine.FindStringSubmatch(first)
	if m == nil {
		return CLIInfo{}, fmt.Errorf("%s version printed %q: neither Terraform nor OpenTofu", path, first)
	}
	v, err := version.NewVersion(m[2])
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version: %w", path, err)
	}
	return CLIInfo{Name: m[1], Version: v, Path: path}, nil
}

// Feature is something a CLI does from a version on: a part of the
// language or the protocol, or a behaviour a test relies on. A test that
// needs one calls SkipUnlessCLI, or Unsupported to adapt a step.
type Feature struct {
	// Name is how the skip message calls it.
	Name string
	// Terraform and OpenTofu are the first versions of each CLI that
	// support it.
	Terraform, OpenTofu string
}

// The features some acceptance tests need, with the first versions that
// support them (README.md and the provider page carry the same table).
var (
	// WriteOnlyArguments: adm_password_wo. A CLI without them makes the
	// provider refuse a configuration that sets one (see
	// TestAccPostgreSQL_writeOnlyNeedsACapableCLI).
	WriteOnlyArguments = Feature{Name: "write-only arguments", Terraform: "1.11.0", OpenTofu: "1.11.0"}
	// EphemeralVariables: `ephemeral = true` in a variable block, how the
	// documentation passes the password into adm_password_wo.
	EphemeralVariables = Feature{Name: "ephemeral input variables", Terraform: "1.10.0", OpenTofu: "1.11.0"}
	// MarksKeptAfterFailedDestroy: a destroy that fails leaves the
	// resource in the state with its sensitive attributes still marked.
	// OpenTofu 1.10 writes it back without the marks (its apply step took
	// them from the planned new state only, which a destroy does not have;
	// 1.11 takes them from the schema too, opentofu/opentofu#3388, and
	// 1.12.6 keeps them),
	// so the next plan without a refresh is an update in place in which no
	// value changes; a refresh puts the marks back. Terraform keeps them.
	// TestAccReliability_failedDestroyKeepsSensitiveMarks shows it.
	MarksKeptAfterFailedDestroy = Feature{Name: "sensitive marks kept in the state after a failed destroy", Terraform: "1.0.0", OpenTofu: "1.11.0"}
)

// MinVersion is the first version of the named CLI that supports f.
func (f Feature) MinVersion(cli string) *version.Version {
	if cli == OpenTofu {
		return version.Must(version.NewVersion(f.OpenTofu))
	}
	return version.Must(version.NewVersion(f.Terraform))
}

// Supports says whether c has f. A pre-release counts as its release.
func (c CLIInfo) Supports(f Feature) bool {
	return c.Version != nil && c.Version.Core().GreaterThanOrEqual(f.MinVersion(c.Name))
}

// Supports says whether the CLI the tests run has f; false when there is no
// usable CLI (PreCheck then fails the test).
func Supports(f Feature) bool {
	c, err := CLI()
	return err == nil && c.Supports(f)
}

// Unsupported says why the CLI the tests run lacks f ("write-only
// arguments need OpenTofu 1.11.0 or later; this run uses OpenTofu
// v1.10.10"), or "" when it has it. For a test that leaves out only the
// steps or rows that need f, and logs this.
func Unsupported(f Feature) string {
	c, err := CLI()
	if err != nil {
		return err.Error()
	}
	if c.Supports(f) {
		return ""
	}
	return fmt.Sprintf("%s need %s %s or later; this run uses %s", f.Name, c.Name, f.MinVersion(c.Name), c)
}

// SkipUnlessCLI skips the test, naming the feature and the CLI, when the
// CLI the tests run lacks f: the test runs on every other version. Without
// TF_ACC it skips as an acceptance test.
func SkipUnlessCLI(t *testing.T, f Feature) {
	t.Helper()
	skipUnlessAcc(t)
	PreCheck(t)
	if why := Unsupported(f); why != "" {
		t.Skip(why)
	}
}

// SkipIfCLI skips the test when the CLI the tests run has f: for a test of
// what a CLI without it does.
func SkipIfCLI(t *testing.T, f Feature) {
	t.Helper()
	skipUnlessAcc(t)
	PreCheck(t)
	if Unsupported(f) == "" {
		c, _ := CLI()
		t.Skipf("tests a CLI without %s; this run uses %s, which has them", f.Name, c)
	}
}

func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
}
