# The cross-cloud example (examples/jdcloud-alicloud-vpn) with its keys kept
# out of Terraform's state and plans: Terraform 1.11 or later.
#
# One ephemeral hybridnet_psk per tunnel pair makes a random key both clouds
# accept; it feeds both ends of its pair through the write-only `psk_wo`
# arguments. Terraform never writes an ephemeral value or a write-only
# argument to a plan or the state, and with `psk_wo` the provider does not
# store the key the clouds read back either. The key is sent when a tunnel is
# created and whenever `psk_wo_version` changes: raise `var.psk_version` to
# rotate both pairs' keys in place, on both ends in the same apply.
#
# Everything else is as in the cross-cloud example: JD side: border gateway,
# VPC attachment, a customer gateway standing for Alibaba Cloud, a BGP VPN
# connection and two tunnels; Alibaba side: two customer gateways and a
# dual-tunnel connection bound to the CEN transit router; one
# hybridnet_ipsec_profile for both ends; the address cycle broken by
# hybridnet_jdcloud_customer_gateway_addresses.

terraform {
  # Write-only arguments: older versions cannot keep them out of the state.
  required_version = ">= 1.11"
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

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

variable "psk_version" {
  description = "Raise it to rotate the pre-shared keys of both tunnel pairs, in place."
  type        = number
  default     = 1
}

# One key per tunnel pair, new on every run and never stored: Terraform
# opens it during plan and again during apply, and the apply's key is the
# one both ends receive (only on create or when psk_version changes).
ephemeral "hybridnet_psk" "pair" {
  count = 2
}

locals {
  # ASNs: JD Cloud's side is fixed at 65000; Alibaba's side uses 65100
  # (JD customer gateways take 65001–65499 only, so not Alibaba's 45104).
  jd_asn  = 65000
  ali_asn = 65100
  # Inside /30 of pair i: valid on both clouds (JD: 169.254.0.0/20; Alibaba:
  # 169.254.0.0/16 without 169.254.0-6.0/30). Alibaba takes .1, JD .2.
  inside = [for i in [0, 1] : "169.254.${10 + i}.0/30"]
}

# One proposal for both ends, in neutral (strongSwan) names: JD Cloud's
# modp2048 is Alibaba Cloud's group14.
data "hybridnet_ipsec_profile" "link" {
  ike_encryption = "aes256"
  ike_integrity  = "sha256"
  ike_dh_group   = "modp2048"
  ike_lifetime   = 86400
  esp_encryption = "aes256"
  esp_integrity  = "sha256"
  esp_pfs_group  = "modp2048"
  esp_lifetime   = 3600
}

locals {
  jd_proposal  = data.hybridnet_ipsec_profile.link.jdcloud
  ali_proposal = data.hybridnet_ipsec_profile.link.alicloud
}

# --- JD Cloud -------------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway" "main" {
  name        = "to-alicloud"
  description = "VPN to Alibaba Cloud CEN"
}

resource "hybridnet_jdcloud_vpc_attachment" "app" {
  name              = "app-vpc"
  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id
  vpc_id            = var.jd_vpc_id
}

resource "hybridnet_jdcloud_customer_gateway" "alicloud" {
  name    = "alicloud-cen"
  bgp_asn = local.ali_asn
}

resource "hybridnet_jdcloud_vpn_connection" "alicloud" {
  name                = "alicloud-bgp"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.alicloud.id
  bgp_enabled         = true
}

# --- Alibaba Cloud ----------------------------------------------------------

resource "hybridnet_alicloud_customer_gateway" "jd" {
  count      = 2
  ip_address = hybridnet_jdcloud_vpn_connection.alicloud.cloud_public_ips[count.index]
  asn        = local.jd_asn
  name       = "jdcloud-${count.index + 1}"
}

resource "hybridnet_alicloud_ipsec_connection_cen" "jd" {
  name                          = "to-jdcloud"
  cen_id                        = var.cen_id
  bgp_enabled                   = true
  effect_immediately            = true
  associate_default_route_table = true
  propagate_default_route_table = true

  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id            = hybridnet_alicloud_customer_gateway.jd[tunnel.value].id
      psk_wo                         = ephemeral.hybridnet_psk.pair[tunnel.value].value
      psk_wo_version                 = var.psk_version
      ike_version                    = local.ali_proposal.ike_version
      ike_mode                       = local.ali_proposal.ike_mode
      ike_encryption_algorithm       = local.ali_proposal.ike_encryption_algorithm
      ike_authentication_algorithm   = local.ali_proposal.ike_authentication_algorithm
      ike_dh_group                   = local.ali_proposal.ike_dh_group
      ike_lifetime                   = local.ali_proposal.ike_lifetime
      ipsec_encryption_algorithm     = local.ali_proposal.ipsec_encryption_algorithm
      ipsec_authentication_algorithm = local.ali_proposal.ipsec_authentication_algorithm
      ipsec_pfs                      = local.ali_proposal.ipsec_pfs
      ipsec_lifetime                 = local.ali_proposal.ipsec_lifetime
      enable_dpd                     = local.ali_proposal.enable_dpd
      enable_nat_traversal           = local.ali_proposal.enable_nat_traversal
      bgp_local_asn                  = local.ali_asn
      bgp_tunnel_cidr                = local.inside[tunnel.value]
      bgp_local_ip                   = cidrhost(local.inside[tunnel.value], 1)
    }
  }
}

# --- Back to JD Cloud: the cycle closes here --------------------------------

resource "hybridnet_jdcloud_customer_gateway_addresses" "alicloud" {
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.alicloud.id
  customer_ips        = [for t in hybridnet_alicloud_ipsec_connection_cen.jd.tunnel : t.gateway_ip]
}

resource "hybridnet_jdcloud_vpn_tunnel" "alicloud" {
  count              = 2
  vpn_connection_id  = hybridnet_jdcloud_vpn_connection.alicloud.id
  cloud_public_ip    = hybridnet_jdcloud_vpn_connection.alicloud.cloud_public_ips[count.index]
  customer_ip        = hybridnet_jdcloud_customer_gateway_addresses.alicloud.customer_ips[count.index]
  psk_wo             = ephemeral.hybridnet_psk.pair[count.index].value
  psk_wo_version     = var.psk_version
  tunnel_ip          = local.inside[count.index]
  local_tunnel_ip    = cidrhost(local.inside[count.index], 2)
  ike_version        = local.jd_proposal.ike_version
  ike_mode           = local.jd_proposal.ike_mode
  ike_cipher         = local.jd_proposal.ike_cipher
  ike_auth           = local.jd_proposal.ike_auth
  ike_key_exchange   = local.jd_proposal.ike_key_exchange
  ike_sa_life_sec    = local.jd_proposal.ike_sa_life_sec
  ike_dpd_sec        = local.jd_proposal.ike_dpd_sec
  ipsec_cipher       = local.jd_proposal.ipsec_cipher
  ipsec_auth         = local.jd_proposal.ipsec_auth
  ipsec_key_exchange = local.jd_proposal.ipsec_key_exchange
  ipsec_sa_life_sec  = local.jd_proposal.ipsec_sa_life_sec
}

output "pairs" {
  description = "Each tunnel pair: JD Cloud IP ↔ Alibaba Cloud IP, inside /30."
  # Over the tunnels that exist, so that the output also evaluates while some are missing
  # from the state (e.g. during `terraform import`).
  value = [for i, t in hybridnet_jdcloud_vpn_tunnel.alicloud : {
    jdcloud  = t.cloud_public_ip
    alicloud = hybridnet_alicloud_ipsec_connection_cen.jd.tunnel[i].gateway_ip
    inside   = local.inside[i]
  }]
}
