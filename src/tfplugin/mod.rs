//! Protocol adapter: the only code that knows tfplugin5 and go-plugin.
//!
//! `handshake` + `tls` + `serve` implement go-plugin's launch contract;
//! `server` maps each RPC onto `framework::ProviderServer`, and `codec`
//! converts between proto messages and framework values.

pub mod codec;
pub mod handshake;
pub mod proto;
pub mod serve;
pub mod server;
pub mod tls;
