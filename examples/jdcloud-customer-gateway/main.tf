# A JD Cloud customer gateway: the JD Cloud-side record of an on-premises VPN device.
#
# Credentials, region and endpoint come from the environment (JDCLOUD_ACCESS_KEY,
# JDCLOUD_SECRET_KEY, JDCLOUD_REGION, HYBRIDNET_JDCLOUD_ENDPOINT). scripts/demo.sh sets them to
# point at a local hybridnet-sandbox.

terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {}

resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc-beijing"
  description  = "VPN device in the Beijing data centre"
  customer_ips = ["203.0.113.10", "203.0.113.11"]
  bgp_asn      = 65010
}

output "id" {
  description = "ID of the customer gateway."
  value       = hybridnet_jdcloud_customer_gateway.idc.id
}

output "customer_ips" {
  description = "Public IPs of the on-premises VPN device."
  value       = hybridnet_jdcloud_customer_gateway.idc.customer_ips
}
