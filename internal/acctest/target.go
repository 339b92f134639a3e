package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
)

// Target is what a test that can run against a real tenant runs against:
// the in-process emulator, or ITCare itself in live mode (see EnvLive).
// Such a test uses only what both offer: the provider configuration, the
// values to put in resource arguments, and CheckDestroy.
type Target struct {
	emu *Emulator

	// ServiceID, NetworkID, Area and AZ place an instance: on the emulator,
	// entries of its catalogue; live, the ITCARE_ACC_* variables (AZ may
	// be empty: leave availability_zone out).
	ServiceID, NetworkID int64
	Area, AZ             string
	// NodeSizing, Version, Trigram and DiskSize are the smallest instance
	// the test may create.
	NodeSizing, Version, Trigram string
	DiskSize                     int64
}

// NewTarget returns the in-process emulator, started for this test, or, in
// live mode, the ITCare tenant the ITCARE_ACC_* variables name. In live
// mode the test fails at once when a required variable is missing, and
// skips without TF_ACC as resource.Test would.
func NewTarget(t *testing.T) *Target {
	t.Helper()
	if !Live() {
		t.Logf("against the in-process emulator (%s=1 runs this test against an ITCare tenant)", EnvLive)
		return &Target{
			emu:       NewEmulator(t),
			ServiceID: EmulatorServiceID, NetworkID: EmulatorNetworkID, Area: EmulatorArea, AZ: EmulatorAZ,
			NodeSizing: DefaultNodeSizing, Version: DefaultVersion, Trigram: DefaultTrigram, DiskSize: DiskSize,
		}
	}
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it (against ITCare, since %s=1)", resource.EnvTfAcc, EnvLive)
	}
	PreCheck(t)
	PreCheckLive(t)
	service, _ := strconv.ParseInt(live.serviceID, 10, 64) // checked by PreCheckLive
	network, _ := strconv.ParseInt(live.networkID, 10, 64)
	t.Logf("against ITCare (%s), service %d, network %d, area %s", live.apiURLOrDefault(), service, network, live.area)
	return &Target{
		ServiceID: service, NetworkID: network, Area: live.area, AZ: live.az,
		NodeSizing: live.nodeSizing, Version: live.version, Trigram: live.trigram, DiskSize: DiskSize,
	}
}

func (l liveSettings) apiURLOrDefault() string {
	if l.apiURL != "" {
		return l.apiURL
	}
	return provider.DefaultAPIURL
}

// Live reports whether the target is a real ITCare tenant.
func (tg *Target) Live() bool { return tg.emu == nil }

// Emulator returns the emulator, or nil in live mode.
func (tg *Target) Emulator() *Emulator { return tg.emu }

// PreCheck is the TestCase's PreCheck: the terraform binary, and in live
// mode the variables.
func (tg *Target) PreCheck(t *testing.T) {
	t.Helper()
	PreCheck(t)
	if tg.Live() {
		PreCheckLive(t)
	}
}

// ProviderConfig returns the provider block that points at the target. In
// live mode it holds the client secret: it only goes to the working
// directories terraform-plugin-testing writes and removes.
func (tg *Target) ProviderConfig() string {
	if !tg.Live() {
		return tg.emu.ProviderConfig()
	}
	tokenURL := live.tokenURL
	if tokenURL == "" {
		tokenURL = provider.DefaultTokenURL
	}
	return fmt.Sprintf(`
provider "itcare" {
  api_url       = %q
  token_url     = %q
  client_id     = %q
  client_secret = %q
}
`, live.apiURLOrDefault(), tokenURL, live.clientID, live.clientSecret)
}

// Config prepends the provider block to a test configuration.
func (tg *Target) Config(hcl string) string {
	return tg.ProviderConfig() + "\n" + hcl
}

// CheckDestroy checks that every itcare_postgresql instance of the state
// is gone: on the emulator through its admin view, live by GET
// /databases/postgresql/{id}, which must answer the API's 404. See
// Emulator.CheckDestroy for when terraform-plugin-testing calls it.
func (tg *Target) CheckDestroy(s *terraform.State) error {
	if !tg.Live() {
		return tg.emu.CheckDestroy(s)
	}
	if s == nil {
		return nil
	}
	client, err := newLiveClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var errs []error
	for _, m := range s.Modules {
		for addr, rs := range m.Resources {
			if rs.Type != PostgreSQLType || rs.Primary == nil {
				continue
			}
			id, err := strconv.ParseInt(rs.Primary.ID, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: id %q is not an ITCare id", addr, rs.Primary.ID))
				continue
			}
			pg, err := client.GetPostgreSQL(ctx, id)
			switch {
			case itcare.IsNotFound(err):
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: cannot tell whether instance %d is gone: %w", addr, id, err))
			default:
				errs = append(errs, fmt.Errorf("%s: instance %d (%s) is still in ITCare, %s", addr, id, pg.Name, strings.ToUpper(pg.Status)))
			}
		}
	}
	return errors.Join(errs...)
}
