# The configuration `make demo-postgres` applies against the ITCare emulator
# started with -backend postgres: the instance is a real PostgreSQL server
# on loopback, and its outputs are what a client needs to connect.
terraform {
  required_providers {
    itcare = {
      source = "cegedim-cloud/itcare"
    }
  }
}

# Credentials and URLs come from ITCARE_* environment variables.
provider "itcare" {}

variable "admin_password" {
  description = "Password of the instance's admin role (never stored in state)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "extensions" {
  description = "Extensions to install, per database."
  type        = set(object({ database = string, name = string }))
  default     = []
}

variable "power_state" {
  description = "running or stopped."
  type        = string
  default     = "running"
}

resource "itcare_postgresql" "app" {
  name        = "apppg01"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "APP"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"

  adm_password_wo         = var.admin_password
  adm_password_wo_version = 1

  extensions  = var.extensions
  power_state = var.power_state

  # A demo instance is thrown away at the end; keep the default (true) for
  # anything that matters.
  deletion_protection = false
}

data "itcare_postgresql_databases" "app" {
  instance_id = itcare_postgresql.app.id
  depends_on  = [itcare_postgresql.app]
}

# postgresql://itcare_admin@127.0.0.1:PORT/postgres: psql "$(terraform
# output -raw url)" connects, with the admin password in PGPASSWORD.
output "url" {
  value = itcare_postgresql.app.url
}

output "ip_address" {
  value = itcare_postgresql.app.ip_address
}

output "status" {
  value = itcare_postgresql.app.status
}

# Read from the server's catalogs, not from the emulator's memory.
output "databases" {
  value = { for d in data.itcare_postgresql_databases.app.databases : d.name => sort([for e in d.extensions : e.name]) }
}
