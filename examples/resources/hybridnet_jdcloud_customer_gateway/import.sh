terraform import hybridnet_jdcloud_customer_gateway.idc cn-north-1/cgw-0123abcd
