//! hybridnet: a Terraform provider (plugin protocol 5) for hybrid-cloud IPsec VPN
//! on JD Cloud and Alibaba Cloud, plus `sandbox`, a local emulator of both clouds
//! (cargo feature `sandbox`, on by default; the provider binary does not use it).
//!
//! Layers depend in one direction only (see ARCHITECTURE.md):
//! `tfplugin` → `framework` ← `resources` → `clients` → `cloud` → `signer`;
//! `sandbox` → `signer`; `provider` composes them.
#![forbid(unsafe_code)]

pub mod clients;
pub mod cloud;
pub mod docgen;
pub mod framework;
pub mod logging;
pub mod provider;
pub mod resources;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod signer;
pub mod tfplugin;
