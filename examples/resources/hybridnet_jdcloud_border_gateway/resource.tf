resource "hybridnet_jdcloud_border_gateway" "main" {
  name        = "idc-bgw"
  description = "VPN to the Beijing data centre"
}
