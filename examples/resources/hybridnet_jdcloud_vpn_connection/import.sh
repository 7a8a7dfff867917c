terraform import hybridnet_jdcloud_vpn_connection.idc cn-north-1/vpnc-0123abcd
