resource "hybridnet_jdcloud_vpn_tunnel" "first" {
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips[0]
  customer_ip       = hybridnet_jdcloud_customer_gateway.idc.customer_ips[0]
  psk               = var.tunnel_psk # sensitive
  tunnel_ip         = "169.254.1.0/30"
  local_tunnel_ip   = "169.254.1.2"
  ike_version       = "v2"
}
