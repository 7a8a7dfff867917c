include "root" {
  path = find_in_parent_folders()
}

dependency "guangzhou" {
  config_path = "../../sites/guangzhou-idc"
  mock_outputs = {
    border_gateway_id = "bgw-mock0001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  jdcloud_border_gateway_id = dependency.guangzhou.outputs.border_gateway_id
}
