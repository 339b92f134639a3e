package acctest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
)

// Live mode. With ITCARE_ACC_LIVE=1 the acceptance tests written against a
// Target (TestAccLive_*) run against a real ITCare tenant, with the
// credentials of ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET; every test
// that needs the emulator skips. Without it, the same tests run against
// the in-process emulator, as every other acceptance test does.
const (
	// EnvLive turns live mode on ("1" or "true").
	EnvLive = "ITCARE_ACC_LIVE"
	// EnvServiceID, EnvNetworkID and EnvArea say where live tests create
	// their instances: an ITCare service the account may create in, one of
	// its networks and that network's area. All three are required.
	EnvServiceID = "ITCARE_ACC_SERVICE_ID"
	EnvNetworkID = "ITCARE_ACC_NETWORK_ID"
	EnvArea      = "ITCARE_ACC_AREA"
	// EnvAZ is the availability zone sent at creation (optional).
	EnvAZ = "ITCARE_ACC_AZ"
	// EnvNodeSizing is the node sizing of live instances (default
	// DefaultNodeSizing).
	EnvNodeSizing = "ITCARE_ACC_NODE_SIZING"
	// EnvVersion is the PostgreSQL major version of live instances
	// (default DefaultVersion).
	EnvVersion = "ITCARE_ACC_VERSION"
	// EnvTrigram is the application trigram of live instances (default
	// DefaultTrigram), for a tenant that only accepts its own trigrams.
	EnvTrigram = "ITCARE_ACC_TRIGRAM"
)

// LiveNamePrefix starts the name of every instance a Target test creates:
// RandomName(LiveNamePrefix) gives names that LiveNameRegexp matches, and
// the sweeper deletes only instances whose name LiveNameRegexp matches.
const LiveNamePrefix = "tfacc"

// LiveNameRegexp matches the names of the instances tests create: the
// prefix, then digits only. It is the only thing the sweeper deletes.
var LiveNameRegexp = regexp.MustCompile("^" + LiveNamePrefix + "[0-9]+$")

// Instance settings of Target tests.
const (
	// DefaultNodeSizing is the smallest node sizing the API reference page
	// names (its "Ex: 2cpu2gb").
	DefaultNodeSizing = "2cpu2gb"
	// DefaultVersion is the newest major version the product pages list.
	DefaultVersion = "16"
	DefaultTrigram = "TFA"
	// DiskSize is the smallest data disk the API accepts, in GB.
	DiskSize = 40
)

// The emulator's catalogue (internal/emulator/catalogue.go): what a Target
// puts in configurations when it is the emulator.
const (
	EmulatorServiceID = 1001
	EmulatorNetworkID = 2001
	EmulatorArea      = "EB-QA"
	EmulatorAZ        = "EB-QA-A"
)

// SkipNeedsEmulator is why a test that needs the emulator skips in live
// mode.
const SkipNeedsEmulator = "needs the emulator's admin API; skipped with " + EnvLive + "=1"

// liveSettings are the live-mode variables, read by SetupTestMain before
// it removes the provider's variables from the environment: a test that
// runs against the emulator never sees the credentials.
type liveSettings struct {
	enabled                                  bool
	apiURL, tokenURL, clientID, clientSecret string
	serviceID, networkID                     string
	area, az, nodeSizing, version, trigram   string
}

var live liveSettings

// captureLive reads the live-mode variables.
func captureLive(lookup func(string) (string, bool)) (liveSettings, error) {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	l := liveSettings{
		apiURL: get(provider.EnvAPIURL), tokenURL: get(provider.EnvTokenURL),
		clientID: get(provider.EnvClientID), clientSecret: get(provider.EnvClientSecret),
		serviceID: get(EnvServiceID), networkID: get(EnvNetworkID),
		area: get(EnvArea), az: get(EnvAZ), nodeSizing: get(EnvNodeSizing),
		version: get(EnvVersion), trigram: get(EnvTrigram),
	}
	if v := get(EnvLive); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return liveSettings{}, fmt.Errorf("%s=%q: want 1 (live) or 0", EnvLive, v)
		}
		l.enabled = on
	}
	if l.nodeSizing == "" {
		l.nodeSizing = DefaultNodeSizing
	}
	if l.version == "" {
		l.version = DefaultVersion
	}
	if l.trigram == "" {
		l.trigram = DefaultTrigram
	}
	return l, nil
}

// problems lists what keeps live tests from running: each missing required
// variable, each invalid value.
func (l liveSettings) problems() []string {
	var out []string
	for _, v := range []struct{ name, value string }{
		{provider.EnvClientID, l.clientID}, {provider.EnvClientSecret, l.clientSecret},
		{EnvServiceID, l.serviceID}, {EnvNetworkID, l.networkID}, {EnvArea, l.area},
	} {
		if v.value == "" {
			out = append(out, v.name+" is not set")
		}
	}
	for _, v := range []struct{ name, value string }{{EnvServiceID, l.serviceID}, {EnvNetworkID, l.networkID}} {
		if n, err := strconv.ParseInt(v.value, 10, 64); v.value != "" && (err != nil || n < 1) {
			out = append(out, fmt.Sprintf("%s=%q is not an ITCare id", v.name, v.value))
		}
	}
	return out
}

// Live reports whether ITCARE_ACC_LIVE=1 was set when the test binary
// started.
func Live() bool { return live.enabled }

// PreCheckLive fails the test, naming every missing or invalid variable,
// when live mode is on without what live tests need. It does nothing
// otherwise.
func PreCheckLive(t testing.TB) {
	t.Helper()
	if !live.enabled {
		return
	}
	if p := live.problems(); len(p) > 0 {
		t.Fatalf("%s=1 runs this test against ITCare, but %s. Required: %s, %s, %s, %s, %s. Optional: %s (default %s), %s (default %s), %s, %s (default %s), %s (default %q), %s (default %q).",
			EnvLive, strings.Join(p, ", "),
			provider.EnvClientID, provider.EnvClientSecret, EnvServiceID, EnvNetworkID, EnvArea,
			provider.EnvAPIURL, provider.DefaultAPIURL, provider.EnvTokenURL, provider.DefaultTokenURL, EnvAZ,
			EnvNodeSizing, DefaultNodeSizing, EnvVersion, DefaultVersion, EnvTrigram, DefaultTrigram)
	}
}

// newLiveClient returns an API client with the captured credentials.
func newLiveClient() (*itcare.Client, error) {
	var missing []string
	if live.clientID == "" {
		missing = append(missing, provider.EnvClientID)
	}
	if live.clientSecret == "" {
		missing = append(missing, provider.EnvClientSecret)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no ITCare credentials: %s not set", strings.Join(missing, " and "))
	}
	cfg := itcare.Config{
		APIURL: live.apiURL, TokenURL: live.tokenURL,
		ClientID: live.clientID, ClientSecret: live.clientSecret,
		UserAgent: "terraform-provider-itcare-acctest",
	}
	if cfg.APIURL == "" {
		cfg.APIURL = provider.DefaultAPIURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = provider.DefaultTokenURL
	}
	return itcare.NewClient(cfg)
}

// RandomPassword returns an administrator password ITCare accepts (12
// characters or more, a lowercase and an uppercase letter, a digit and a
// special character), new for every call.
func RandomPassword() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "Tf!" + hex.EncodeToString(b) + "9Z"
}
