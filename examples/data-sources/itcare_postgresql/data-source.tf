# An instance managed elsewhere (another configuration, or the ITCare
# console), found by name.
data "itcare_postgresql" "billing" {
  name = "pgbilling01"
}

# The same lookup by id.
data "itcare_postgresql" "reporting" {
  id = "500061854"
}

# Give the application the address of the database, and refuse to go on
# while the instance is stopped.
resource "terraform_data" "app_settings" {
  input = {
    db_host = data.itcare_postgresql.billing.ip_address
    db_url  = data.itcare_postgresql.billing.url
    db_tls  = data.itcare_postgresql.billing.tls
  }

  lifecycle {
    precondition {
      condition     = data.itcare_postgresql.billing.power_state == "running"
      error_message = "Instance ${data.itcare_postgresql.billing.name} is stopped (status ${data.itcare_postgresql.billing.status})."
    }
  }
}

output "reporting_support" {
  value = {
    version             = data.itcare_postgresql.reporting.product_version
    support_phase       = data.itcare_postgresql.reporting.support_phase
    released_at         = data.itcare_postgresql.reporting.released_at
    end_of_sales_at     = data.itcare_postgresql.reporting.end_of_sales_at
    end_of_support_at   = data.itcare_postgresql.reporting.end_of_support_at
    extended_support_at = data.itcare_postgresql.reporting.extended_support_at
  }
}

# Whether the instance is kept out of the patch parties, by whom and since
# when; and the id other ITCare records know it by.
output "billing_patching" {
  value = {
    excluded             = data.itcare_postgresql.billing.patch_party.excluded
    excluded_by          = data.itcare_postgresql.billing.patch_party.excluded_by
    exclusion_date       = data.itcare_postgresql.billing.patch_party.exclusion_date
    internal_resource_id = data.itcare_postgresql.billing.internal_resource_id
  }
}

# Warn when the instance's PostgreSQL version is out of support.
check "reporting_supported" {
  assert {
    condition     = timecmp(coalesce(data.itcare_postgresql.reporting.end_of_support_at, "9999-12-31T00:00:00Z"), plantimestamp()) > 0
    error_message = "PostgreSQL ${data.itcare_postgresql.reporting.product_version} on ${data.itcare_postgresql.reporting.name} is out of support since ${data.itcare_postgresql.reporting.end_of_support_at}."
  }
}
