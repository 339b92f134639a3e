# The configuration `make demo` applies against the ITCare emulator: one
# PostgreSQL instance and what the data sources say about it.
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

variable "node_sizing" {
  description = "Size of the nodes; changing it resizes the instance in place."
  type        = string
  default     = "2cpu4gb"
}

variable "extensions" {
  description = "Extensions to install, per database."
  type        = set(object({ database = string, name = string }))
  default     = []
}

resource "itcare_postgresql" "demo" {
  name        = "demopg01"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "DMO"
  node_sizing = var.node_sizing
  disk_size   = 40
  version     = "15"

  adm_password_wo         = var.admin_password
  adm_password_wo_version = 1

  extensions = var.extensions

  # A demo instance is thrown away at the end; keep the default (true) for
  # anything that matters.
  deletion_protection = false
}

data "itcare_postgresql_nodes" "demo" {
  instance_id = itcare_postgresql.demo.id
}

data "itcare_postgresql_databases" "demo" {
  instance_id = itcare_postgresql.demo.id
}

data "itcare_postgresql_versions" "demo" {
  instance_id = itcare_postgresql.demo.id
}

output "id" {
  value = itcare_postgresql.demo.id
}

output "status" {
  value = itcare_postgresql.demo.status
}

output "url" {
  value = itcare_postgresql.demo.url
}

output "sizing" {
  value = "${itcare_postgresql.demo.node_sizing}: ${itcare_postgresql.demo.cpu} CPU, ${itcare_postgresql.demo.ram} GB RAM, ${itcare_postgresql.demo.storage} GB disk"
}

output "nodes" {
  value = { for n in data.itcare_postgresql_nodes.demo.nodes : n.name => n.ip_address }
}

output "databases" {
  value = { for d in data.itcare_postgresql_databases.demo.databases : d.name => sort([for e in d.extensions : e.name]) }
}

output "upgrade_targets" {
  value = data.itcare_postgresql_versions.demo.versions
}
