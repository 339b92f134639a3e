package provider_test

import (
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
	// resource.TestMain exits the process, except after a successful sweep.
	resource.TestMain(runThenCleanup{m: m, cleanup: cleanup})
	cleanup()
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
