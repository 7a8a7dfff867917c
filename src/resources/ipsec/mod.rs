//! What both ends of a tunnel must agree on, independent of any one cloud:
//! the algorithm names of each side ([`algorithms`]), the
//! `hybridnet_ipsec_profile` data source ([`profile`]), the
//! `hybridnet_peer_config` data source ([`peer_config`]), which renders a
//! device's end of a cloud connection, and the `hybridnet_psk` ephemeral
//! resource ([`psk`]).

pub mod algorithms;
pub mod peer_config;
pub mod profile;
pub mod psk;
