# JD Cloud region ↔ Alibaba Cloud transit router, dual-tunnel IPsec with
# static routing (no BGP), in one `terraform apply`.
#
# Same link as the BGP example (examples/jdcloud-alicloud-vpn), but each side
# is told by hand which networks lie behind the tunnels:
# - JD side: a border gateway route sends the Alibaba networks into the VPN
#   connection;
# - Alibaba side: destination routes on the IPsec connection (one per JD
#   network; the connection's two tunnels share them) send the JD VPC's
#   network into the connection. Alibaba Cloud publishes them to the transit
#   router, whose default route table learns them through the connection's
#   propagation, so every network attached to the transit router reaches JD.
#
# The address cycle between the two ends is broken as in the BGP example: the
# JD customer gateway is created without addresses and
# hybridnet_jdcloud_customer_gateway_addresses sets them last. All of it is
# one call of the jdcloud-alicloud-link module (modules/jdcloud-alicloud-link)
# with `bgp = false`.
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

# One configuration serves both clouds (credentials from the environment).
provider "hybridnet" {}

variable "cen_id" {
  description = "CEN instance on the Alibaba side (the sandbox seeds this one)."
  type        = string
  default     = "cen-sandbox0000000001"
}

variable "jd_vpc_id" {
  type    = string
  default = "vpc-jdapp0001"
}

variable "jd_cidrs" {
  description = "Networks of the JD VPC, routed from Alibaba Cloud into the tunnels."
  type        = list(string)
  default     = ["10.10.0.0/16"]
}

variable "alicloud_cidrs" {
  description = "Networks behind the Alibaba transit router, routed from JD Cloud into the tunnels."
  type        = list(string)
  default     = ["172.16.0.0/12"]
}

variable "psk" {
  description = "Pre-shared keys of the two tunnel pairs."
  type        = list(string)
  sensitive   = true
  default     = ["JdAliStatic_1", "JdAliStatic_2"]
}

module "link" {
  source = "../../modules/jdcloud-alicloud-link"
  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  name           = "jd-alicloud-static"
  jdcloud_vpc_id = var.jd_vpc_id
  cen_id         = var.cen_id
  psks           = var.psk
  bgp            = false
  # JD border gateway routes for the Alibaba networks; destination routes of
  # the Alibaba connection for the JD ones, which Alibaba Cloud publishes to
  # the transit router (route learning is on).
  alicloud_cidrs = var.alicloud_cidrs
  jdcloud_cidrs  = var.jd_cidrs
  # JD Cloud customer gateways carry an ASN even when BGP is off.
  alicloud_asn = 65100
  # Tunnel pair i: inside 169.254.11.(4i)/30 on the JD tunnels.
  inside_block = "169.254.11.0/24"
  # Both ends: IKEv2, AES-256, SHA-256, DH group 14, PFS group 14.
  ipsec = {
    ike_encryption = "aes256"
    ike_integrity  = "sha256"
    ike_dh_group   = "modp2048"
    ike_lifetime   = 86400
    esp_encryption = "aes256"
    esp_integrity  = "sha256"
    esp_pfs_group  = "modp2048"
    esp_lifetime   = 3600
  }
}

output "routes" {
  description = "What each side sends into the tunnels."
  value       = module.link.routes
}
