# A JD Cloud border gateway joined to an Alibaba Cloud CEN transit router by
# two tunnel pairs, both ends in one call: the JD end through provider
# hybridnet.jdcloud, the Alibaba end through hybridnet.alicloud. Both ends
# take their proposal from one hybridnet_ipsec_profile.
#
# The cycle: the JD customer gateway must carry the Alibaba tunnels' gateway
# IPs, which exist only once the Alibaba connection is bound, which needs the
# JD connection's cloud IPs, which need the JD customer gateway. It is created
# without addresses; hybridnet_jdcloud_customer_gateway_addresses sets them
# last, and the JD tunnels take their customer_ip from it.

locals {
  # The keys given, or the ones made here (one per pair, the same on both ends).
  psks = var.psks != null ? var.psks : hybridnet_psk.this[*].value

  inside_bits  = 30 - tonumber(split("/", var.inside_block)[1])
  inside       = [for n in [0, 1] : cidrsubnet(var.inside_block, local.inside_bits, n)]
  jd_proposal  = data.hybridnet_ipsec_profile.this.jdcloud
  ali_proposal = data.hybridnet_ipsec_profile.this.alicloud
  jd_asn       = var.jdcloud_asn != null ? var.jdcloud_asn : 65000

  border_gateway_id = var.jdcloud_border_gateway_id != null ? var.jdcloud_border_gateway_id : hybridnet_jdcloud_border_gateway.this[0].id
}

data "hybridnet_ipsec_profile" "this" {
  provider       = hybridnet.jdcloud
  ike_version    = try(var.ipsec["ike_version"], null)
  ike_mode       = try(var.ipsec["ike_mode"], null)
  ike_encryption = try(var.ipsec["ike_encryption"], null)
  ike_integrity  = try(var.ipsec["ike_integrity"], null)
  ike_dh_group   = try(var.ipsec["ike_dh_group"], null)
  ike_lifetime   = try(var.ipsec["ike_lifetime"], null)
  esp_encryption = try(var.ipsec["esp_encryption"], null)
  esp_integrity  = try(var.ipsec["esp_integrity"], null)
  esp_pfs_group  = try(var.ipsec["esp_pfs_group"], null)
  esp_lifetime   = try(var.ipsec["esp_lifetime"], null)
  dpd            = try(var.ipsec["dpd"], null)
  nat_traversal  = try(var.ipsec["nat_traversal"], null)
}

# --- Pre-shared keys, unless given: made once, kept in the state (sensitive) ---

resource "hybridnet_psk" "this" {
  provider = hybridnet.jdcloud
  # Whether keys were given is no secret; the keys are.
  count = nonsensitive(var.psks == null) ? 2 : 0
}

# --- JD Cloud -------------------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway" "this" {
  provider = hybridnet.jdcloud
  count    = var.jdcloud_border_gateway_id == null ? 1 : 0
  name     = var.name
}

resource "hybridnet_jdcloud_vpc_attachment" "this" {
  provider          = hybridnet.jdcloud
  count             = var.jdcloud_border_gateway_id == null && var.jdcloud_vpc_id != null ? 1 : 0
  name              = var.name
  border_gateway_id = local.border_gateway_id
  vpc_id            = var.jdcloud_vpc_id
}

resource "hybridnet_jdcloud_customer_gateway" "alicloud" {
  provider = hybridnet.jdcloud
  name     = var.name
  bgp_asn  = var.alicloud_asn
}

resource "hybridnet_jdcloud_vpn_connection" "this" {
  provider            = hybridnet.jdcloud
  name                = var.name
  border_gateway_id   = local.border_gateway_id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.alicloud.id
  bgp_enabled         = var.bgp
  local_asn           = var.jdcloud_asn
}

# --- Alibaba Cloud ----------------------------------------------------------------

resource "hybridnet_alicloud_customer_gateway" "jdcloud" {
  provider   = hybridnet.alicloud
  count      = 2
  ip_address = hybridnet_jdcloud_vpn_connection.this.cloud_public_ips[count.index]
  asn        = local.jd_asn
  name       = "${var.name}-${count.index + 1}"
}

resource "hybridnet_alicloud_ipsec_connection_cen" "this" {
  provider                      = hybridnet.alicloud
  name                          = var.name
  cen_id                        = var.cen_id
  transit_router_id             = var.transit_router_id
  bgp_enabled                   = var.bgp
  effect_immediately            = true
  associate_default_route_table = true
  propagate_default_route_table = true

  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id            = hybridnet_alicloud_customer_gateway.jdcloud[tunnel.value].id
      psk                            = local.psks[tunnel.value]
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
      bgp_local_asn                  = var.bgp ? var.alicloud_asn : null
      bgp_tunnel_cidr                = var.bgp ? local.inside[tunnel.value] : null
      bgp_local_ip                   = var.bgp ? cidrhost(local.inside[tunnel.value], 1) : null
    }
  }
}

# --- Back to JD Cloud: the cycle closes here ----------------------------------------

resource "hybridnet_jdcloud_customer_gateway_addresses" "alicloud" {
  provider            = hybridnet.jdcloud
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.alicloud.id
  customer_ips        = [for t in hybridnet_alicloud_ipsec_connection_cen.this.tunnel : t.gateway_ip]
}

resource "hybridnet_jdcloud_vpn_tunnel" "this" {
  provider          = hybridnet.jdcloud
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.this.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.this.cloud_public_ips[count.index]
  customer_ip       = hybridnet_jdcloud_customer_gateway_addresses.alicloud.customer_ips[count.index]
  psk               = local.psks[count.index]
  tunnel_ip         = local.inside[count.index]
  local_tunnel_ip   = cidrhost(local.inside[count.index], 2)

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

# --- Static routing, each way -------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway_route" "to_alicloud" {
  provider          = hybridnet.jdcloud
  for_each          = var.bgp ? toset([]) : toset(var.alicloud_cidrs)
  border_gateway_id = local.border_gateway_id
  destination       = each.value
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.this.id
  description       = "${var.name}: Alibaba Cloud"
}

resource "hybridnet_alicloud_ipsec_connection_route" "to_jdcloud" {
  provider          = hybridnet.alicloud
  for_each          = var.bgp ? toset([]) : toset(var.jdcloud_cidrs)
  vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.this.id
  route_dest        = each.value
}

# Each end as a device standing in for the other cloud would load it.
data "hybridnet_peer_config" "jdcloud" {
  count                     = var.render_peer_configs ? 1 : 0
  provider                  = hybridnet.jdcloud
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.this.id
  platform                  = "strongswan"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.this]
}

data "hybridnet_peer_config" "alicloud" {
  count                      = var.render_peer_configs ? 1 : 0
  provider                   = hybridnet.alicloud
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.this.id
  platform                   = "strongswan"
}
