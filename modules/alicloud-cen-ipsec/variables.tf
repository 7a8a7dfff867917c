variable "name" {
  description = "Name of the IPsec connection; the customer gateways are `<name>-1` and `<name>-2`."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 98 && !can(regex("^https?://", var.name)) && !can(regex("[[:cntrl:]]", var.name))
    error_message = "The name must be 1 to 98 characters, free of control characters, and not start with http:// or https://."
  }
}

variable "region" {
  description = "Alibaba Cloud region of the connection and the transit router; null takes the provider configuration's region."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}-[a-z0-9-]+$", coalesce(var.region, "cn-hangzhou")))
    error_message = "The region must be an Alibaba Cloud region ID such as cn-hangzhou."
  }
}

variable "cen_id" {
  description = "The CEN instance whose transit router (in the region) the connection binds to."
  type        = string

  validation {
    condition     = can(regex("^cen-[a-z0-9]+$", var.cen_id))
    error_message = "The cen_id must look like `cen-abc123`."
  }
}

variable "transit_router_id" {
  description = "The transit router to bind to; null takes the CEN's transit router in the region."
  type        = string
  default     = null

  validation {
    condition     = var.transit_router_id == null || can(regex("^tr-[a-z0-9-]+$", coalesce(var.transit_router_id, "tr-x")))
    error_message = "The transit_router_id must look like `tr-bp1abc`."
  }
}

variable "device_ips" {
  description = "Public IPv4 addresses of the data centre's VPN devices: two (tunnel i ends on device i) or one (both tunnels end on it)."
  type        = list(string)

  validation {
    condition     = length(var.device_ips) >= 1 && length(var.device_ips) <= 2 && length(distinct(var.device_ips)) == length(var.device_ips) && alltrue([for ip in var.device_ips : can(cidrhost("${ip}/32", 0)) && cidrhost("${ip}/32", 0) == ip])
    error_message = "The device_ips must be one or two distinct IPv4 addresses."
  }
}

variable "bgp_asn" {
  description = "The data centre's BGP ASN: BGP runs over both tunnels. Null routes statically: `device_cidrs` become destination routes of the connection."
  type        = number
  default     = null

  validation {
    condition     = var.bgp_asn == null || (floor(coalesce(var.bgp_asn, 1)) == coalesce(var.bgp_asn, 1) && coalesce(var.bgp_asn, 1) >= 1 && coalesce(var.bgp_asn, 1) <= 4294967295 && coalesce(var.bgp_asn, 1) != 45104)
    error_message = "The bgp_asn must be an integer from 1 to 4294967295 other than 45104 (Alibaba Cloud's), or null for static routing."
  }
}

variable "local_asn" {
  description = "Alibaba Cloud's BGP ASN on this connection."
  type        = number
  default     = 45104

  validation {
    condition     = floor(var.local_asn) == var.local_asn && var.local_asn >= 1 && var.local_asn <= 4294967295
    error_message = "The local_asn must be an integer from 1 to 4294967295."
  }
}

variable "device_cidrs" {
  description = "The data centre's networks. With static routing (no `bgp_asn`) each becomes a destination route of the connection, published to the transit router; with BGP they are learned and this is ignored."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.device_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "Each of device_cidrs must be an IPv4 CIDR block other than 0.0.0.0/0."
  }
}

variable "psks" {
  description = "Pre-shared keys of tunnel 1 and tunnel 2: 1–100 printable ASCII characters without spaces or `\"`. Null makes them here: one `hybridnet_psk` per tunnel, kept in the state (see the README's \"Pre-shared keys\")."
  type        = list(string)
  sensitive   = true
  default     = null

  validation {
    condition     = try(length(var.psks) == 2 && alltrue([for k in var.psks : can(regex("^[[:graph:]]{1,100}$", k)) && !can(regex("\"", k))]), var.psks == null)
    error_message = "The psks must be null or two keys of 1 to 100 printable ASCII characters without spaces or double quotes."
  }
}

variable "inside_block" {
  description = "Where the tunnels' BGP inside /30s are taken from (tunnel n gets the n-th /30; Alibaba Cloud takes its first host, the device its second): a /29 or larger block inside 169.254.0.0/16 whose first two /30s are not among Alibaba Cloud's reserved 169.254.0.0/30 … 169.254.6.0/30 and 169.254.169.252/30."
  type        = string
  default     = "169.254.10.0/24"

  validation {
    condition = try(
      tonumber(split("/", var.inside_block)[1]) >= 16 && tonumber(split("/", var.inside_block)[1]) <= 29 &&
      cidrhost("${cidrhost(var.inside_block, 0)}/16", 0) == "169.254.0.0" &&
      alltrue([for n in [0, 1] : !contains(
        ["169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30", "169.254.6.0/30", "169.254.169.252/30"],
        cidrsubnet(var.inside_block, 30 - tonumber(split("/", var.inside_block)[1]), n)
      )]),
      false
    )
    error_message = "The inside_block must be a /29 or larger block inside 169.254.0.0/16 whose first two /30s are not reserved by Alibaba Cloud (169.254.0.0/30 … 169.254.6.0/30, 169.254.169.252/30)."
  }
}

variable "effect_immediately" {
  description = "Negotiate as soon as the connection is configured, rather than when traffic arrives."
  type        = bool
  default     = true
}

variable "auto_publish_routes" {
  description = "Let the transit router advertise its routes to the connection."
  type        = bool
  default     = true
}

variable "associate_default_route_table" {
  description = "Associate the connection with the transit router's default route table."
  type        = bool
  default     = true
}

variable "propagate_default_route_table" {
  description = "Propagate the connection's routes into the transit router's default route table."
  type        = bool
  default     = true
}

variable "ipsec" {
  description = "IKE/IPsec settings, as arguments of `hybridnet_ipsec_profile` (e.g. `{ ike_dh_group = \"modp2048\" }`); unset ones take the profile's defaults (IKEv2, AES-256, SHA-256, DH group 14, PFS group 14)."
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
