package provider_test

import (
	"regexp"
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
