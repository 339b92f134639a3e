variable "instance_id" {
  description = "ITCare id of the instance, e.g. \"500061854\"."
  type        = string
}

variable "wanted_extensions" {
  type    = list(string)
  default = ["postgis", "pg_stat_statements"]
}

data "itcare_postgresql_extensions" "available" {
  instance_id = var.instance_id
}

locals {
  available = data.itcare_postgresql_extensions.available.extensions[*].name
  missing   = setsubtract(var.wanted_extensions, local.available)
}

# An instance created in the ITCare console, now managed here.
import {
  to = itcare_postgresql.db
  id = var.instance_id
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

  extensions = [for e in var.wanted_extensions : { database = "postgres", name = e }]

  lifecycle {
    # Fail the plan, before anything is changed, when an extension is not
    # offered on this instance.
    precondition {
      condition     = length(local.missing) == 0
      error_message = "Not available on this instance: ${join(", ", local.missing)}. Available: ${join(", ", local.available)}."
    }
  }
}

# Installing these restarts PostgreSQL.
output "restarting_extensions" {
  value = [for e in data.itcare_postgresql_extensions.available.extensions : e.name if e.requires_restarting]
}
