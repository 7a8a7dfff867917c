# JD Cloud region A ↔ region B with static routes and two tunnels on each
# side, in one `terraform apply`.
#
# The cycle: each side's customer gateway must carry the *other* side's
# cloud public IPs, which exist only once that side's connection exists, and
# a connection needs its customer gateway first. It is broken by creating
# each customer gateway without addresses and setting them with
# hybridnet_jdcloud_customer_gateway_addresses once the peer connection
# exists; tunnels take their customer_ip from that resource, so they come
# last (JD Cloud refuses to change addresses under existing tunnels).

terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {}

variable "sides" {
  description = "The two regions and the VPC (with its CIDR) attached on each."
  type = map(object({
    region   = string
    vpc_id   = string
    vpc_cidr = string
  }))
  default = {
    a = { region = "cn-north-1", vpc_id = "vpc-northapp1", vpc_cidr = "10.10.0.0/16" }
    b = { region = "cn-east-2", vpc_id = "vpc-eastapp01", vpc_cidr = "10.20.0.0/16" }
  }
}

variable "psk" {
  description = "Pre-shared keys of the two tunnel pairs (same key on both ends of a pair)."
  type        = list(string)
  sensitive   = true
  default     = ["CrossRegion_Key1", "CrossRegion_Key2"]
}

# Both regions' tunnels take one proposal, so the two ends cannot drift apart.
data "hybridnet_ipsec_profile" "pair" {
  clouds = ["jdcloud"]
}

locals {
  proposal = data.hybridnet_ipsec_profile.pair.jdcloud
  peer     = { a = "b", b = "a" }
  # Tunnel pair i uses 169.254.2.(4i)/30; side a takes the first host, b the second.
  host = { a = 1, b = 2 }
}

resource "hybridnet_jdcloud_border_gateway" "side" {
  for_each = var.sides
  region   = each.value.region
  name     = "bgw-${each.key}"
}

resource "hybridnet_jdcloud_vpc_attachment" "side" {
  for_each          = var.sides
  region            = each.value.region
  name              = "vpc-${each.key}"
  border_gateway_id = hybridnet_jdcloud_border_gateway.side[each.key].id
  vpc_id            = each.value.vpc_id
}

# The peer side as seen from this side; its addresses are set below.
resource "hybridnet_jdcloud_customer_gateway" "peer" {
  for_each = var.sides
  region   = each.value.region
  name     = "to-${local.peer[each.key]}"
  bgp_asn  = 65100
}

resource "hybridnet_jdcloud_vpn_connection" "side" {
  for_each            = var.sides
  region              = each.value.region
  name                = "to-${local.peer[each.key]}"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.side[each.key].id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.peer[each.key].id
  bgp_enabled         = false
}

resource "hybridnet_jdcloud_customer_gateway_addresses" "peer" {
  for_each            = var.sides
  region              = each.value.region
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.peer[each.key].id
  customer_ips        = hybridnet_jdcloud_vpn_connection.side[local.peer[each.key]].cloud_public_ips
}

# Pair i: a's cloud IP i ↔ b's cloud IP i.
resource "hybridnet_jdcloud_vpn_tunnel" "side" {
  for_each = {
    for pair in setproduct(keys(var.sides), [0, 1]) : "${pair[0]}${pair[1]}" => { side = pair[0], i = pair[1] }
  }
  region            = var.sides[each.value.side].region
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.side[each.value.side].id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.side[each.value.side].cloud_public_ips[each.value.i]
  customer_ip       = hybridnet_jdcloud_customer_gateway_addresses.peer[each.value.side].customer_ips[each.value.i]
  psk               = var.psk[each.value.i]
  tunnel_ip         = cidrsubnet("169.254.2.0/24", 6, each.value.i)
  local_tunnel_ip   = cidrhost(cidrsubnet("169.254.2.0/24", 6, each.value.i), local.host[each.value.side])

  ike_version        = local.proposal.ike_version
  ike_mode           = local.proposal.ike_mode
  ike_cipher         = local.proposal.ike_cipher
  ike_auth           = local.proposal.ike_auth
  ike_key_exchange   = local.proposal.ike_key_exchange
  ike_sa_life_sec    = local.proposal.ike_sa_life_sec
  ike_dpd_sec        = local.proposal.ike_dpd_sec
  ipsec_cipher       = local.proposal.ipsec_cipher
  ipsec_auth         = local.proposal.ipsec_auth
  ipsec_key_exchange = local.proposal.ipsec_key_exchange
  ipsec_sa_life_sec  = local.proposal.ipsec_sa_life_sec
}

# Static routes: the peer VPC's CIDR goes over this side's connection.
resource "hybridnet_jdcloud_border_gateway_route" "to_peer" {
  for_each          = var.sides
  region            = each.value.region
  border_gateway_id = hybridnet_jdcloud_border_gateway.side[each.key].id
  destination       = var.sides[local.peer[each.key]].vpc_cidr
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.side[each.key].id
  description       = "to region ${local.peer[each.key]}"
}

output "cloud_public_ips" {
  value = { for k, c in hybridnet_jdcloud_vpn_connection.side : k => c.cloud_public_ips }
}
