# JD Cloud ↔ an AWS-style peer: a four-address customer gateway (two VPN
# connections of the peer, two tunnel endpoints each) and BGP over APIPA
# inside addresses, laid out as JD Cloud's AWS guide does: cloud IP 1 pairs
# with peer addresses 1 and 2, cloud IP 2 with peer addresses 3 and 4.
#
# Inside addresses: JD Cloud accepts tunnel /30s only inside 169.254.0.0/20
# (or RFC 1918 space), so choose the peer's inside CIDRs there, e.g.
# 169.254.11.0/30 … 169.254.14.0/30 — not 169.254.21.0/30, which AWS would
# also accept but JD Cloud refuses.

terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {}

variable "peer_tunnel_ips" {
  description = "Outside addresses of the peer's four tunnel endpoints."
  type        = list(string)
  default     = ["198.51.100.11", "198.51.100.12", "198.51.100.13", "198.51.100.14"]
}

variable "peer_asn" {
  type    = number
  default = 65064
}

variable "psk" {
  description = "Pre-shared keys of the four tunnels, in peer address order."
  type        = list(string)
  sensitive   = true
  default     = ["AwsStyle_Key_1", "AwsStyle_Key_2", "AwsStyle_Key_3", "AwsStyle_Key_4"]
}

resource "hybridnet_jdcloud_border_gateway" "main" {
  name = "aws-peer-bgw"
}

resource "hybridnet_jdcloud_customer_gateway" "peer" {
  name         = "aws-style-peer"
  customer_ips = var.peer_tunnel_ips
  bgp_asn      = var.peer_asn
}

resource "hybridnet_jdcloud_vpn_connection" "peer" {
  name                = "aws-style-bgp"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.peer.id
  bgp_enabled         = true
}

resource "hybridnet_jdcloud_vpn_tunnel" "peer" {
  count             = 4
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.peer.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.peer.cloud_public_ips[floor(count.index / 2)]
  customer_ip       = hybridnet_jdcloud_customer_gateway.peer.customer_ips[count.index]
  psk               = var.psk[count.index]
  # APIPA /30 per tunnel; JD Cloud takes .2, the peer .1 (as AWS assigns them).
  tunnel_ip       = "169.254.${11 + count.index}.0/30"
  local_tunnel_ip = "169.254.${11 + count.index}.2"
  ike_version     = "v2"
  ike_cipher      = "aes256"
  ipsec_cipher    = "aes256"
}

output "tunnels" {
  value = [for t in hybridnet_jdcloud_vpn_tunnel.peer : "${t.cloud_public_ip} <-> ${t.customer_ip} inside ${t.tunnel_ip}"]
}

# The peer's end as a Cisco IOS XE router would load it (tunnel interfaces,
# IKEv2, BGP), and as strongSwan, rendered from JD Cloud's view.
data "hybridnet_peer_config" "peer_cisco" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.peer.id
  platform                  = "cisco_ios_xe"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.peer]
}

data "hybridnet_peer_config" "peer_strongswan" {
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.peer.id
  platform                  = "strongswan"
  depends_on                = [hybridnet_jdcloud_vpn_tunnel.peer]
}

output "peer_cisco_config" {
  description = "IOS XE configuration of the peer (holds the keys)."
  value       = data.hybridnet_peer_config.peer_cisco.config
  sensitive   = true
}

output "peer_strongswan_conf" {
  description = "swanctl.conf of the peer (holds the keys)."
  value       = data.hybridnet_peer_config.peer_strongswan.config
  sensitive   = true
}
