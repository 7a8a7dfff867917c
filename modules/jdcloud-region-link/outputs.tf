output "a" {
  description = "Side a: `border_gateway_id`, `vpn_connection_id`, `cloud_public_ips`."
  value = {
    border_gateway_id = local.bgw_a
    vpn_connection_id = hybridnet_jdcloud_vpn_connection.a.id
    cloud_public_ips  = hybridnet_jdcloud_vpn_connection.a.cloud_public_ips
  }
}

output "b" {
  description = "Side b: `border_gateway_id`, `vpn_connection_id`, `cloud_public_ips`."
  value = {
    border_gateway_id = local.bgw_b
    vpn_connection_id = hybridnet_jdcloud_vpn_connection.b.id
    cloud_public_ips  = hybridnet_jdcloud_vpn_connection.b.cloud_public_ips
  }
}

output "pairs" {
  description = "Each tunnel pair: side a's cloud IP (`a`), side b's (`b`), the inside /30 (`inside`)."
  value = [for n, t in hybridnet_jdcloud_vpn_tunnel.a : {
    a      = t.cloud_public_ip
    b      = t.customer_ip
    inside = t.tunnel_ip
  }]
}

output "proposal" {
  description = "The proposal both sides use, as swanctl.conf `proposals` (`ike_proposal`, `esp_proposal`)."
  value       = data.hybridnet_ipsec_profile.this.strongswan
}

output "peer_configs" {
  description = "Each side's end rendered as swanctl.conf (`a`, `b`): what a device standing in for the other side would load; holds the keys. Null unless `render_peer_configs`."
  value = {
    a = one(data.hybridnet_peer_config.a[*].config)
    b = one(data.hybridnet_peer_config.b[*].config)
  }
  sensitive = true
}
