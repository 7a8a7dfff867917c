terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

# Credentials may also come from JDCLOUD_ACCESS_KEY / JDCLOUD_SECRET_KEY and
# ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY; HYBRIDNET_*_ENDPOINT points a
# cloud at hybridnet-sandbox.
provider "hybridnet" {
  jdcloud {
    region = "cn-north-1"
  }
  alicloud {
    region = "cn-hangzhou"
  }
}
