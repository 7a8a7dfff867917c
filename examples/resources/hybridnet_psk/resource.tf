# One key per tunnel pair, made once and kept in the state (sensitive), on any
# Terraform version. Change `keepers` to make a new key: both ends are updated
# in place in the same apply.
resource "hybridnet_psk" "pair" {
  count   = 2
  keepers = { rotation = var.psk_rotation }
}

resource "hybridnet_jdcloud_vpn_tunnel" "to_alicloud" {
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.alicloud.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.alicloud.cloud_public_ips[count.index]
  customer_ip       = hybridnet_alicloud_ipsec_connection_cen.jd.tunnel[count.index].gateway_ip
  psk               = hybridnet_psk.pair[count.index].value
}

resource "hybridnet_alicloud_ipsec_connection_cen" "jd" {
  cen_id = var.cen_id
  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id = hybridnet_alicloud_customer_gateway.jd[tunnel.value].id
      psk                 = hybridnet_psk.pair[tunnel.value].value
    }
  }
}
