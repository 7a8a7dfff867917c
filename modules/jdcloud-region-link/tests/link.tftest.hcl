# `terraform test` (Terraform 1.6 or later) against hybridnet-sandbox: two
# JD Cloud regions through two provider configurations.

provider "hybridnet" {
  alias = "north"
  jdcloud {
    region = "cn-north-1"
  }
}

provider "hybridnet" {
  alias = "east"
  jdcloud {
    region = "cn-east-2"
  }
}

variables {
  name     = "tftest-rl"
  a_vpc_id = "vpc-tftestnorth"
  b_vpc_id = "vpc-tftesteast"
  a_cidrs  = ["10.110.0.0/16"]
  b_cidrs  = ["10.120.0.0/16"]
  psks     = ["TfTest_RL_1", "TfTest_RL_2"]
}

run "refuses_an_inside_block_alicloud_reserves" {
  command = plan

  providers = {
    hybridnet.a = hybridnet.north
    hybridnet.b = hybridnet.east
  }

  variables {
    inside_block = "169.254.2.0/29"
  }

  expect_failures = [var.inside_block]
}

run "two_regions_joined" {
  providers = {
    hybridnet.a = hybridnet.north
    hybridnet.b = hybridnet.east
  }

  assert {
    condition     = output.a.border_gateway_id != output.b.border_gateway_id && length(setintersection(output.a.cloud_public_ips, output.b.cloud_public_ips)) == 0
    error_message = "each side has its own border gateway and cloud IPs"
  }

  assert {
    condition = output.pairs == [
      { a = output.a.cloud_public_ips[0], b = output.b.cloud_public_ips[0], inside = "169.254.12.0/30" },
      { a = output.a.cloud_public_ips[1], b = output.b.cloud_public_ips[1], inside = "169.254.12.4/30" },
    ]
    error_message = "pair i joins cloud IP i of each side over /30 i"
  }

  assert {
    condition     = strcontains(output.peer_configs["a"], "secret = \"TfTest_RL_1\"") && strcontains(output.peer_configs["b"], "secret = \"TfTest_RL_2\"")
    error_message = "both ends render with the keys"
  }
}

# The same link with psks unset: one hybridnet_psk per pair replaces the given
# keys, and both sides take them (an update in place of the tunnels).
run "generated_keys" {
  providers = {
    hybridnet.a = hybridnet.north
    hybridnet.b = hybridnet.east
  }

  variables {
    psks = null
  }

  assert {
    condition     = length(toset(flatten(regexall("secret = \"([A-Za-z0-9_-]{20})\"", output.peer_configs["a"])))) == 2
    error_message = "two generated keys of 20 characters on side a"
  }

  assert {
    condition     = toset(flatten(regexall("secret = \"([^\"]+)\"", output.peer_configs["a"]))) == toset(flatten(regexall("secret = \"([^\"]+)\"", output.peer_configs["b"])))
    error_message = "both sides hold the same generated keys"
  }

  assert {
    condition     = !strcontains(output.peer_configs["a"], "TfTest_RL_")
    error_message = "the given keys are gone"
  }
}
