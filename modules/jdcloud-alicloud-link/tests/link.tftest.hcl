# `terraform test` (Terraform 1.6 or later) against hybridnet-sandbox, which
# seeds the CEN cen-sandbox0000000001. One provider configuration (both
# clouds) is passed as both ends.

provider "hybridnet" {}

variables {
  name   = "tftest-jdali"
  cen_id = "cen-sandbox0000000001"
  psks   = ["TfTest_JA_1", "TfTest_JA_2"]
}

run "refuses_a_setting_one_cloud_lacks" {
  command = plan

  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  variables {
    alicloud_asn = 45104
  }

  expect_failures = [var.alicloud_asn]
}

run "bgp_link" {
  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  assert {
    condition     = length(output.pairs) == 2 && [for p in output.pairs : p.inside] == ["169.254.10.0/30", "169.254.10.4/30"]
    error_message = "two pairs over the first two /30s of inside_block"
  }

  assert {
    condition     = alltrue([for p in output.pairs : p.jdcloud != null && p.alicloud != null && p.jdcloud != p.alicloud])
    error_message = "each pair joins a JD Cloud IP and an Alibaba Cloud IP"
  }

  assert {
    condition     = output.routes.jdcloud_to_alicloud == [] && output.routes.alicloud_to_jdcloud == []
    error_message = "no static routes with BGP"
  }

  assert {
    condition     = strcontains(output.peer_configs["jdcloud"], "secret = \"TfTest_JA_1\"") && strcontains(output.peer_configs["alicloud"], "secret = \"TfTest_JA_2\"")
    error_message = "both ends render with the keys"
  }
}

# The same link with psks unset: one hybridnet_psk per pair replaces the given
# keys, and both ends take them (an update in place of the tunnels).
run "generated_keys" {
  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  variables {
    psks = null
  }

  assert {
    condition     = length(toset(flatten(regexall("secret = \"([A-Za-z0-9_-]{20})\"", output.peer_configs["jdcloud"])))) == 2
    error_message = "two generated keys of 20 characters on the JD Cloud end"
  }

  assert {
    condition     = toset(flatten(regexall("secret = \"([^\"]+)\"", output.peer_configs["jdcloud"]))) == toset(flatten(regexall("secret = \"([^\"]+)\"", output.peer_configs["alicloud"])))
    error_message = "both ends hold the same generated keys"
  }

  assert {
    condition     = !strcontains(output.peer_configs["jdcloud"], "TfTest_JA_") && !strcontains(output.peer_configs["alicloud"], "TfTest_JA_")
    error_message = "the given keys are gone"
  }
}
