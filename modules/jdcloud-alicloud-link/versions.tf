terraform {
  required_version = ">= 1.0"

  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
      # The JD Cloud end and the Alibaba Cloud end; one configuration may be
      # passed as both when one account and region pair serves.
      configuration_aliases = [hybridnet.jdcloud, hybridnet.alicloud]
    }
  }
}
