# One proposal for both ends of a JD Cloud <-> Alibaba Cloud link.
data "hybridnet_ipsec_profile" "link" {
  ike_encryption = "aes256"
  ike_integrity  = "sha256"
  ike_dh_group   = "modp2048" # JD Cloud's modp2048, Alibaba Cloud's group14
  esp_pfs_group  = "modp2048"
}

locals {
  jd  = data.hybridnet_ipsec_profile.link.jdcloud
  ali = data.hybridnet_ipsec_profile.link.alicloud
}

resource "hybridnet_jdcloud_vpn_tunnel" "to_alicloud" {
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.to_alicloud.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.to_alicloud.cloud_public_ips[0]
  customer_ip       = hybridnet_alicloud_ipsec_connection_cen.to_jdcloud.tunnel[0].gateway_ip
  psk               = var.psk

  ike_version        = local.jd.ike_version
  ike_cipher         = local.jd.ike_cipher
  ike_auth           = local.jd.ike_auth
  ike_key_exchange   = local.jd.ike_key_exchange
  ike_sa_life_sec    = local.jd.ike_sa_life_sec
  ike_dpd_sec        = local.jd.ike_dpd_sec
  ipsec_cipher       = local.jd.ipsec_cipher
  ipsec_auth         = local.jd.ipsec_auth
  ipsec_key_exchange = local.jd.ipsec_key_exchange
  ipsec_sa_life_sec  = local.jd.ipsec_sa_life_sec
}

# In a tunnel block of hybridnet_alicloud_ipsec_connection_cen:
#   ike_version                    = local.ali.ike_version
#   ike_encryption_algorithm       = local.ali.ike_encryption_algorithm
#   ike_authentication_algorithm   = local.ali.ike_authentication_algorithm
#   ike_dh_group                   = local.ali.ike_dh_group
#   ike_lifetime                   = local.ali.ike_lifetime
#   ipsec_encryption_algorithm     = local.ali.ipsec_encryption_algorithm
#   ipsec_authentication_algorithm = local.ali.ipsec_authentication_algorithm
#   ipsec_pfs                      = local.ali.ipsec_pfs
#   ipsec_lifetime                 = local.ali.ipsec_lifetime
#   enable_dpd                     = local.ali.enable_dpd
#   enable_nat_traversal           = local.ali.enable_nat_traversal

output "strongswan_proposals" {
  value = data.hybridnet_ipsec_profile.link.strongswan
}
