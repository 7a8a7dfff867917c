//! What both ends of a tunnel must agree on, independent of any one cloud:
//! the algorithm names of each side ([`algorithms`]), the
//! `hybridnet_ipsec_profile` data source ([`profile`]) and the `hybridnet_psk`
//! ephemeral resource ([`psk`]).

pub mod algorithms;
pub mod profile;
pub mod psk;
