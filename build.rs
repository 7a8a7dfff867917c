//! Compiles `proto/` with the protoc shipped by `protoc-bin-vendored`, so a
//! fresh machine needs nothing but cargo.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // prost-build finds protoc through PROTOC.
    std::env::set_var("PROTOC", protoc);
    println!("cargo:rerun-if-changed=proto");
    tonic_prost_build::configure()
        .build_client(true) // tests drive the server with a generated client
        .build_server(true)
        .compile_protos(
            &["proto/tfplugin5.proto", "proto/grpc_controller.proto"],
            &["proto"],
        )?;
    Ok(())
}
