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
# hybridnet_jdcloud_customer_gateway_addresses sets them last.

terraform {
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

locals {
  # JD Cloud customer gateways carry an ASN even when BGP is off.
  ali_asn = 65100
}

# One proposal for both ends, in neutral (strongSwan) names: JD Cloud's
# modp2048 is Alibaba Cloud's group14.
data "hybridnet_ipsec_profile" "link" {
  ike_lifetime = 86400
  esp_lifetime = 3600
}

locals {
  jd_proposal  = data.hybridnet_ipsec_profile.link.jdcloud
  ali_proposal = data.hybridnet_ipsec_profile.link.alicloud
}

# --- JD Cloud -------------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway" "main" {
  name        = "to-alicloud-static"
  description = "Static VPN to Alibaba Cloud CEN"
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
  name                = "alicloud-static"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.alicloud.id
  bgp_enabled         = false
}

# The Alibaba networks go into the VPN connection.
resource "hybridnet_jdcloud_border_gateway_route" "alicloud" {
  count             = length(var.alicloud_cidrs)
  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id
  destination       = var.alicloud_cidrs[count.index]
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.alicloud.id
  description       = "Alibaba Cloud over static VPN"
}

# --- Alibaba Cloud ----------------------------------------------------------

resource "hybridnet_alicloud_customer_gateway" "jd" {
  count      = 2
  ip_address = hybridnet_jdcloud_vpn_connection.alicloud.cloud_public_ips[count.index]
  name       = "jdcloud-${count.index + 1}"
}

resource "hybridnet_alicloud_ipsec_connection_cen" "jd" {
  name                          = "to-jdcloud-static"
  cen_id                        = var.cen_id
  bgp_enabled                   = false
  effect_immediately            = true
  associate_default_route_table = true
  # Route learning: the connection's destination routes reach the route table.
  propagate_default_route_table = true

  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id            = hybridnet_alicloud_customer_gateway.jd[tunnel.value].id
      psk                            = var.psk[tunnel.value]
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
    }
  }
}

# The JD networks go into the IPsec connection (next hop: the connection).
resource "hybridnet_alicloud_ipsec_connection_route" "jd" {
  for_each          = toset(var.jd_cidrs)
  vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.jd.id
  route_dest        = each.value
  weight            = 100
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
  psk                = var.psk[count.index]
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

output "routes" {
  description = "What each side sends into the tunnels."
  value = {
    jdcloud_to_alicloud = [for r in hybridnet_jdcloud_border_gateway_route.alicloud : r.destination]
    alicloud_to_jdcloud = [for r in hybridnet_alicloud_ipsec_connection_route.jd : r.route_dest]
  }
}
