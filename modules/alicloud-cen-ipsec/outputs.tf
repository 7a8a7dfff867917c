output "vpn_connection_id" {
  description = "The IPsec connection (`vco-…`)."
  value       = hybridnet_alicloud_ipsec_connection_cen.this.id
}

output "transit_router_attachment_id" {
  description = "The connection's binding to the transit router."
  value       = hybridnet_alicloud_ipsec_connection_cen.this.transit_router_attachment_id
}

output "customer_gateway_ids" {
  description = "The customer gateways, one per device IP."
  value       = [for ip in var.device_ips : hybridnet_alicloud_customer_gateway.device[ip].id]
}

output "tunnels" {
  description = "Tunnel 1 and 2: `id`, `gateway_ip` (Alibaba Cloud's address: the device's IKE peer), `device_ip`, and with BGP `inside_cidr`, `cloud_inside_ip`, `device_inside_ip` (else null)."
  value = [for n, t in hybridnet_alicloud_ipsec_connection_cen.this.tunnel : {
    id               = t.tunnel_id
    gateway_ip       = t.gateway_ip
    device_ip        = var.device_ips[n % length(var.device_ips)]
    inside_cidr      = t.bgp_tunnel_cidr
    cloud_inside_ip  = t.bgp_local_ip
    device_inside_ip = t.bgp_peer_ip
  }]
}

output "proposal" {
  description = "The proposal both ends use, as swanctl.conf `proposals` (`ike_proposal`, `esp_proposal`)."
  value       = data.hybridnet_ipsec_profile.this.strongswan
}

output "device_config" {
  description = "The data centre's end per platform of `device_platforms` (e.g. `device_config[\"huawei_vrp\"]`); holds the keys."
  value       = { for p, c in data.hybridnet_peer_config.device : p => c.config }
  sensitive   = true
}
