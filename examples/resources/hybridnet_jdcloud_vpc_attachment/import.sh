terraform import hybridnet_jdcloud_vpc_attachment.app cn-north-1/vpca-0123abcd
