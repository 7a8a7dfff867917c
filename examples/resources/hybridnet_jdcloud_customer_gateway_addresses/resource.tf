# The peer is another region's VPN connection, created after this gateway.
resource "hybridnet_jdcloud_customer_gateway" "peer" {
  name    = "to-east"
  bgp_asn = 65100
}

resource "hybridnet_jdcloud_customer_gateway_addresses" "peer" {
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.peer.id
  customer_ips        = hybridnet_jdcloud_vpn_connection.east.cloud_public_ips
}
