variable "pg_admin_password" {
  type      = string
  sensitive = true
}

# A standalone instance. The password is write-only: it is sent to ITCare
# at creation and never stored in the Terraform state.
resource "itcare_postgresql" "app" {
  name        = "appdb01"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "APP"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"

  adm_password_wo         = var.pg_admin_password
  adm_password_wo_version = 1

  extensions = [
    { database = "postgres", name = "pg_trgm" },
  ]

  # Changed in place by later applies: node_sizing (resize), version (a
  # major upgrade, only while allow_major_version_upgrade = true),
  # topology STANDALONE to HA, monitoring_enabled, on_call_supervision,
  # patch_party, added extensions and power_state. The plan warns about
  # the changes that cause downtime.
  on_call_supervision         = true
  allow_major_version_upgrade = false
  change_reference            = "RFC-2025-042"

  timeouts = {
    create = "3h"
    update = "2h"
  }
}

# A high-availability instance (three nodes).
resource "itcare_postgresql" "ha" {
  name              = "appdb02"
  service_id        = 1001
  network_id        = 2001
  area              = "EB-QA"
  trigram           = "APP"
  node_sizing       = "4cpu8gb"
  disk_size         = 100
  version           = "16"
  topology          = "HA"
  node_prefix       = "APPDBHA"
  availability_zone = "EB-QA-A"
  tls               = true

  adm_password_wo         = var.pg_admin_password
  adm_password_wo_version = 1

  patch_party = {
    excluded         = true
    exclusion_reason = "Patched during the application's own maintenance window"
  }
}

# The support calendar of the instance's PostgreSQL version, to plan the
# next major upgrade. These dates change only with version.
output "app_version_lifecycle" {
  value = {
    released_at         = itcare_postgresql.app.released_at
    end_of_sales_at     = itcare_postgresql.app.end_of_sales_at
    end_of_support_at   = itcare_postgresql.app.end_of_support_at
    extended_support_at = itcare_postgresql.app.extended_support_at
  }
}

# Who excluded the HA instance from the patch parties and when, as ITCare
# recorded it, and the id other ITCare records know it by.
output "ha_patch_exclusion" {
  value = {
    excluded_by          = itcare_postgresql.ha.patch_party.excluded_by
    exclusion_date       = itcare_postgresql.ha.patch_party.exclusion_date
    internal_resource_id = itcare_postgresql.ha.internal_resource_id
  }
}
