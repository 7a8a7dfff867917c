//! Typed HTTP clients, one per cloud. Depends on `signer` only; knows
//! nothing about Terraform.

pub mod alicloud;
pub mod coalesce;
pub mod error;
pub mod jdcloud;
pub mod regions;
pub mod transport;

pub use error::ApiError;
