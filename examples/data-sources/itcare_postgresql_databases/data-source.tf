variable "admin_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "itcare_postgresql" "db" {
  name        = "pgapp01"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "APP"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"

  adm_password_wo = var.admin_password

  extensions = [{ database = "postgres", name = "pg_stat_statements" }]
}

# Terraform reads it after the instance is created or changed, in the same
# apply, so it sees the extensions just installed.
data "itcare_postgresql_databases" "db" {
  instance_id = itcare_postgresql.db.id
}

# Installed extensions per database, e.g.
# { postgres = ["pg_stat_statements", "plpgsql"] }. plpgsql is in every
# database.
output "installed_extensions" {
  value = {
    for d in data.itcare_postgresql_databases.db.databases :
    d.name => d.extensions[*].name
  }
}

# Warn when an extension was dropped by hand.
check "pg_stat_statements_installed" {
  assert {
    condition = contains(flatten([
      for d in data.itcare_postgresql_databases.db.databases : d.extensions[*].name if d.name == "postgres"
    ]), "pg_stat_statements")
    error_message = "pg_stat_statements is missing from the postgres database of ${itcare_postgresql.db.name}."
  }
}
