# The data-centre end of a JD Cloud VPN connection, for a Linux router
# running strongSwan (swanctl.conf) and FRR (BGP over the tunnels).
data "hybridnet_peer_config" "idc_strongswan" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  platform                  = "strongswan"

  # Read after the tunnels exist, so all of them are rendered.
  depends_on = [hybridnet_jdcloud_vpn_tunnel.idc]
}

data "hybridnet_peer_config" "idc_frr" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  platform                  = "frr"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.idc]
}

# Both tunnels of an Alibaba Cloud IPsec connection, for a Huawei AR router
# whose Tunnel0/0/1 is already taken.
data "hybridnet_peer_config" "hz_huawei" {
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.idc.id
  platform                   = "huawei_vrp"
  first_tunnel_number        = 2
}

# The text holds the pre-shared keys: write it to a private file rather
# than printing it (`terraform output -raw swanctl_conf > swanctl.conf`).
output "swanctl_conf" {
  value     = data.hybridnet_peer_config.idc_strongswan.config
  sensitive = true
}

# The addresses alone are not secret.
output "tunnels" {
  value = data.hybridnet_peer_config.idc_strongswan.tunnels
}
