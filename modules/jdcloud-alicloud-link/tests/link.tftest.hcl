# `terraform test` (Terraform 1.6 or later) against hybridnet-sandbox, which
# seeds the CEN cen-sandbox0000000001. One provider configuration (both
# clouds) is passed as both ends.

provider "hybridnet" {}

variables {
  render_peer_configs = true
  name                = "tftest-jdali"
  cen_id              = "cen-sandbox0000000001"
  psks                = ["TfTest_JA_1", "TfTest_JA_2"]
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
