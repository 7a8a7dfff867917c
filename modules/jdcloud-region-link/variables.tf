variable "name" {
  description = "Name of the link: each side's VPN connection is called this, its customer gateway (standing for the other side) `<name>-to-a` or `<name>-to-b`, and a border gateway this module creates `<name>-a` or `<name>-b`."
  type        = string

  validation {
    condition     = can(regex("^[\\p{Han}A-Za-z0-9_-]{1,27}$", var.name))
    error_message = "The name must be 1 to 27 Chinese characters, letters, digits, `_` or `-` (JD Cloud's rule for names, leaving room for the suffixes)."
  }
}

variable "a_border_gateway_id" {
  description = "Side a's existing border gateway (in the region of provider `hybridnet.a`); null creates one."
  type        = string
  default     = null

  validation {
    condition     = var.a_border_gateway_id == null || can(regex("^bgw-[a-z0-9]+$", coalesce(var.a_border_gateway_id, "bgw-x")))
    error_message = "The border gateway ID must look like `bgw-abc123`."
  }
}

variable "b_border_gateway_id" {
  description = "Side b's existing border gateway (in the region of provider `hybridnet.b`); null creates one."
  type        = string
  default     = null

  validation {
    condition     = var.b_border_gateway_id == null || can(regex("^bgw-[a-z0-9]+$", coalesce(var.b_border_gateway_id, "bgw-x")))
    error_message = "The border gateway ID must look like `bgw-abc123`."
  }
}

variable "a_vpc_id" {
  description = "A VPC of side a to attach to a border gateway this module creates there; null attaches none (an existing border gateway keeps its own attachments)."
  type        = string
  default     = null

  validation {
    condition     = var.a_vpc_id == null || can(regex("^vpc-[a-z0-9]+$", coalesce(var.a_vpc_id, "vpc-x")))
    error_message = "The VPC ID must look like `vpc-abc123`."
  }
}

variable "b_vpc_id" {
  description = "A VPC of side b to attach to a border gateway this module creates there; null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.b_vpc_id == null || can(regex("^vpc-[a-z0-9]+$", coalesce(var.b_vpc_id, "vpc-x")))
    error_message = "The VPC ID must look like `vpc-abc123`."
  }
}

variable "a_cidrs" {
  description = "Side a's networks: side b routes them (static routes on its border gateway) into the link."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.a_cidrs : can(cidrnetmask(c))])
    error_message = "Each of a_cidrs must be an IPv4 CIDR block."
  }
}

variable "b_cidrs" {
  description = "Side b's networks: side a routes them into the link."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.b_cidrs : can(cidrnetmask(c))])
    error_message = "Each of b_cidrs must be an IPv4 CIDR block."
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
  description = "Where the two tunnel pairs' inside /30s are taken from (pair n gets the n-th /30; side a takes its first host, side b its second): a /29 or larger block inside 169.254.0.0/20 (valid on JD Cloud and Alibaba Cloud) whose first two /30s are not Alibaba Cloud's reserved ones, not used by another tunnel on either border gateway."
  type        = string
  default     = "169.254.12.0/24"

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
  description = "IKE/IPsec settings of both sides, as arguments of `hybridnet_ipsec_profile`; unset ones take the profile's defaults (IKEv2, AES-256, SHA-256, DH group 14, PFS group 14)."
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
