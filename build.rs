//! Compiles `proto/` with the protoc shipped by `protoc-bin-vendored`, so a
//! fresh machine needs nothing but cargo.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // google/protobuf/timestamp.proto (renew_at of ephemeral resources) ships with it too;
    // prost maps the type to prost_types::Timestamp.
    let well_known = protoc_bin_vendored::include_path()?;
    // prost-build finds protoc through PROTOC.
    std::env::set_var("PROTOC", protoc);
    println!("cargo:rerun-if-changed=proto");
    tonic_prost_build::configure()
        .build_client(true) // tests drive the server with a generated client
        .build_server(true)
        .compile_protos(
            &[
                std::path::PathBuf::from("proto/tfplugin5.proto"),
                std::path::PathBuf::from("proto/grpc_controller.proto"),
            ],
            &[std::path::PathBuf::from("proto"), well_known],
        )?;
    Ok(())
}
