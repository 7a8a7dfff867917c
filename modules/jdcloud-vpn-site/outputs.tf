output "border_gateway_id" {
  description = "The border gateway the connection is on (created here unless passed in)."
  value       = local.border_gateway_id
}

output "vpc_attachment_id" {
  description = "The VPC attachment, or null when no `vpc_id` was given."
  value       = one(hybridnet_jdcloud_vpc_attachment.this[*].id)
}

output "customer_gateway_id" {
  description = "The customer gateway standing for the data centre's devices."
  value       = hybridnet_jdcloud_customer_gateway.this.id
}

output "vpn_connection_id" {
  description = "The VPN connection."
  value       = hybridnet_jdcloud_vpn_connection.this.id
}

output "cloud_public_ips" {
  description = "JD Cloud's two public IPs of the connection: the devices' IKE peers."
  value       = hybridnet_jdcloud_vpn_connection.this.cloud_public_ips
}

output "tunnels" {
  description = "Per tunnel, in `psks` order: `id`, `cloud_public_ip`, `device_ip`, `inside_cidr`, `cloud_inside_ip`, `device_inside_ip`."
  value = [for k in sort(keys(hybridnet_jdcloud_vpn_tunnel.this)) : {
    id               = hybridnet_jdcloud_vpn_tunnel.this[k].id
    cloud_public_ip  = hybridnet_jdcloud_vpn_tunnel.this[k].cloud_public_ip
    device_ip        = hybridnet_jdcloud_vpn_tunnel.this[k].customer_ip
    inside_cidr      = hybridnet_jdcloud_vpn_tunnel.this[k].tunnel_ip
    cloud_inside_ip  = hybridnet_jdcloud_vpn_tunnel.this[k].local_tunnel_ip
    device_inside_ip = hybridnet_jdcloud_vpn_tunnel.this[k].remote_tunnel_ip
  }]
}

output "proposal" {
  description = "The proposal both ends use, as swanctl.conf `proposals` (`ike_proposal`, `esp_proposal`)."
  value       = data.hybridnet_ipsec_profile.this.strongswan
}

output "device_config" {
  description = "The data centre's end per platform of `device_platforms` (e.g. `device_config[\"strongswan\"]` is a swanctl.conf); holds the keys."
  value       = { for p, c in data.hybridnet_peer_config.device : p => c.config }
  sensitive   = true
}
