# A QA copy refreshed with the data of itcare_postgresql.app as of last
# night. Changing the timestamp restores it again, in place: its own data
# is overwritten, and the plan warns so.
resource "itcare_postgresql" "qa" {
  name        = "appdb01qa"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "APP"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"

  adm_password_wo         = var.pg_admin_password
  adm_password_wo_version = 1

  restore = {
    source_id = itcare_postgresql.app.id
    timestamp = "2026-11-30T22:00:00+01:00"
    stop      = "BEFORE"
  }
}
