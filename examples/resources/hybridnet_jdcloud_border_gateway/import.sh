terraform import hybridnet_jdcloud_border_gateway.main cn-north-1/bgw-0123abcd
