# The data centre's networks, reached through a static (non-BGP) connection
# bound to the transit router. The connection must propagate to a transit
# router route table for the routes to appear there.
resource "hybridnet_alicloud_ipsec_connection_route" "idc" {
  for_each          = toset(["192.168.0.0/16", "10.100.0.0/16"])
  vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.idc.id
  route_dest        = each.value
  weight            = 100 # 0 for a standby connection to the same networks
}
