resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc-beijing"
  description  = "Beijing data centre edge routers"
  customer_ips = ["203.0.113.10", "203.0.113.11"]
  bgp_asn      = 65010
}
