data "itcare_postgresql" "db" {
  name = "pgapp01"
}

data "itcare_postgresql_networks" "db" {
  instance_id = data.itcare_postgresql.db.id
}

locals {
  # The network the instance was created in.
  db_network = one([for n in data.itcare_postgresql_networks.db.networks : n if n.id == data.itcare_postgresql.db.network_id])
}

# Address range to allow towards the database in firewall rules.
output "db_subnet" {
  value = local.db_network.cidr
}

# DNS domains the instance's names resolve in.
output "db_dns_domains" {
  value = distinct(flatten([for n in data.itcare_postgresql_networks.db.networks : n.dns[*].domain]))
}
