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

locals {
  # Every file system of every node, with how full it is.
  file_systems = flatten([
    for n in data.itcare_postgresql_nodes.db.nodes : [
      for fs in n.file_systems : {
        node         = n.name
        mount_point  = fs.mount_point
        free_gb      = fs.free
        used_percent = fs.size > 0 ? floor(100 * (fs.size - fs.free) / fs.size) : 0
      }
    ]
  ])
}

# The fullest file system, where space runs out first, e.g.
# { node = "PGAPP0101", mount_point = "/", free_gb = 14, used_percent = 30 }.
output "fullest_file_system" {
  value = try(
    [for fs in local.file_systems : fs if fs.used_percent == max(local.file_systems[*].used_percent...)][0],
    null,
  )
}
