package provider_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// TestMain prepares the environment of every test (acctest.SetupTestMain),
// then runs the tests, or the sweepers when -sweep is given (see
// sweep_test.go).
func TestMain(m *testing.M) {
	cleanup, err := acctest.SetupTestMain()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance test setup:", err)
		os.Exit(1)
	}
	flag.Parse()
	if f := flag.Lookup("sweep"); f != nil && f.Value.String() != "" {
		// Sweepers run no Terraform: of the setup they only need the
		// credentials it captured. resource.TestMain exits the process
		// when a sweeper fails, before any cleanup could run.
		cleanup()
	}
	// resource.TestMain exits with the tests' code; it returns only after
	// a successful sweep.
	resource.TestMain(runThenCleanup{m: m, cleanup: cleanup})
}

// runThenCleanup runs the tests, then cleans up before resource.TestMain
// exits with their code.
type runThenCleanup struct {
	m       *testing.M
	cleanup func()
}

func (r runThenCleanup) Run() int {
	defer r.cleanup()
	return r.m.Run()
}
