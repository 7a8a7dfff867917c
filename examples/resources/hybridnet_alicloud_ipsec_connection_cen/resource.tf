resource "hybridnet_alicloud_ipsec_connection_cen" "idc" {
  name                          = "idc-dual-tunnel"
  cen_id                        = var.cen_id
  bgp_enabled                   = true
  effect_immediately            = true
  auto_publish_routes           = true
  associate_default_route_table = true
  propagate_default_route_table = true

  tunnel {
    customer_gateway_id = hybridnet_alicloud_customer_gateway.router1.id
    psk                 = var.psk[0] # sensitive; generated when omitted
    bgp_tunnel_cidr     = "169.254.10.0/30"
    bgp_local_ip        = "169.254.10.1"
  }

  tunnel {
    customer_gateway_id = hybridnet_alicloud_customer_gateway.router2.id
    psk                 = var.psk[1]
    bgp_tunnel_cidr     = "169.254.11.0/30"
    bgp_local_ip        = "169.254.11.1"
  }
}
