# Two JD Cloud regions joined by two static tunnel pairs, both ends in one
# call: side a through provider hybridnet.a, side b through hybridnet.b.
#
# The cycle: each side's customer gateway must carry the other side's cloud
# IPs, which exist only once that side's connection exists, which needs its
# customer gateway. Each customer gateway is created without addresses and
# hybridnet_jdcloud_customer_gateway_addresses sets them once the peer
# connection exists; tunnels take their customer_ip from it, so they come
# last (JD Cloud refuses address changes under existing tunnels).

locals {
  # The keys given, or the ones made here (one per pair, the same on both ends).
  psks = var.psks != null ? var.psks : hybridnet_psk.this[*].value

  inside_bits = 30 - tonumber(split("/", var.inside_block)[1])
  inside      = [for n in [0, 1] : cidrsubnet(var.inside_block, local.inside_bits, n)]
  proposal    = data.hybridnet_ipsec_profile.this.jdcloud

  bgw_a = var.a_border_gateway_id != null ? var.a_border_gateway_id : hybridnet_jdcloud_border_gateway.a[0].id
  bgw_b = var.b_border_gateway_id != null ? var.b_border_gateway_id : hybridnet_jdcloud_border_gateway.b[0].id
}

data "hybridnet_ipsec_profile" "this" {
  provider       = hybridnet.a
  clouds         = ["jdcloud"]
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
  provider = hybridnet.a
  # Whether keys were given is no secret; the keys are.
  count = nonsensitive(var.psks == null) ? 2 : 0
}

# --- Side a -------------------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway" "a" {
  provider = hybridnet.a
  count    = var.a_border_gateway_id == null ? 1 : 0
  name     = "${var.name}-a"
}

resource "hybridnet_jdcloud_vpc_attachment" "a" {
  provider          = hybridnet.a
  count             = var.a_border_gateway_id == null && var.a_vpc_id != null ? 1 : 0
  name              = "${var.name}-a"
  border_gateway_id = local.bgw_a
  vpc_id            = var.a_vpc_id
}

resource "hybridnet_jdcloud_customer_gateway" "a" {
  provider = hybridnet.a
  name     = "${var.name}-to-b"
  bgp_asn  = 65100
}

resource "hybridnet_jdcloud_vpn_connection" "a" {
  provider            = hybridnet.a
  name                = var.name
  border_gateway_id   = local.bgw_a
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.a.id
  bgp_enabled         = false
}

# --- Side b -------------------------------------------------------------------

resource "hybridnet_jdcloud_border_gateway" "b" {
  provider = hybridnet.b
  count    = var.b_border_gateway_id == null ? 1 : 0
  name     = "${var.name}-b"
}

resource "hybridnet_jdcloud_vpc_attachment" "b" {
  provider          = hybridnet.b
  count             = var.b_border_gateway_id == null && var.b_vpc_id != null ? 1 : 0
  name              = "${var.name}-b"
  border_gateway_id = local.bgw_b
  vpc_id            = var.b_vpc_id
}

resource "hybridnet_jdcloud_customer_gateway" "b" {
  provider = hybridnet.b
  name     = "${var.name}-to-a"
  bgp_asn  = 65100
}

resource "hybridnet_jdcloud_vpn_connection" "b" {
  provider            = hybridnet.b
  name                = var.name
  border_gateway_id   = local.bgw_b
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.b.id
  bgp_enabled         = false
}

# --- The cycle closes: each customer gateway gets the other side's IPs --------

resource "hybridnet_jdcloud_customer_gateway_addresses" "a" {
  provider            = hybridnet.a
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.a.id
  customer_ips        = hybridnet_jdcloud_vpn_connection.b.cloud_public_ips
}

resource "hybridnet_jdcloud_customer_gateway_addresses" "b" {
  provider            = hybridnet.b
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.b.id
  customer_ips        = hybridnet_jdcloud_vpn_connection.a.cloud_public_ips
}

# Pair n: a's cloud IP n ↔ b's cloud IP n, one key and one /30.
resource "hybridnet_jdcloud_vpn_tunnel" "a" {
  provider          = hybridnet.a
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.a.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.a.cloud_public_ips[count.index]
  customer_ip       = hybridnet_jdcloud_customer_gateway_addresses.a.customer_ips[count.index]
  psk               = local.psks[count.index]
  tunnel_ip         = local.inside[count.index]
  local_tunnel_ip   = cidrhost(local.inside[count.index], 1)

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

resource "hybridnet_jdcloud_vpn_tunnel" "b" {
  provider          = hybridnet.b
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.b.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.b.cloud_public_ips[count.index]
  customer_ip       = hybridnet_jdcloud_customer_gateway_addresses.b.customer_ips[count.index]
  psk               = local.psks[count.index]
  tunnel_ip         = local.inside[count.index]
  local_tunnel_ip   = cidrhost(local.inside[count.index], 2)

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

# Static routes: each side sends the other side's networks into the link.
resource "hybridnet_jdcloud_border_gateway_route" "a" {
  provider          = hybridnet.a
  for_each          = toset(var.b_cidrs)
  border_gateway_id = local.bgw_a
  destination       = each.value
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.a.id
  description       = "${var.name}: side b"
  depends_on        = [hybridnet_jdcloud_vpn_tunnel.a]
}

resource "hybridnet_jdcloud_border_gateway_route" "b" {
  provider          = hybridnet.b
  for_each          = toset(var.a_cidrs)
  border_gateway_id = local.bgw_b
  destination       = each.value
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.b.id
  description       = "${var.name}: side a"
  depends_on        = [hybridnet_jdcloud_vpn_tunnel.b]
}

# Each end as a device standing in for the other side would load it.
data "hybridnet_peer_config" "a" {
  count                     = var.render_peer_configs ? 1 : 0
  provider                  = hybridnet.a
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.a.id
  platform                  = "strongswan"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.a]
}

data "hybridnet_peer_config" "b" {
  count                     = var.render_peer_configs ? 1 : 0
  provider                  = hybridnet.b
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.b.id
  platform                  = "strongswan"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.b]
}
