terraform import hybridnet_jdcloud_border_gateway_route.idc cn-north-1/bgw-0123abcd/bgwr-0123abcd
