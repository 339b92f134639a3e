package acctest

import (
	"slices"
	"strings"
	"testing"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestCaptureLive(t *testing.T) {
	l, err := captureLive(lookupIn(map[string]string{}))
	if err != nil || l.enabled || l.nodeSizing != DefaultNodeSizing || l.version != DefaultVersion || l.trigram != DefaultTrigram {
		t.Errorf("without variables: %+v, %v", l, err)
	}

	l, err = captureLive(lookupIn(map[string]string{
		EnvLive: "1", "ITCARE_CLIENT_ID": "id", "ITCARE_CLIENT_SECRET": "secret",
		EnvServiceID: "12", EnvNetworkID: " 34 ", EnvArea: "EB-QA", EnvNodeSizing: "4cpu8gb",
	}))
	if err != nil || !l.enabled || l.networkID != "34" || l.nodeSizing != "4cpu8gb" {
		t.Errorf("live: %+v, %v", l, err)
	}
	if p := l.problems(); len(p) != 0 {
		t.Errorf("complete settings: problems %q", p)
	}

	if _, err := captureLive(lookupIn(map[string]string{EnvLive: "yes please"})); err == nil || !strings.Contains(err.Error(), EnvLive) {
		t.Errorf("unreadable %s: %v", EnvLive, err)
	}
}

func TestLiveProblemsNameTheVariables(t *testing.T) {
	l, err := captureLive(lookupIn(map[string]string{EnvLive: "1", "ITCARE_CLIENT_ID": "id", EnvNetworkID: "net"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ITCARE_CLIENT_SECRET is not set", EnvServiceID + " is not set", EnvArea + " is not set",
		EnvNetworkID + `="net" is not an ITCare id`,
	}
	if got := l.problems(); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

func TestLiveNameRegexp(t *testing.T) {
	for name, want := range map[string]bool{
		RandomName(LiveNamePrefix): true, "tfacc123": true,
		"tfacc": false, "tfaccx": false, "tfacc12a": false, "mytfacc1": false, "prod12345": false, "TFACC1": false, "tfacc1 ": false,
	} {
		if got := LiveNameRegexp.MatchString(name); got != want {
			t.Errorf("%q: match %t, want %t", name, got, want)
		}
	}
}

func TestRandomPassword(t *testing.T) {
	p, q := RandomPassword(), RandomPassword()
	if p == q || len(p) < 12 || !strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
		!strings.ContainsAny(p, "0123456789") || !strings.ContainsAny(p, "!") {
		t.Errorf("passwords %q, %q", p, q)
	}
}
