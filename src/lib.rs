//! hybridnet: a Terraform provider (plugin protocol 5) for hybrid-cloud IPsec VPN
//! on JD Cloud and Alibaba Cloud, plus `sandbox`, a local emulator of both clouds.
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
pub mod sandbox;
pub mod signer;
pub mod tfplugin;
