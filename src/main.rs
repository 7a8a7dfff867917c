//! `terraform-provider-hybridnet`: the binary Terraform launches. All logic
//! lives in the library; this only wires handshake, logging and the server.

use std::process::ExitCode;
use std::time::Duration;

use hybridnet::tfplugin::handshake::Handshake;
use hybridnet::tfplugin::serve::serve;
use hybridnet::tfplugin::server::ProviderService;

fn main() -> ExitCode {
    let handshake = match Handshake::from_env() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    hybridnet::logging::init();

    // Two workers whatever the core count: the work is waiting on Terraform and the clouds'
    // APIs, and each thread costs memory (stack, allocator arena) in every provider process.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let provider = ProviderService::new(hybridnet::provider::provider());
    let result = runtime.block_on(serve(provider, handshake));
    // go-plugin SIGKILLs us 2 s after Shutdown: do not wait for stragglers.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider server failed");
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
