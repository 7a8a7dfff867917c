# The key is read from HYBRIDNET_IMPORT_PSK in Terraform's environment; keep it out of shell history.
read -rs HYBRIDNET_IMPORT_PSK && export HYBRIDNET_IMPORT_PSK
terraform import 'hybridnet_psk.pair[0]' env:HYBRIDNET_IMPORT_PSK
