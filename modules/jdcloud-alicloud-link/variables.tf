variable "name" {
  description = "Name of the link: the JD Cloud VPN connection and customer gateway, a border gateway this module creates, and the Alibaba Cloud IPsec connection are called this; the Alibaba customer gateways `<name>-1` and `<name>-2`."
  type        = string

  validation {
    condition     = can(regex("^[\\p{Han}A-Za-z0-9_-]{1,32}$", var.name))
    error_message = "The name must be 1 to 32 Chinese characters, letters, digits, `_` or `-` (JD Cloud's rule for names)."
  }
}

variable "jdcloud_border_gateway_id" {
  description = "An existing JD Cloud border gateway (in the region of provider `hybridnet.jdcloud`); null creates one."
  type        = string
  default     = null

  validation {
    condition     = var.jdcloud_border_gateway_id == null || can(regex("^bgw-[a-z0-9]+$", coalesce(var.jdcloud_border_gateway_id, "bgw-x")))
    error_message = "The border gateway ID must look like `bgw-abc123`."
  }
}

variable "jdcloud_vpc_id" {
  description = "A JD Cloud VPC to attach to a border gateway this module creates; null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.jdcloud_vpc_id == null || can(regex("^vpc-[a-z0-9]+$", coalesce(var.jdcloud_vpc_id, "vpc-x")))
    error_message = "The VPC ID must look like `vpc-abc123`."
  }
}

variable "cen_id" {
  description = "The CEN instance whose transit router (in the region of provider `hybridnet.alicloud`) the Alibaba end binds to."
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

variable "bgp" {
  description = "Exchange routes by BGP over both tunnel pairs; false routes statically with `jdcloud_cidrs` and `alicloud_cidrs`."
  type        = bool
  default     = true
}

variable "jdcloud_asn" {
  description = "JD Cloud's BGP ASN on this connection (64512–65534); null keeps the border gateway's 65000."
  type        = number
  default     = null

  validation {
    condition     = var.jdcloud_asn == null || (floor(coalesce(var.jdcloud_asn, 65000)) == coalesce(var.jdcloud_asn, 65000) && coalesce(var.jdcloud_asn, 65000) >= 64512 && coalesce(var.jdcloud_asn, 65000) <= 65534)
    error_message = "The jdcloud_asn must be an integer from 64512 to 65534, or null."
  }
}

variable "alicloud_asn" {
  description = "Alibaba Cloud's BGP ASN on this connection: 65001–65499, what a JD Cloud customer gateway accepts (so not Alibaba's default 45104)."
  type        = number
  default     = 65100

  validation {
    condition     = floor(var.alicloud_asn) == var.alicloud_asn && var.alicloud_asn >= 65001 && var.alicloud_asn <= 65499
    error_message = "The alicloud_asn must be an integer from 65001 to 65499."
  }
}

variable "jdcloud_cidrs" {
  description = "JD Cloud networks behind the link. With static routing they become destination routes of the Alibaba connection; with BGP they are learned and this is ignored."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.jdcloud_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "Each of jdcloud_cidrs must be an IPv4 CIDR block other than 0.0.0.0/0."
  }
}

variable "alicloud_cidrs" {
  description = "Alibaba Cloud networks behind the transit router. With static routing they become routes of the JD border gateway into the link; with BGP this is ignored."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.alicloud_cidrs : can(cidrnetmask(c))])
    error_message = "Each of alicloud_cidrs must be an IPv4 CIDR block."
  }
}

variable "psks" {
  description = "Pre-shared keys of tunnel pair 1 and 2 (the same key on both ends of a pair): 1–20 letters, digits, `_` or `-`, not starting with `0x` or `0s` (what both clouds accept). Null makes them here: one `hybridnet_psk` per pair, kept in the state (see the README's \"Pre-shared keys\")."
  type        = list(string)
  sensitive   = true
  default     = null

  validation {
    condition     = try(length(var.psks) == 2 && alltrue([for k in var.psks : can(regex("^[A-Za-z0-9_-]{1,20}$", k)) && !can(regex("^0[xs]", k))]), var.psks == null)
    error_message = "The psks must be null or two keys of 1 to 20 letters, digits, `_` or `-`, neither starting with `0x` or `0s`."
  }
}

variable "inside_block" {
  description = "Where the two tunnel pairs' inside /30s are taken from (pair n gets the n-th /30; Alibaba Cloud takes its first host, JD Cloud its second): a /29 or larger block inside 169.254.0.0/20 (valid on both clouds) whose first two /30s are not Alibaba Cloud's reserved ones, not used by another tunnel on the border gateway."
  type        = string
  default     = "169.254.10.0/24"

  validation {
    condition = try(
      tonumber(split("/", var.inside_block)[1]) >= 20 && tonumber(split("/", var.inside_block)[1]) <= 29 &&
      cidrhost("${cidrhost(var.inside_block, 0)}/20", 0) == "169.254.0.0" &&
      alltrue([for n in [0, 1] : !contains(
        ["169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30", "169.254.6.0/30"],
        cidrsubnet(var.inside_block, 30 - tonumber(split("/", var.inside_block)[1]), n)
      )]),
      false
    )
    error_message = "The inside_block must be a /29 or larger block inside 169.254.0.0/20 whose first two /30s are not 169.254.0.0/30 … 169.254.6.0/30 (reserved by Alibaba Cloud)."
  }
}

variable "ipsec" {
  description = "IKE/IPsec settings of both ends, as arguments of `hybridnet_ipsec_profile`; unset ones take the profile's defaults (IKEv2, AES-256, SHA-256, DH group 14, PFS group 14). A setting either cloud lacks is refused at plan time."
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

variable "render_peer_configs" {
  description = "Render each end as swanctl.conf into `peer_configs` (what a device standing in for the other side would load; it holds the keys). While a connection has no tunnels yet (an import after an interrupted apply), the rendered file says so instead of failing."
  type        = bool
  default     = true
}
