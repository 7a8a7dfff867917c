# `terraform test` (Terraform 1.6 or later) against hybridnet-sandbox: the
# endpoint and credentials come from the environment (tests/modules.rs sets
# them). Each run applies, asserts the outputs, and the whole file is
# destroyed at the end.

provider "hybridnet" {}

variables {
  name       = "tftest-site"
  vpc_id     = "vpc-tftest01"
  device_ips = ["203.0.113.50", "203.0.113.51"]
  bgp_asn    = 65050
  psks       = ["TfTest_Key1", "TfTest_Key2"]
}

run "refuses_an_inside_block_jdcloud_cannot_take" {
  command = plan

  variables {
    inside_block = "169.254.32.0/24"
  }

  expect_failures = [var.inside_block]
}

run "refuses_a_key_jdcloud_cannot_take" {
  command = plan

  variables {
    psks = ["0xTfTest_Key1", "TfTest_Key2"]
  }

  expect_failures = [var.psks]
}

run "bgp_site_with_two_tunnels" {
  assert {
    condition     = length(output.cloud_public_ips) == 2 && length(output.tunnels) == 2
    error_message = "two cloud IPs and two tunnels expected"
  }

  assert {
    condition = [for t in output.tunnels : [t.cloud_public_ip, t.device_ip, t.inside_cidr, t.cloud_inside_ip, t.device_inside_ip]] == [
      [output.cloud_public_ips[0], "203.0.113.50", "169.254.1.0/30", "169.254.1.2", "169.254.1.1"],
      [output.cloud_public_ips[1], "203.0.113.51", "169.254.1.4/30", "169.254.1.6", "169.254.1.5"],
    ]
    error_message = "tunnel i pairs cloud IP i with device i over /30 i of inside_block"
  }

  assert {
    condition     = output.vpc_attachment_id != null && startswith(output.border_gateway_id, "bgw-")
    error_message = "the border gateway and the VPC attachment are created"
  }

  assert {
    condition     = strcontains(output.device_config["strongswan"], "secret = \"TfTest_Key2\"") && strcontains(output.device_config["strongswan"], "aes256-sha256-modp2048")
    error_message = "the rendered swanctl.conf holds the keys and the profile's proposal"
  }
}

run "static_full_mesh_with_four_tunnels" {
  variables {
    bgp_asn      = null
    full_mesh    = true
    psks         = null # generated: one hybridnet_psk per tunnel
    device_cidrs = ["192.168.50.0/24"]
  }

  assert {
    condition     = length(toset(flatten(regexall("secret = \"([A-Za-z0-9_-]{20})\"", output.device_config["strongswan"])))) == 4 && !strcontains(output.device_config["strongswan"], "TfTest_Key")
    error_message = "four generated keys of 20 characters, one per tunnel, reach the device configuration"
  }

  assert {
    condition     = length(output.tunnels) == 4 && length(distinct([for t in output.tunnels : t.inside_cidr])) == 4
    error_message = "four tunnels on four distinct /30s expected"
  }

  assert {
    condition     = length(distinct([for t in output.tunnels : "${t.cloud_public_ip}/${t.device_ip}"])) == 4
    error_message = "each cloud IP pairs with each device IP once"
  }
}
