# Data centre → JD Cloud over BGP with two tunnels, following JD Cloud's
# "connect an IDC to JD Cloud" guide: border gateway, VPC attachment,
# customer gateway (the data centre's two edge routers), one BGP VPN
# connection and a tunnel from each cloud public IP to one edge router.

terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {}

variable "vpc_id" {
  description = "The JD Cloud VPC to reach from the data centre."
  type        = string
  default     = "vpc-idcdemo01"
}

variable "idc_public_ips" {
  description = "Public addresses of the data centre's two VPN routers."
  type        = list(string)
  default     = ["203.0.113.10", "203.0.113.11"]
}

variable "psk" {
  description = "Pre-shared keys of the two tunnels."
  type        = list(string)
  sensitive   = true
  default     = ["IdcTunnel1_Key", "IdcTunnel2_Key"]
}

resource "hybridnet_jdcloud_border_gateway" "main" {
  name        = "idc-bgw"
  description = "VPN to the Beijing data centre"
}

resource "hybridnet_jdcloud_vpc_attachment" "app" {
  name              = "app-vpc"
  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id
  vpc_id            = var.vpc_id
  propagate_type    = "all"
}

resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc-beijing"
  customer_ips = var.idc_public_ips
  bgp_asn      = 65010
}

resource "hybridnet_jdcloud_vpn_connection" "idc" {
  name                = "idc-bgp"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id
  bgp_enabled         = true
}

# Tunnel i: cloud public IP i ↔ data centre router i. The inside /30s carry
# the BGP sessions (cloud 169.254.1.2/.6, routers 169.254.1.1/.5).
resource "hybridnet_jdcloud_vpn_tunnel" "idc" {
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips[count.index]
  customer_ip       = hybridnet_jdcloud_customer_gateway.idc.customer_ips[count.index]
  psk               = var.psk[count.index]
  tunnel_ip         = cidrsubnet("169.254.1.0/24", 6, count.index)
  local_tunnel_ip   = cidrhost(cidrsubnet("169.254.1.0/24", 6, count.index), 2)
}

output "cloud_public_ips" {
  description = "Configure these as the remote peers on the data centre routers."
  value       = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips
}

output "tunnels" {
  description = "Per tunnel: outer addresses and the router-side inside address."
  value = [for t in hybridnet_jdcloud_vpn_tunnel.idc : {
    cloud_public_ip  = t.cloud_public_ip
    customer_ip      = t.customer_ip
    remote_tunnel_ip = t.remote_tunnel_ip
  }]
}

# The data centre's end, rendered from JD Cloud's view of the connection:
# swanctl.conf for strongSwan and bgpd neighbours for FRR on a Linux router.
# `terraform output -raw idc_strongswan_conf > /etc/swanctl/conf.d/jdcloud.conf`
data "hybridnet_peer_config" "idc_strongswan" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  platform                  = "strongswan"
  # Read once the tunnels exist, so that all of them are rendered.
  depends_on = [hybridnet_jdcloud_vpn_tunnel.idc]
}

data "hybridnet_peer_config" "idc_frr" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  platform                  = "frr"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.idc]
}

output "idc_strongswan_conf" {
  description = "swanctl.conf of the data centre routers (holds the keys)."
  value       = data.hybridnet_peer_config.idc_strongswan.config
  sensitive   = true
}

output "idc_frr_conf" {
  description = "FRR bgpd configuration of the data centre routers."
  value       = data.hybridnet_peer_config.idc_frr.config
  sensitive   = true
}
