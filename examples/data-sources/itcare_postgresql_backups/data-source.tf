data "itcare_postgresql" "db" {
  name = "pgapp01"
}

data "itcare_postgresql_backups" "db" {
  instance_id = data.itcare_postgresql.db.id
}

locals {
  # The dates are RFC 3339 in UTC, so they sort as text: the last is the
  # most recent backup of any kind.
  backup_dates   = sort(compact(data.itcare_postgresql_backups.db.backups[*].last_backup_at))
  last_backup_at = length(local.backup_dates) > 0 ? local.backup_dates[length(local.backup_dates) - 1] : null
}

# When each backup policy last ran.
output "last_backup_by_policy" {
  value = {
    for p in data.itcare_postgresql_backups.db.policies : p.policy_id => p.last_backup_at
  }
}

# Warn when the instance has not been backed up for more than a day. A check
# block is evaluated at every plan and apply, against the time of the plan.
check "backed_up_within_a_day" {
  assert {
    condition = timecmp(
      timeadd(coalesce(local.last_backup_at, "1970-01-01T00:00:00Z"), "24h"),
      plantimestamp(),
    ) > 0
    error_message = "${data.itcare_postgresql.db.name} has no backup from the last 24 hours (last backup: ${coalesce(local.last_backup_at, "none")})."
  }
}
