# Static routing, from a fresh state of its own (`terraform test` keeps one
# state per file): the module built without BGP from the start.

provider "hybridnet" {}

variables {
  name   = "tftest-jdali"
  cen_id = "cen-sandbox0000000001"
  psks   = ["TfTest_JA_1", "TfTest_JA_2"]
}

run "static_link" {
  providers = {
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }

  variables {
    bgp            = false
    jdcloud_cidrs  = ["10.130.0.0/16"]
    alicloud_cidrs = ["172.20.0.0/16"]
  }

  assert {
    condition     = output.routes.jdcloud_to_alicloud == ["172.20.0.0/16"] && output.routes.alicloud_to_jdcloud == ["10.130.0.0/16"]
    error_message = "a static route each way"
  }

  assert {
    condition     = strcontains(output.peer_configs["jdcloud"], "secret = \"TfTest_JA_1\"") && strcontains(output.peer_configs["alicloud"], "secret = \"TfTest_JA_2\"")
    error_message = "the given keys are used on both ends"
  }
}
