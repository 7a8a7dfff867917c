# The root of the stack; every unit includes it. A unit is a directory with a
# unit.json (which module, its provider configurations, its fixed inputs)
# and a terragrunt.hcl (the include, and the dependency blocks that feed it
# other units' outputs). From unit.json this file makes the module source,
# the provider blocks and the inputs; it also points Terraform at a local
# hybridnet build and at hybridnet-sandbox (HYBRIDNET_SANDBOX_URL).
#
# tests/terragrunt_stacks.rs applies exactly these units, reading the same
# unit.json files and dependency blocks.

locals {
  unit         = jsondecode(file("${get_terragrunt_dir()}/unit.json"))
  sandbox_url  = get_env("HYBRIDNET_SANDBOX_URL", "http://127.0.0.1:8080")
  provider_dir = get_env("HYBRIDNET_PROVIDER_DIR", "${get_repo_root()}/target/debug")
}

terraform {
  # The unit's module is its root: Terragrunt copies it and adds the files
  # generated below.
  source = "${get_repo_root()}/modules//${local.unit.module}"

  extra_arguments "sandbox" {
    commands = ["plan", "apply", "destroy", "output", "refresh", "validate", "import", "state", "show"]
    env_vars = {
      TF_CLI_CONFIG_FILE          = "sandbox.tfrc"
      HYBRIDNET_JDCLOUD_ENDPOINT  = local.sandbox_url
      HYBRIDNET_ALICLOUD_ENDPOINT = local.sandbox_url
      JDCLOUD_ACCESS_KEY          = "sandbox-ak"
      JDCLOUD_SECRET_KEY          = "sandbox-sk"
      ALICLOUD_ACCESS_KEY         = "sandbox-ak"
      ALICLOUD_SECRET_KEY         = "sandbox-sk"
    }
  }
}

# The CLI configuration: hybridnet from the local build (dev_overrides), so
# `terraform init` must not run (it would ask the registry): see README.md.
generate "cli_config" {
  path      = "sandbox.tfrc"
  if_exists = "overwrite"
  contents  = <<-EOT
    provider_installation {
      dev_overrides {
        "hybridnet/hybridnet" = "${local.provider_dir}"
      }
      direct {}
    }
  EOT
}

# One provider block per configuration the module takes: `hybridnet`, or the
# aliases of its configuration_aliases (hybridnet.a and hybridnet.b, say).
generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite"
  contents = join("\n", [for address, p in local.unit.providers : <<-EOT
    provider "hybridnet" {
      %{if address != "hybridnet"}alias = "${replace(address, "hybridnet.", "")}"%{endif}
      jdcloud {
        region = "${p.jdcloud_region}"
      }
      alicloud {
        region = "${p.alicloud_region}"
      }
    }
  EOT
  ])
}

# Local state, one file per unit (next to its terragrunt.hcl).
remote_state {
  backend = "local"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite"
  }
  config = {
    path = "${get_terragrunt_dir()}/terraform.tfstate"
  }
}

# A unit's own terragrunt.hcl adds the inputs that come from dependencies
# (Terragrunt merges the two maps).
inputs = local.unit.inputs
