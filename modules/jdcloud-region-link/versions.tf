terraform {
  required_version = ">= 1.0"

  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
      # Side a and side b: one JD Cloud provider configuration per region.
      configuration_aliases = [hybridnet.a, hybridnet.b]
    }
  }
}
