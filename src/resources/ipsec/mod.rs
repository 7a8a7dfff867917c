//! What both ends of a tunnel must agree on, independent of any one cloud:
//! the algorithm names of each side ([`algorithms`]) and the
//! `hybridnet_ipsec_profile` data source ([`profile`]).

pub mod algorithms;
pub mod profile;
