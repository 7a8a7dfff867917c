# Static routing, from a fresh state of its own (`terraform test` keeps one
# state per file): the module built without BGP from the start.

provider "hybridnet" {}

variables {
  name       = "tftest-cen"
  cen_id     = "cen-sandbox0000000001"
  device_ips = ["203.0.113.60", "203.0.113.61"]
  bgp_asn    = 65060
  psks       = ["TfTest_Ali_1", "TfTest_Ali_2"]
}

run "static_with_one_device" {
  variables {
    bgp_asn      = null
    device_ips   = ["203.0.113.62"]
    device_cidrs = ["192.168.60.0/24"]
  }

  assert {
    condition     = length(output.customer_gateway_ids) == 1 && alltrue([for t in output.tunnels : t.device_ip == "203.0.113.62" && t.inside_cidr == null])
    error_message = "both tunnels end on the one device, without BGP inside addresses"
  }
}
