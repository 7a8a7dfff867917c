resource "hybridnet_jdcloud_vpn_connection" "idc" {
  name                = "idc-static"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id
  bgp_enabled         = false

  traffic_selector {
    local_subnet   = "10.0.0.0/16"
    remote_subnets = ["192.168.0.0/16"]
  }
}
