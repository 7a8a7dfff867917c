# Data centre → Alibaba Cloud CEN, following the "create IPsec connection
# (CEN)" guide, as one call of the alicloud-cen-ipsec module
# (modules/alicloud-cen-ipsec): a dual-tunnel connection bound to the CEN's
# transit router, BGP on both tunnels, and the three automatic-routing
# options on.
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

module "idc" {
  source = "../../modules/alicloud-cen-ipsec"

  name       = "idc-dual-tunnel"
  cen_id     = var.cen_id
  device_ips = var.idc_routers
  bgp_asn    = 65020
  psks       = var.psk
  # Tunnel i: inside 169.254.10.(4i)/30, Alibaba Cloud .1, router .2.
  inside_block = "169.254.10.0/24"
  # Alibaba Cloud's own defaults with IKEv2: AES-128, SHA-1, group 2
  # (modp1024), PFS group 2, one-day lifetimes.
  ipsec = {
    ike_encryption = "aes128"
    ike_integrity  = "sha1"
    ike_dh_group   = "modp1024"
    ike_lifetime   = 86400
    esp_encryption = "aes128"
    esp_integrity  = "sha1"
    esp_pfs_group  = "modp1024"
    esp_lifetime   = 86400
  }
  # Huawei VRP for the routers most Chinese data centres run, and strongSwan
  # for a Linux router.
  device_platforms = ["huawei_vrp", "strongswan"]
}

output "tunnel_gateway_ips" {
  description = "Configure these as the peers on the data centre routers."
  value       = [for t in module.idc.tunnels : t.gateway_ip]
}

output "idc_huawei_config" {
  description = "Huawei VRP configuration of the data centre routers (holds the keys)."
  value       = module.idc.device_config["huawei_vrp"]
  sensitive   = true
}

output "idc_strongswan_conf" {
  description = "swanctl.conf of the data centre routers (holds the keys)."
  value       = module.idc.device_config["strongswan"]
  sensitive   = true
}
