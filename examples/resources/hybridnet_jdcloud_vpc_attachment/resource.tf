resource "hybridnet_jdcloud_vpc_attachment" "app" {
  name              = "app-vpc"
  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id
  vpc_id            = "vpc-abc12345"
  propagate_type    = "partial"
  subnet_ids        = ["subnet-web00001", "subnet-db000001"]
}
