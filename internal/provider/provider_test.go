package provider_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// An address nothing listens on: a test that reached the network would fail.
const unreachableProvider = `
provider "itcare" {
  api_url   = "http://127.0.0.1:1/itcare"
  token_url = "http://127.0.0.1:1/token"
}
`

func TestAccProvider_noResourcesNoCredentials(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: unreachableProvider + `
locals {
  unused = "no ITCare resource here"
}
`,
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccProvider_missingCredentials(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      unreachableProvider + pgHCL("pgaccnocreds", nil),
				ExpectError: regexp.MustCompile(`(?s)Missing ITCare Client ID.*client_id.*ITCARE_CLIENT_ID`),
			},
		},
	})
}

// TestAccProvider_tokenEndpointErrorsNameTheCulprit: a token_url that
// answers 404 (a trailing slash, a typo) names token_url; refused
// credentials name client_id and client_secret. Nothing is written.
func TestAccProvider_tokenEndpointErrorsNameTheCulprit(t *testing.T) {
	e := acctest.NewEmulator(t)
	for _, c := range []struct {
		name, from, to, re string
	}{
		{"token_url with a trailing slash", e.TokenURL(), e.TokenURL() + "/", `(?s)check\s+token_url`},
		{"wrong client secret", e.ClientSecret(), "not-the-secret", `(?s)check\s+client_id\s+and\s+client_secret`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := strings.Replace(e.ProviderConfig(), strconv.Quote(c.from), strconv.Quote(c.to), 1) + pgHCL(acctest.RandomName("pgacctoken"), nil)
			w := &writeCounter{e: e}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{PreConfig: w.mark, Config: cfg, ExpectError: regexp.MustCompile(c.re)},
					{PreConfig: noWrites(t, w), Config: cfg, PlanOnly: true, ExpectNonEmptyPlan: true},
				},
			})
		})
	}
}
