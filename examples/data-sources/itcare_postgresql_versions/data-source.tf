variable "instance_id" {
  description = "ITCare id of the instance, e.g. \"500061854\"."
  type        = string
}

data "itcare_postgresql" "db" {
  id = var.instance_id
}

data "itcare_postgresql_versions" "db" {
  instance_id = var.instance_id
}

locals {
  # Versions are strings, like the resource's `version`: compare them as
  # numbers ("9" < "16"). `latest` gives the same value.
  upgrade_target = (
    length(data.itcare_postgresql_versions.db.versions) > 0
    ? tostring(max([for v in data.itcare_postgresql_versions.db.versions : tonumber(v)]...))
    : null
  )
}

output "upgrade_targets" {
  value = data.itcare_postgresql_versions.db.versions
}

# Report, without failing the run, that a newer major version is offered.
check "postgresql_up_to_date" {
  assert {
    condition     = local.upgrade_target == null
    error_message = "${data.itcare_postgresql.db.name} runs PostgreSQL ${data.itcare_postgresql.db.version}; ${coalesce(local.upgrade_target, "-")} is available. To upgrade, set version = \"${coalesce(local.upgrade_target, "-")}\" and allow_major_version_upgrade = true on the instance."
  }
}
