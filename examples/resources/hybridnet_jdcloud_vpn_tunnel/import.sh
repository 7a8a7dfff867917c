terraform import hybridnet_jdcloud_vpn_tunnel.first cn-north-1/vpnt-0123abcd
