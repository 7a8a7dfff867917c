terraform import 'hybridnet_alicloud_ipsec_connection_route.idc["192.168.0.0/16"]' cn-hangzhou/vco-0123abcd/192.168.0.0/16
