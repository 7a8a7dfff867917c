# `terraform test` (Terraform 1.6 or later) against hybridnet-sandbox, which
# seeds the CEN cen-sandbox0000000001 and its transit routers.

provider "hybridnet" {}

variables {
  name       = "tftest-cen"
  cen_id     = "cen-sandbox0000000001"
  device_ips = ["203.0.113.60", "203.0.113.61"]
  bgp_asn    = 65060
  psks       = ["TfTest_Ali_1", "TfTest_Ali_2"]
}

run "refuses_a_reserved_inside_block" {
  command = plan

  variables {
    inside_block = "169.254.4.0/29"
  }

  expect_failures = [var.inside_block]
}

run "bgp_connection_bound_to_the_transit_router" {
  assert {
    condition     = startswith(output.vpn_connection_id, "vco-") && output.transit_router_attachment_id != null
    error_message = "the connection is created and bound"
  }

  assert {
    condition = [for t in output.tunnels : [t.device_ip, t.inside_cidr, t.cloud_inside_ip, t.device_inside_ip]] == [
      ["203.0.113.60", "169.254.10.0/30", "169.254.10.1", "169.254.10.2"],
      ["203.0.113.61", "169.254.10.4/30", "169.254.10.5", "169.254.10.6"],
    ]
    error_message = "tunnel i ends on device i over /30 i of inside_block"
  }

  assert {
    condition     = length(output.customer_gateway_ids) == 2 && alltrue([for t in output.tunnels : t.gateway_ip != null])
    error_message = "two customer gateways, and a gateway IP per tunnel"
  }

  assert {
    condition     = strcontains(output.device_config["strongswan"], "secret = \"TfTest_Ali_1\"")
    error_message = "the rendered swanctl.conf holds the keys"
  }
}

run "moves_both_tunnels_to_another_device" {
  variables {
    device_ips = ["203.0.113.62"]
  }

  assert {
    condition     = length(output.customer_gateway_ids) == 1 && alltrue([for t in output.tunnels : t.device_ip == "203.0.113.62"])
    error_message = "the new gateway is made, both tunnels move to it, the old ones go"
  }
}

run "generated_keys" {
  variables {
    psks = null
  }

  assert {
    condition     = length(toset(flatten(regexall("secret = \"([A-Za-z0-9_-]{20})\"", output.device_config["strongswan"])))) == 2 && !strcontains(output.device_config["strongswan"], "TfTest_Ali_")
    error_message = "two generated keys of 20 characters, one per tunnel, reach the device configuration"
  }
}
