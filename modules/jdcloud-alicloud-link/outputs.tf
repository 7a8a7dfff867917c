output "jdcloud_border_gateway_id" {
  description = "The JD Cloud border gateway of the link (created here unless passed in)."
  value       = local.border_gateway_id
}

output "jdcloud_vpn_connection_id" {
  description = "The JD Cloud VPN connection."
  value       = hybridnet_jdcloud_vpn_connection.this.id
}

output "alicloud_vpn_connection_id" {
  description = "The Alibaba Cloud IPsec connection (`vco-…`)."
  value       = hybridnet_alicloud_ipsec_connection_cen.this.id
}

output "alicloud_transit_router_attachment_id" {
  description = "The Alibaba connection's binding to the transit router."
  value       = hybridnet_alicloud_ipsec_connection_cen.this.transit_router_attachment_id
}

output "pairs" {
  description = "Each tunnel pair: JD Cloud's IP (`jdcloud`), Alibaba Cloud's (`alicloud`), the inside /30 (`inside`)."
  # Over the JD tunnels that exist, so that it also evaluates while some are
  # missing from the state (during `terraform import`, say).
  value = [for n, t in hybridnet_jdcloud_vpn_tunnel.this : {
    jdcloud  = t.cloud_public_ip
    alicloud = hybridnet_alicloud_ipsec_connection_cen.this.tunnel[n].gateway_ip
    inside   = local.inside[n]
  }]
}

output "proposal" {
  description = "The proposal both ends use, as swanctl.conf `proposals` (`ike_proposal`, `esp_proposal`)."
  value       = data.hybridnet_ipsec_profile.this.strongswan
}

output "peer_configs" {
  description = "Each end rendered as swanctl.conf (`jdcloud`, `alicloud`): what a device standing in for the other cloud would load; holds the keys. Null unless `render_peer_configs`."
  value = {
    jdcloud  = one(data.hybridnet_peer_config.jdcloud[*].config)
    alicloud = one(data.hybridnet_peer_config.alicloud[*].config)
  }
  sensitive = true
}

output "routes" {
  description = "With static routing, what each side sends into the tunnels: `jdcloud_to_alicloud` (JD border gateway routes) and `alicloud_to_jdcloud` (destination routes of the Alibaba connection); empty lists with BGP."
  value = {
    jdcloud_to_alicloud = [for r in hybridnet_jdcloud_border_gateway_route.to_alicloud : r.destination]
    alicloud_to_jdcloud = [for r in hybridnet_alicloud_ipsec_connection_route.to_jdcloud : r.route_dest]
  }
}
