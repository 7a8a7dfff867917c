variable "name" {
  description = "Name of the site: the border gateway (when this module creates it), the VPC attachment, the customer gateway and the VPN connection are all called this."
  type        = string

  validation {
    condition     = can(regex("^[\\p{Han}A-Za-z0-9_-]{1,32}$", var.name))
    error_message = "The name must be 1 to 32 Chinese characters, letters, digits, `_` or `-` (JD Cloud's rule for names)."
  }
}

variable "region" {
  description = "JD Cloud region of the site; null takes the provider configuration's region."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || contains(["cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"], coalesce(var.region, "cn-north-1"))
    error_message = "The region must be a JD Cloud region: cn-north-1, cn-east-1, cn-east-2 or cn-south-1."
  }
}

variable "border_gateway_id" {
  description = "An existing border gateway to put the VPN connection on; null creates one named `name`."
  type        = string
  default     = null

  validation {
    condition     = var.border_gateway_id == null || can(regex("^bgw-[a-z0-9]+$", coalesce(var.border_gateway_id, "bgw-x")))
    error_message = "The border gateway ID must look like `bgw-abc123`."
  }
}

variable "vpc_id" {
  description = "The JD Cloud VPC to attach to the border gateway (all its subnets propagated); null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[a-z0-9]+$", coalesce(var.vpc_id, "vpc-x")))
    error_message = "The VPC ID must look like `vpc-abc123`."
  }
}

variable "device_ips" {
  description = "Public IPv4 addresses of the data centre's VPN devices: one or two."
  type        = list(string)

  validation {
    condition     = length(var.device_ips) >= 1 && length(var.device_ips) <= 2 && length(distinct(var.device_ips)) == length(var.device_ips) && alltrue([for ip in var.device_ips : can(cidrhost("${ip}/32", 0)) && cidrhost("${ip}/32", 0) == ip])
    error_message = "The device_ips must be one or two distinct IPv4 addresses."
  }
}

variable "full_mesh" {
  description = "Build a tunnel from each of the connection's two cloud IPs to each device IP (four tunnels with two devices); false pairs cloud IP i with device IP i (two tunnels; with one device both go to it)."
  type        = bool
  default     = false
}

variable "bgp_asn" {
  description = "The data centre's BGP ASN (65001–65499): routes are exchanged by BGP over every tunnel. Null routes statically: `device_cidrs` go into the connection."
  type        = number
  default     = null

  validation {
    condition     = var.bgp_asn == null || (floor(coalesce(var.bgp_asn, 65001)) == coalesce(var.bgp_asn, 65001) && coalesce(var.bgp_asn, 65001) >= 65001 && coalesce(var.bgp_asn, 65001) <= 65499)
    error_message = "The bgp_asn must be an integer from 65001 to 65499 (what a JD Cloud customer gateway takes), or null for static routing."
  }
}

variable "device_cidrs" {
  description = "The data centre's networks. With static routing (no `bgp_asn`) each becomes a border gateway route into the VPN connection; with BGP they are learned and this is ignored."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.device_cidrs : can(cidrnetmask(c))])
    error_message = "Each of device_cidrs must be an IPv4 CIDR block such as 192.168.0.0/16."
  }
}

variable "psks" {
  description = "Pre-shared keys, one per tunnel in the order of the `tunnels` output (two, or four with `full_mesh` and two devices): 1–20 letters, digits, `_` or `-`, not starting with `0x` or `0s`. Null makes them here: one `hybridnet_psk` per tunnel, kept in the state (see the README's \"Pre-shared keys\")."
  type        = list(string)
  sensitive   = true
  default     = null

  validation {
    condition     = try((length(var.psks) == 2 || length(var.psks) == 4) && alltrue([for k in var.psks : can(regex("^[A-Za-z0-9_-]{1,20}$", k)) && !can(regex("^0[xs]", k))]), var.psks == null)
    error_message = "The psks must be null or two or four keys of 1 to 20 letters, digits, `_` or `-`, none starting with `0x` or `0s`."
  }
}

variable "inside_block" {
  description = "Where the tunnels' inside /30s are taken from, in tunnel order (tunnel n gets the n-th /30; the cloud takes its second host, the device its first). A /28 or larger block inside 169.254.0.0/20 or RFC 1918 space, not used by another tunnel on the same border gateway."
  type        = string
  default     = "169.254.1.0/24"

  validation {
    condition = try(tonumber(split("/", var.inside_block)[1]) <= 28 && anytrue([
      for range in ["169.254.0.0/20", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] :
      tonumber(split("/", var.inside_block)[1]) >= tonumber(split("/", range)[1]) && cidrhost("${cidrhost(var.inside_block, 0)}/${split("/", range)[1]}", 0) == cidrhost(range, 0)
    ]), false)
    error_message = "The inside_block must be a /28 or larger CIDR block inside 169.254.0.0/20, 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (JD Cloud's tunnel address space)."
  }
}

variable "ipsec" {
  description = "IKE/IPsec settings, as arguments of `hybridnet_ipsec_profile` (e.g. `{ ike_dh_group = \"modp2048\", esp_pfs_group = \"none\" }`); unset ones take the profile's defaults (IKEv2, AES-256, SHA-256, DH group 14, PFS group 14)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k in keys(var.ipsec) : contains([
      "ike_version", "ike_mode", "ike_encryption", "ike_integrity", "ike_dh_group", "ike_lifetime",
      "esp_encryption", "esp_integrity", "esp_pfs_group", "esp_lifetime", "dpd", "nat_traversal",
    ], k)])
    error_message = "The ipsec keys must be arguments of hybridnet_ipsec_profile: ike_version, ike_mode, ike_encryption, ike_integrity, ike_dh_group, ike_lifetime, esp_encryption, esp_integrity, esp_pfs_group, esp_lifetime, dpd, nat_traversal."
  }
}

variable "device_platforms" {
  description = "Device configurations to render into `device_config`: any of `strongswan`, `frr`, `cisco_ios_xe`, `huawei_vrp`."
  type        = list(string)
  default     = ["strongswan"]

  validation {
    condition     = alltrue([for p in var.device_platforms : contains(["strongswan", "frr", "cisco_ios_xe", "huawei_vrp"], p)])
    error_message = "The device_platforms must be among strongswan, frr, cisco_ios_xe and huawei_vrp."
  }
}

variable "description" {
  description = "Description of the objects this module creates."
  type        = string
  default     = "managed by the jdcloud-vpn-site module"

  validation {
    condition     = length(var.description) >= 1 && length(var.description) <= 256
    error_message = "The description must be 1 to 256 characters long."
  }
}
