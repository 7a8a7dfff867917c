# A data centre joined to an Alibaba Cloud CEN: customer gateways for the
# devices, a dual-tunnel IPsec connection bound to the CEN's transit router
# with the routing switches (publish, associate, propagate), static routes
# or BGP, and the device end rendered by hybridnet_peer_config.

locals {
  bgp         = var.bgp_asn != null
  inside_bits = 30 - tonumber(split("/", var.inside_block)[1])
  inside      = [for n in [0, 1] : cidrsubnet(var.inside_block, local.inside_bits, n)]
  proposal    = data.hybridnet_ipsec_profile.this.alicloud

  # The keys given, or the ones made here (one per tunnel).
  psks = var.psks != null ? var.psks : hybridnet_psk.this[*].value
}

# Pre-shared keys, unless given: made once, kept in the state (sensitive).
# Letters, digits, `_` and `-` only (the default `clouds`), which every
# device platform's configuration takes unquoted.
resource "hybridnet_psk" "this" {
  # Whether keys were given is no secret; the keys are.
  count = nonsensitive(var.psks == null) ? 2 : 0
}

data "hybridnet_ipsec_profile" "this" {
  clouds         = ["alicloud"]
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

# Keyed by address: a changed device is a new gateway, made before the
# connection moves to it and deleted after (Alibaba Cloud refuses to delete a
# gateway a connection still uses).
resource "hybridnet_alicloud_customer_gateway" "device" {
  for_each    = { for n, ip in var.device_ips : ip => n }
  region      = var.region
  ip_address  = each.key
  asn         = var.bgp_asn
  name        = "${var.name}-${each.value + 1}"
  description = "${var.name}: data centre VPN device ${each.value + 1}"

  lifecycle {
    create_before_destroy = true
  }
}

resource "hybridnet_alicloud_ipsec_connection_cen" "this" {
  region                        = var.region
  name                          = var.name
  cen_id                        = var.cen_id
  transit_router_id             = var.transit_router_id
  bgp_enabled                   = local.bgp
  effect_immediately            = var.effect_immediately
  auto_publish_routes           = var.auto_publish_routes
  associate_default_route_table = var.associate_default_route_table
  propagate_default_route_table = var.propagate_default_route_table

  dynamic "tunnel" {
    for_each = [0, 1]
    content {
      customer_gateway_id            = hybridnet_alicloud_customer_gateway.device[var.device_ips[tunnel.value % length(var.device_ips)]].id
      psk                            = local.psks[tunnel.value]
      ike_version                    = local.proposal.ike_version
      ike_mode                       = local.proposal.ike_mode
      ike_encryption_algorithm       = local.proposal.ike_encryption_algorithm
      ike_authentication_algorithm   = local.proposal.ike_authentication_algorithm
      ike_dh_group                   = local.proposal.ike_dh_group
      ike_lifetime                   = local.proposal.ike_lifetime
      ipsec_encryption_algorithm     = local.proposal.ipsec_encryption_algorithm
      ipsec_authentication_algorithm = local.proposal.ipsec_authentication_algorithm
      ipsec_pfs                      = local.proposal.ipsec_pfs
      ipsec_lifetime                 = local.proposal.ipsec_lifetime
      enable_dpd                     = local.proposal.enable_dpd
      enable_nat_traversal           = local.proposal.enable_nat_traversal
      bgp_local_asn                  = local.bgp ? var.local_asn : null
      bgp_tunnel_cidr                = local.bgp ? local.inside[tunnel.value] : null
      bgp_local_ip                   = local.bgp ? cidrhost(local.inside[tunnel.value], 1) : null
    }
  }
}

# Static routing: the data centre's networks go into the connection.
resource "hybridnet_alicloud_ipsec_connection_route" "to_device" {
  for_each          = local.bgp ? toset([]) : toset(var.device_cidrs)
  region            = var.region
  vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.this.id
  route_dest        = each.value
}

data "hybridnet_peer_config" "device" {
  for_each                   = toset(var.device_platforms)
  region                     = var.region
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.this.id
  platform                   = each.value
}
