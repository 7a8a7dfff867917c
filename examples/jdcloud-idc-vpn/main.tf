# Data centre → JD Cloud over BGP with two tunnels, following JD Cloud's
# "connect an IDC to JD Cloud" guide, as one call of the jdcloud-vpn-site
# module (modules/jdcloud-vpn-site): border gateway, VPC attachment,
# customer gateway (the data centre's two edge routers), one BGP VPN
# connection and a tunnel from each cloud public IP to one edge router.
#
# The module is called by relative path; run this from a checkout (or copy
# examples/ and modules/ side by side) and `terraform get` (or init) first.

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

module "idc" {
  source = "../../modules/jdcloud-vpn-site"

  name        = "idc-beijing"
  description = "VPN to the Beijing data centre"
  vpc_id      = var.vpc_id
  device_ips  = var.idc_public_ips
  bgp_asn     = 65010
  psks        = var.psk
  # Tunnel i: cloud public IP i ↔ router i. The inside /30s carry the BGP
  # sessions (cloud 169.254.1.2/.6, routers 169.254.1.1/.5).
  inside_block = "169.254.1.0/24"
  # JD Cloud's own tunnel defaults: AES-128, SHA-256, ecp256, no PFS.
  ipsec = {
    ike_encryption = "aes128"
    ike_integrity  = "sha256"
    ike_dh_group   = "ecp256"
    ike_lifetime   = 14400
    esp_encryption = "aes128"
    esp_integrity  = "sha256"
    esp_pfs_group  = "none"
  }
  # swanctl.conf for strongSwan and bgpd neighbours for FRR on a Linux router.
  device_platforms = ["strongswan", "frr"]
}

output "cloud_public_ips" {
  description = "Configure these as the remote peers on the data centre routers."
  value       = module.idc.cloud_public_ips
}

output "tunnels" {
  description = "Per tunnel: outer addresses and the router-side inside address."
  value = [for t in module.idc.tunnels : {
    cloud_public_ip  = t.cloud_public_ip
    customer_ip      = t.device_ip
    remote_tunnel_ip = t.device_inside_ip
  }]
}

# `terraform output -raw idc_strongswan_conf > /etc/swanctl/conf.d/jdcloud.conf`
output "idc_strongswan_conf" {
  description = "swanctl.conf of the data centre routers (holds the keys)."
  value       = module.idc.device_config["strongswan"]
  sensitive   = true
}

output "idc_frr_conf" {
  description = "FRR bgpd configuration of the data centre routers."
  value       = module.idc.device_config["frr"]
  sensitive   = true
}
