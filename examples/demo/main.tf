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

resource "itcare_postgresql" "demo" {
  name        = "demopg01"
  service_id  = 1001
  network_id  = 2001
  area        = "EB-QA"
  trigram     = "DMO"
  node_sizing = "2cpu4gb"
  disk_size   = 40
  version     = "15"

  adm_password_wo         = var.admin_password
  adm_password_wo_version = 1

  # A demo instance is thrown away at the end; keep the default (true) for
  # anything that matters.
  deletion_protection = false
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

output "ip_address" {
  value = itcare_postgresql.demo.ip_address
}

output "sizing" {
  value = "${itcare_postgresql.demo.cpu} CPU, ${itcare_postgresql.demo.ram} GB RAM, ${itcare_postgresql.demo.storage} GB disk"
}
