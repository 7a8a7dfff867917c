# JD Cloud region ↔ Alibaba Cloud transit router, dual-tunnel IPsec with BGP,
# in one `terraform apply`, as one call of the jdcloud-alicloud-link module
# (modules/jdcloud-alicloud-link).
#
# JD side: border gateway, VPC attachment, a customer gateway standing for
# Alibaba Cloud, a BGP VPN connection and two tunnels. Alibaba side: two
# customer gateways standing for the JD connection's two cloud IPs and a
# dual-tunnel connection bound to the CEN transit router. Both ends use the
# same inside /30s and the same keys (no psks given: the module makes one
# hybridnet_psk per pair, kept in the state, marked sensitive), and take
# their IKE/IPsec settings from one hybridnet_ipsec_profile inside the
# module, which refuses at plan time any setting either cloud cannot do (JD
# Cloud's default DH group ecp256, say, which Alibaba Cloud lacks).
#
# The cycle: the JD customer gateway must carry the Alibaba tunnels' gateway
# IPs, which exist only once the Alibaba connection is bound, which needs the
# JD connection's cloud IPs, which need the JD customer gateway. The module
# creates the JD customer gateway without addresses and
# hybridnet_jdcloud_customer_gateway_addresses sets them last; the JD tunnels
# take their customer_ip from it.
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

# One configuration serves both clouds here (the jdcloud and alicloud blocks
# come from the environment); it is passed as both of the module's ends.
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

module "link" {
  source = "../../modules/jdcloud-alicloud-link"
  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  name           = "jd-alicloud"
  jdcloud_vpc_id = var.jd_vpc_id
  cen_id         = var.cen_id
  # JD Cloud keeps the border gateway's 65000; Alibaba's end uses 65100 (JD
  # customer gateways take 65001–65499 only, so not Alibaba's 45104).
  alicloud_asn = 65100
  # Pair i: inside 169.254.10.(4i)/30, Alibaba .1, JD .2 (valid on both clouds).
  inside_block = "169.254.10.0/24"
  # One proposal for both ends, in neutral (strongSwan) names: JD Cloud's
  # modp2048 is Alibaba Cloud's group14.
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

output "pairs" {
  description = "Each tunnel pair: JD Cloud IP ↔ Alibaba Cloud IP, inside /30."
  value       = module.link.pairs
}
