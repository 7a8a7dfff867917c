# A key both clouds accept (20 letters, digits, `_` or `-`), new on every run
# and never stored: give it only to write-only arguments (Terraform 1.11 or
# later). Here it feeds both ends of one tunnel pair.
ephemeral "hybridnet_psk" "link" {}

resource "hybridnet_jdcloud_vpn_tunnel" "to_alicloud" {
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.alicloud.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.alicloud.cloud_public_ips[0]
  customer_ip       = hybridnet_alicloud_ipsec_connection_cen.jd.tunnel[0].gateway_ip
  psk_wo            = ephemeral.hybridnet_psk.link.value
  psk_wo_version    = 1 # raise it to send a new key (rotation)
}

resource "hybridnet_alicloud_ipsec_connection_cen" "jd" {
  cen_id = var.cen_id
  tunnel {
    customer_gateway_id = hybridnet_alicloud_customer_gateway.jd[0].id
    psk_wo              = ephemeral.hybridnet_psk.link.value
    psk_wo_version      = 1 # raised together with the JD tunnel's
  }
  tunnel {
    customer_gateway_id = hybridnet_alicloud_customer_gateway.jd[1].id
  }
}

# Only Alibaba Cloud must accept this one: up to 100 characters, punctuation included.
ephemeral "hybridnet_psk" "alicloud_only" {
  clouds = ["alicloud"]
  length = 64
}
