include "root" {
  path = find_in_parent_folders()
}

dependency "beijing" {
  config_path = "../../sites/beijing-idc"
  mock_outputs = {
    border_gateway_id = "bgw-mock0001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "shanghai" {
  config_path = "../../sites/shanghai-idc"
  mock_outputs = {
    border_gateway_id = "bgw-mock0001"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  a_border_gateway_id = dependency.beijing.outputs.border_gateway_id
  b_border_gateway_id = dependency.shanghai.outputs.border_gateway_id
}
