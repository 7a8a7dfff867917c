# Data centre → Alibaba Cloud CEN, following the "create IPsec connection
# (CEN)" guide: a dual-tunnel connection bound to the CEN's transit router,
# BGP on both tunnels, and the three automatic-routing options on.

terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {}

variable "cen_id" {
  description = "CEN instance whose transit router the connection binds to (the sandbox seeds this one)."
  type        = string
  default     = "cen-sandbox0000000001"
}

variable "idc_routers" {
  description = "Public addresses of the data centre's two VPN routers."
  type        = list(string)
  default     = ["203.0.113.20", "203.0.113.21"]
}

variable "psk" {
  description = "Pre-shared keys of the two tunnels."
  type        = list(string)
  sensitive   = true
  default     = ["HzTunnel1_Key!", "HzTunnel2_Key!"]
}

resource "hybridnet_alicloud_customer_gateway" "router" {
  count       = 2
  ip_address  = var.idc_routers[count.index]
  asn         = 65020
  name        = "idc-router-${count.index + 1}"
  description = "data centre VPN router ${count.index + 1}"
}

resource "hybridnet_alicloud_ipsec_connection_cen" "idc" {
  name                          = "idc-dual-tunnel"
  cen_id                        = var.cen_id
  bgp_enabled                   = true
  effect_immediately            = true
  auto_publish_routes           = true
  associate_default_route_table = true
  propagate_default_route_table = true

  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id = hybridnet_alicloud_customer_gateway.router[tunnel.value].id
      psk                 = var.psk[tunnel.value]
      ike_version         = "ikev2"
      bgp_tunnel_cidr     = "169.254.${10 + tunnel.value}.0/30"
      bgp_local_ip        = "169.254.${10 + tunnel.value}.1"
    }
  }
}

output "tunnel_gateway_ips" {
  description = "Configure these as the peers on the data centre routers."
  value       = [for t in hybridnet_alicloud_ipsec_connection_cen.idc.tunnel : t.gateway_ip]
}

# The data centre's end, rendered from Alibaba Cloud's view of the
# connection: Huawei VRP for the routers most Chinese data centres run, and
# strongSwan for a Linux router.
data "hybridnet_peer_config" "idc_huawei" {
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.idc.id
  platform                   = "huawei_vrp"
}

data "hybridnet_peer_config" "idc_strongswan" {
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.idc.id
  platform                   = "strongswan"
}

output "idc_huawei_config" {
  description = "Huawei VRP configuration of the data centre routers (holds the keys)."
  value       = data.hybridnet_peer_config.idc_huawei.config
  sensitive   = true
}

output "idc_strongswan_conf" {
  description = "swanctl.conf of the data centre routers (holds the keys)."
  value       = data.hybridnet_peer_config.idc_strongswan.config
  sensitive   = true
}
