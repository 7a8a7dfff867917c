# JD Cloud region A ↔ region B with static routes and two tunnels on each
# side, in one `terraform apply`, as one call of the jdcloud-region-link
# module (modules/jdcloud-region-link) with one provider configuration per
# region.
#
# The cycle: each side's customer gateway must carry the *other* side's
# cloud public IPs, which exist only once that side's connection exists, and
# a connection needs its customer gateway first. The module breaks it by
# creating each customer gateway without addresses and setting them with
# hybridnet_jdcloud_customer_gateway_addresses once the peer connection
# exists; tunnels take their customer_ip from that resource, so they come
# last (JD Cloud refuses to change addresses under existing tunnels).
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

# One provider configuration per region; credentials and endpoint come from
# the environment as usual.
provider "hybridnet" {
  alias = "a"
  jdcloud {
    region = var.sides["a"].region
  }
}

provider "hybridnet" {
  alias = "b"
  jdcloud {
    region = var.sides["b"].region
  }
}

module "link" {
  source = "../../modules/jdcloud-region-link"
  providers = {
    hybridnet.a = hybridnet.a
    hybridnet.b = hybridnet.b
  }

  name     = "cross-region"
  a_vpc_id = var.sides["a"].vpc_id
  b_vpc_id = var.sides["b"].vpc_id
  a_cidrs  = [var.sides["a"].vpc_cidr]
  b_cidrs  = [var.sides["b"].vpc_cidr]
  psks     = var.psk
  # Pair i uses 169.254.12.(4i)/30; side a takes the first host, b the second.
  inside_block = "169.254.12.0/24"
}

output "cloud_public_ips" {
  description = "Each side's two JD Cloud public IPs."
  value = {
    a = module.link.a.cloud_public_ips
    b = module.link.b.cloud_public_ips
  }
}
