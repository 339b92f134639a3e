terraform {
  required_providers {
    itcare = {
      source = "cegedim-cloud/itcare"
    }
  }
}

# The client secret is best taken from the ITCARE_CLIENT_SECRET environment
# variable, so that it never appears in the configuration.
provider "itcare" {
  client_id = "my-api-account"
}
