package provider_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

func TestMain(m *testing.M) {
	cleanup, err := acctest.SetupTestMain()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance test setup:", err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}
