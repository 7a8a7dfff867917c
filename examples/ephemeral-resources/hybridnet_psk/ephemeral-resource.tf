# A key both clouds accept (20 letters, digits, `_` or `-`), new on every run
# and never stored: give it only to write-only arguments.
ephemeral "hybridnet_psk" "link" {}

# Only Alibaba Cloud must accept this one: up to 100 characters, punctuation included.
ephemeral "hybridnet_psk" "alicloud_only" {
  clouds = ["alicloud"]
  length = 64
}
