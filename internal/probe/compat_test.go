package probe

import (
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// expected is what each compatibility switch changes: the rows that no
// longer hold, and how.
var expected = map[string]map[string]Result{
	emulator.CompatDistinctIDs: {"internal-id": Differs, "action-internal-id": Differs},
	emulator.CompatNoList:      {"list-by-name": Differs},
	emulator.CompatNoActionsList: {
		"actions-list": Differs, "actions-statuses": CouldNotTell,
		"action-status-words": CouldNotTell, "action-internal-id": CouldNotTell,
	},
	emulator.CompatNoInternalID:    {"action-internal-id": Differs},
	emulator.CompatStatusSpellings: {"instance-status": Differs},
	emulator.CompatSpringErrors:    {"error-body": Differs},
	emulator.CompatProblemErrors:   {"error-body": Differs},
	emulator.CompatStringVersions:  {"versions": Differs},
	emulator.CompatPagedLists:      {"actions-list": Differs},
}

// expectedFor is the union of the switches' changes. Without an action
// list nothing about actions can be told, so "could not tell" wins.
func expectedFor(c emulator.Compat) map[string]Result {
	out := map[string]Result{}
	for sw, on := range c {
		if !on {
			continue
		}
		for id, res := range expected[sw] {
			if out[id] != CouldNotTell {
				out[id] = res
			}
		}
	}
	return out
}

func checkCompat(t *testing.T, spec string) {
	c, err := emulator.ParseCompat(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, c)
	rows := f.probe(f.config())
	got, want := changed(rows), expectedFor(c)
	if describe(got) != describe(want) {
		t.Errorf("rows that do not hold: %s, want %s\n%s", describe(got), describe(want), rowsText(rows))
	}
	wantExit := 0
	for _, r := range want {
		if r == Differs {
			wantExit = ExitDiffers
		}
	}
	if ExitCode(rows) != wantExit {
		t.Errorf("exit code %d, want %d", ExitCode(rows), wantExit)
	}
}

// Each profile is a whole API the client must work with: the probe tells
// exactly the readings it changes.
func TestProbeCompatProfiles(t *testing.T) {
	for name := range emulator.CompatProfiles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkCompat(t, name)
		})
	}
}

// Each switch alone changes its own rows and no other.
func TestProbeCompatSwitches(t *testing.T) {
	for _, sw := range emulator.CompatSwitches {
		if _, ok := expected[sw]; !ok {
			t.Errorf("switch %s has no expected rows", sw)
			continue
		}
		t.Run(sw, func(t *testing.T) {
			t.Parallel()
			checkCompat(t, sw)
		})
	}
}
