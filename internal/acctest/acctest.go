// Package acctest holds what the acceptance tests of the provider share: the
// provider factories, an in-process ITCare emulator per test, the CLI they
// run (Terraform, or OpenTofu through TF_ACC_TERRAFORM_PATH) and what it
// supports, and the CLI settings that keep a test run offline.
package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
)

// ProviderName is the local name of the provider in test configurations.
const ProviderName = "itcare"

// ProtoV6ProviderFactories serves the provider in-process to the real
// terraform binary.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: func() (tfprotov6.ProviderServer, error) { return provider.NewServer("test")(), nil },
}

// EnvCompat names the emulator compatibility switches or profiles (see
// emulator.ParseCompat) every test's emulator plays unless the test sets
// its own: make test runs a set of acceptance tests under each profile.
const EnvCompat = "ITCARE_EMULATOR_COMPAT"

// Compat returns the switches of ITCARE_EMULATOR_COMPAT, for a test whose
// expectations depend on the API's reading (a lookup by name where ITCare
// lists no instances, for instance).
func Compat(t *testing.T) emulator.Compat {
	t.Helper()
	compat, err := emulator.ParseCompat(os.Getenv(EnvCompat))
	if err != nil {
		t.Fatalf("%s: %v", EnvCompat, err)
	}
	return compat
}

// SlowAnswerTimeout is the per-attempt HTTP timeout of acceptance tests:
// an emulator answer delayed beyond it is abandoned by the provider.
const SlowAnswerTimeout = 3 * time.Second

// DefaultActionDuration is how long an emulated ITCare action lasts in
// acceptance tests: long enough for an apply to really wait, short enough
// to keep the suite within CI's budget.
const DefaultActionDuration = 300 * time.Millisecond

// SetupTestMain prepares the environment shared by every acceptance test of
// a package. Call it from TestMain before m.Run.
//
// The machine's TF_CLI_CONFIG_FILE may name a missing file or a registry
// mirror; tests use an empty CLI configuration of their own so the
// in-process provider is the only one Terraform needs. The poll cap keeps
// the action waiter's sleeps close to the emulator's action duration; in
// live mode (EnvLive) the provider keeps its own timings, made for ITCare.
//
// The provider's credential variables are read for live mode (see Target)
// and removed from the environment, so that no test that runs against the
// emulator ever sees them.
func SetupTestMain() (cleanup func(), err error) {
	l, err := captureLive(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	live = l
	dir, err := os.MkdirTemp("", "itcare-acc-")
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, []byte("# acceptance tests: no registry, no mirror\n"), 0o600); err != nil {
		return nil, err
	}
	env := map[string]string{
		"TF_CLI_CONFIG_FILE": cfg,
		"CHECKPOINT_DISABLE": "1",
		"TF_IN_AUTOMATION":   "1",
	}
	if !live.enabled {
		env[provider.EnvPollIntervalMax] = "250ms"
		env[provider.EnvRetryWaitMax] = "200ms"
		// Short enough that a test of a slow answer abandons it in seconds,
		// far above what the in-process emulator needs to answer.
		env[provider.EnvRequestTimeout] = SlowAnswerTimeout.String()
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	// Credentials from the developer's shell must not reach a test.
	for _, k := range []string{provider.EnvAPIURL, provider.EnvTokenURL, provider.EnvClientID, provider.EnvClientSecret, provider.EnvMaxRetries} {
		_ = os.Unsetenv(k)
	}
	// The CLI is found once, here, so that the log names it. Without one
	// the unit tests still run; PreCheck fails every acceptance test.
	if cli, err := CLI(); err == nil {
		// terraform-plugin-testing reattaches the in-process provider
		// as registry.terraform.io/hashicorp/itcare unless told another
		// host; OpenTofu resolves "itcare" on its own registry.
		if _, set := os.LookupEnv(envProviderHost); !set {
			if err := os.Setenv(envProviderHost, cli.RegistryHost()); err != nil {
				return nil, err
			}
		}
		if os.Getenv("TF_ACC") != "" {
			fmt.Fprintf(os.Stderr, "acceptance tests run %s (%s)\n", cli, cli.Path)
		}
	}
	return func() { _ = os.RemoveAll(dir) }, nil
}

// PreCheck fails the test early when the CLI is missing, so that
// terraform-plugin-testing never tries to download one: the terraform on
// PATH, or the terraform or tofu binary TF_ACC_TERRAFORM_PATH names.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_VERSION") != "" {
		t.Fatal("TF_ACC_TERRAFORM_VERSION makes terraform-plugin-testing download Terraform; unset it and put terraform on PATH (or set " + EnvTerraformPath + ")")
	}
	if _, err := CLI(); err != nil {
		t.Fatal(err)
	}
}

// Emulator is an ITCare emulator running for one test.
type Emulator struct {
	*emulator.Server
}

// NewEmulator starts an in-process emulator on a random loopback port and
// stops it when the test ends; in live mode it skips the test.
func NewEmulator(t *testing.T) *Emulator {
	t.Helper()
	return NewEmulatorWith(t, emulator.Config{})
}

// NewEmulatorWith is NewEmulator with settings of the test's own (unique
// credentials, for instance); a zero ActionDuration takes
// DefaultActionDuration.
//
// In live mode (EnvLive) the test is skipped: whatever needs the emulator
// cannot run against ITCare.
func NewEmulatorWith(t *testing.T, cfg emulator.Config) *Emulator {
	t.Helper()
	if Live() {
		t.Skip(SkipNeedsEmulator)
	}
	if cfg.ActionDuration <= 0 {
		cfg.ActionDuration = DefaultActionDuration
	}
	if cfg.Compat == nil {
		cfg.Compat = Compat(t)
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &Emulator{Server: srv}
}

// ProviderConfig returns the provider block that points at this emulator.
func (e *Emulator) ProviderConfig() string {
	return fmt.Sprintf(`
provider "itcare" {
  api_url       = %q
  token_url     = %q
  client_id     = %q
  client_secret = %q
}
`, e.APIURL(), e.TokenURL(), e.ClientID(), e.ClientSecret())
}

// Config prepends the provider block to a test configuration.
func (e *Emulator) Config(hcl string) string {
	return e.ProviderConfig() + "\n" + hcl
}

// Writes returns the POST, PATCH and DELETE requests the emulator received
// under /itcare, in order.
func (e *Emulator) Writes() []emulator.RequestRecord {
	var out []emulator.RequestRecord
	for _, r := range e.Requests() {
		if !strings.HasPrefix(r.Path, "/itcare/") {
			continue
		}
		switch r.Method {
		case "POST", "PATCH", "DELETE":
			out = append(out, r)
		}
	}
	return out
}

// RandomName returns an instance name that is valid for ITCare (lowercase
// letters and digits, 5 to 60 characters) and unique within a test run.
func RandomName(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, time.Now().UnixNano()%1_000_000_000)
}
