resource "hybridnet_jdcloud_border_gateway_route" "idc" {
  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id
  destination       = "192.168.0.0/16"
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.idc.id
  description       = "data centre networks"
}
