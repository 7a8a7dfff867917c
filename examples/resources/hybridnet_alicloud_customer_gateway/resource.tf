resource "hybridnet_alicloud_customer_gateway" "idc" {
  ip_address  = "203.0.113.20"
  asn         = 65020
  name        = "idc-router-1"
  description = "Hangzhou data centre, router 1"
}
