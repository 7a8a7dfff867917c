# A data centre joined to JD Cloud: border gateway (or an existing one), VPC
# attachment, customer gateway for the data centre's devices, one VPN
# connection, two or four tunnels with inside /30s from `inside_block`,
# static routes or BGP, and the device end rendered by hybridnet_peer_config.

locals {
  bgp = var.bgp_asn != null
  # The keys given, or the ones made here (one per tunnel).
  psks = var.psks != null ? var.psks : hybridnet_psk.this[*].value

  border_gateway_id = var.border_gateway_id != null ? var.border_gateway_id : hybridnet_jdcloud_border_gateway.this[0].id

  # Tunnel n: cloud IP `cloud` ↔ device IP `device`, inside /30 n of inside_block.
  pairs = var.full_mesh ? [
    for p in setproduct([0, 1], range(length(var.device_ips))) : { cloud = p[0], device = p[1] }
    ] : [
    for c in [0, 1] : { cloud = c, device = c % length(var.device_ips) }
  ]
  inside_bits = 30 - tonumber(split("/", var.inside_block)[1])
  tunnels = {
    for n, p in local.pairs : tostring(n) => {
      n      = n
      cloud  = p.cloud
      device = p.device
      inside = cidrsubnet(var.inside_block, local.inside_bits, n)
    }
  }

  proposal = data.hybridnet_ipsec_profile.this.jdcloud
}

# Pre-shared keys, unless given: made once, kept in the state (sensitive).
resource "hybridnet_psk" "this" {
  # Whether keys were given is no secret; the keys are.
  count  = nonsensitive(var.psks == null) ? length(local.pairs) : 0
  clouds = ["jdcloud"]
}

data "hybridnet_ipsec_profile" "this" {
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

resource "hybridnet_jdcloud_border_gateway" "this" {
  count       = var.border_gateway_id == null ? 1 : 0
  region      = var.region
  name        = var.name
  description = var.description
}

resource "hybridnet_jdcloud_vpc_attachment" "this" {
  count             = var.vpc_id == null ? 0 : 1
  region            = var.region
  name              = var.name
  border_gateway_id = local.border_gateway_id
  vpc_id            = var.vpc_id
  propagate_type    = "all"
}

resource "hybridnet_jdcloud_customer_gateway" "this" {
  region       = var.region
  name         = var.name
  description  = var.description
  customer_ips = var.device_ips
  # JD Cloud wants an ASN even for static routing; 65001 stands in then.
  bgp_asn = local.bgp ? var.bgp_asn : 65001
}

resource "hybridnet_jdcloud_vpn_connection" "this" {
  region              = var.region
  name                = var.name
  description         = var.description
  border_gateway_id   = local.border_gateway_id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.this.id
  bgp_enabled         = local.bgp
}

resource "hybridnet_jdcloud_vpn_tunnel" "this" {
  for_each          = local.tunnels
  region            = var.region
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.this.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.this.cloud_public_ips[each.value.cloud]
  customer_ip       = hybridnet_jdcloud_customer_gateway.this.customer_ips[each.value.device]
  psk               = local.psks[each.value.n]
  tunnel_ip         = each.value.inside
  local_tunnel_ip   = cidrhost(each.value.inside, 2)

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

# Static routing: the data centre's networks go into the connection.
resource "hybridnet_jdcloud_border_gateway_route" "to_device" {
  for_each          = local.bgp ? toset([]) : toset(var.device_cidrs)
  region            = var.region
  border_gateway_id = local.border_gateway_id
  destination       = each.value
  next_hop_type     = "vpn_connection"
  next_hop_id       = hybridnet_jdcloud_vpn_connection.this.id
  description       = "${var.name}: data centre network"
}

# The data centre's end, read once every tunnel exists so that all are rendered.
data "hybridnet_peer_config" "device" {
  for_each                  = toset(var.device_platforms)
  region                    = var.region
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.this.id
  platform                  = each.value
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.this]
}
