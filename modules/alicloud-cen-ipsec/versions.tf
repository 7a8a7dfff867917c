terraform {
  required_version = ">= 1.0"

  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}
