data "itcare_postgresql" "db" {
  name = "pgapp01"
}

data "itcare_postgresql_nodes" "db" {
  instance_id = data.itcare_postgresql.db.id
}

# Node IPs, for firewall rules or a monitoring inventory.
output "node_ips" {
  value = data.itcare_postgresql_nodes.db.nodes[*].ip_address
}

# Where each node runs.
output "node_placement" {
  value = {
    for n in data.itcare_postgresql_nodes.db.nodes :
    n.name => "${n.availability_zone} (${n.data_center})"
  }
}

# The nodes of an HA instance should span several availability zones.
check "ha_spread" {
  assert {
    condition = (
      data.itcare_postgresql.db.topology != "HA"
      || length(distinct(data.itcare_postgresql_nodes.db.nodes[*].availability_zone)) > 1
    )
    error_message = "The nodes of ${data.itcare_postgresql.db.name} all run in one availability zone."
  }
}
