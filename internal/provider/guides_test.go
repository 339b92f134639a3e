package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// guideBlocks returns the ```terraform blocks of a guide template, keyed
// by the file name their first line gives ("# main.tf").
func guideBlocks(t *testing.T, template string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", template))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```terraform\n# ([^\n]+)\n(.*?)```").FindAllStringSubmatch(string(text), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// testRunStatuses runs the CLI's test command (`terraform test -json` or
// `tofu test -json`) in run.Dir and returns the status of each run block
// and the summary line.
func testRunStatuses(t *testing.T, run *acctest.TerraformRun) (map[string]string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run.Test(ctx, &out)
	statuses := map[string]string{}
	summary := ""
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Message string `json:"@message"`
			Type    string `json:"type"`
			TestRun struct {
				Run    string `json:"run"`
				Status string `json:"status"`
			} `json:"test_run"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Type {
		case "test_run":
			if line.TestRun.Status != "" {
				statuses[line.TestRun.Run] = line.TestRun.Status
			}
		case "test_summary":
			summary = line.Message
		}
	}
	if err != nil {
		t.Logf("test command: %v\n%s", err, run.Stderr)
	}
	return statuses, summary
}

// TestAccGuide_emulatorTestCommand runs the module and the test file of
// the emulator guide (templates/guides/emulator.md.tmpl) with the CLI's
// test command against the emulator, as the guide tells users to: both run
// blocks pass and the test command destroys what it created, under
// Terraform and under OpenTofu.
//
// It also shows why the guide compares ids through a variable: a
// run.<name> reference in an assertion passes under Terraform but not
// under OpenTofu, which resolves such references only in a run's
// variables.
func TestAccGuide_emulatorTestCommand(t *testing.T) {
	// The module passes the password through an ephemeral variable into
	// the write-only argument.
	acctest.SkipUnlessCLI(t, acctest.WriteOnlyArguments)
	acctest.SkipUnlessCLI(t, acctest.EphemeralVariables)
	t.Parallel()
	blocks := guideBlocks(t, "emulator.md.tmpl")
	module, tests := blocks["main.tf"], blocks["tests/postgresql.tftest.hcl"]
	if module == "" || tests == "" {
		t.Fatalf("the guide has no main.tf or tests/postgresql.tftest.hcl block: %q", blocks)
	}
	cli, err := acctest.CLI()
	if err != nil {
		t.Fatal(err)
	}
	// The assertion an earlier version of the guide had.
	runInAssert := strings.Replace(tests, "output.id == var.created_id", "output.id == run.creates_an_active_instance.id", 1)
	if runInAssert == tests {
		t.Fatal("the guide's test file no longer compares output.id with var.created_id")
	}
	for _, c := range []struct {
		name, tests string
		pass        bool
	}{
		{"as_in_the_guide", tests, true},
		{"run_reference_in_an_assertion", runInAssert, cli.Name == acctest.Terraform},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.NewEmulator(t)
			run := acctest.NewTerraformRun(t, module, map[string]string{
				"ITCARE_API_URL":       e.APIURL(),
				"ITCARE_TOKEN_URL":     e.TokenURL(),
				"ITCARE_CLIENT_ID":     e.ClientID(),
				"ITCARE_CLIENT_SECRET": e.ClientSecret(),
			})
			if err := os.MkdirAll(filepath.Join(run.Dir, "tests"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(run.Dir, "tests", "postgresql.tftest.hcl"), []byte(c.tests), 0o600); err != nil {
				t.Fatal(err)
			}
			statuses, summary := testRunStatuses(t, run)
			if c.pass {
				if statuses["creates_an_active_instance"] != "pass" || statuses["resizes_in_place"] != "pass" || summary != "Success! 2 passed, 0 failed." {
					t.Errorf("%s: runs %q, summary %q; want both runs to pass", cli, statuses, summary)
				}
			} else if statuses["resizes_in_place"] == "pass" {
				t.Errorf("%s: a run.<name> reference in an assertion passed: the guide can say so (runs %q, summary %q)", cli, statuses, summary)
			}
			if left := e.Instances(); len(left) != 0 {
				t.Errorf("%s test left %d instance(s) behind", cli.Name, len(left))
			}
		})
	}
}
