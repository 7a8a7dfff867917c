//! The plan path of every resource: a configuration and a prior state built
//! from the fuzz input against the resource's schema (values, nulls,
//! unknowns and nasty strings and numbers, or raw msgpack/JSON bytes decoded
//! as Terraform's would be), then ValidateResourceTypeConfig,
//! PlanResourceChange and UpgradeResourceState, as the provider server runs
//! them. None of it may panic. The provider block is fuzzed the same way.
#![no_main]
use std::sync::OnceLock;

use hybridnet::framework::value::msgpack;
use hybridnet::framework::{Number, ProviderServer, Type, Value};
use hybridnet::provider::{provider, HybridnetProvider};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fn server() -> &'static ProviderServer<HybridnetProvider> {
    static SERVER: OnceLock<ProviderServer<HybridnetProvider>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let s = ProviderServer::new(provider());
        let _ = s.configure("1.11.4", &Value::Null);
        s
    })
}

const STRINGS: &[&str] = &[
    "", " ", "a", "cn-north-1", "cn-hangzhou", "mars-1", "a/../b", "0s", "1s", "24h", "25h",
    "9999999999999999999s", "18446744073709551616s", "1.5h", ".5m", "1h30m", "203.0.113.10",
    "0.0.0.0", "10.0.0.0/16", "169.254.1.0/30", "169.254.1.2", "fd00::/8", "bgw-1", "cgw-1",
    "vpnc-1", "cen-1", "tr-1", "vpc-1", "subnet-1", "vpn_connection", "vpc_attachment", "edge",
    "standard", "v1", "v2", "ikev2", "main", "UP", "DOWN", "partial", "all", "none", "public",
    "private", "protected_data_flows", "destination_routing", "Key_1", "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?",
    "\"", "\u{0}", "\n", "é", "边界网关", "http://127.0.0.1:1", "https://u:p@h/x",
];

const NUMBERS: &[&str] = &[
    "0", "1", "-1", "10", "65000", "65001", "65499", "64512", "45104", "86400", "4294967295",
    "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1.5",
    "0.1", "1e3", "1e400", "-1e400", "1e-400", "107374182400",
];

fn string(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        (*u.choose(STRINGS)?).to_string()
    } else {
        u.arbitrary::<String>()?
    })
}

fn number(u: &mut Unstructured) -> Result<Number> {
    let n = if u.ratio(3, 4)? {
        Number::parse(u.choose(NUMBERS)?)
    } else {
        Some(Number::from_i64(u.arbitrary()?))
    };
    Ok(n.unwrap_or_else(|| Number::from_i64(0)))
}

/// A value of type `ty`, anywhere from null or unknown to fully known.
fn value(u: &mut Unstructured, ty: &Type, depth: u32) -> Result<Value> {
    match u.int_in_range(0u8..=9)? {
        0 => return Ok(Value::Null),
        1 => return Ok(Value::Unknown),
        _ => {}
    }
    let n = |u: &mut Unstructured| u.int_in_range(0usize..=if depth > 3 { 0 } else { 3 });
    Ok(match ty {
        Type::String => Value::String(string(u)?),
        Type::Number => Value::Number(number(u)?),
        Type::Bool => Value::Bool(u.arbitrary()?),
        Type::List(e) => Value::List((0..n(u)?).map(|_| value(u, e, depth + 1)).collect::<Result<_>>()?),
        Type::Set(e) => Value::Set((0..n(u)?).map(|_| value(u, e, depth + 1)).collect::<Result<_>>()?),
        Type::Map(e) => Value::Map(
            (0..n(u)?)
                .map(|_| Ok((string(u)?, value(u, e, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| Ok((k.clone(), value(u, t, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// A value for `ty`: generated, or raw bytes decoded as msgpack or JSON
/// (skipped when they do not decode, as the server would answer with an error).
fn input(u: &mut Unstructured, ty: &Type) -> Result<Option<Value>> {
    Ok(match u.int_in_range(0u8..=5)? {
        0 => msgpack::decode(u.arbitrary::<&[u8]>()?, ty).ok(),
        1 => serde_json::from_slice::<serde_json::Value>(u.arbitrary::<&[u8]>()?)
            .ok()
            .and_then(|j| Value::from_json(&j, ty).ok()),
        _ => {
            let v = value(u, ty, 0)?;
            // What Terraform would send: the value survives the wire.
            let wire = msgpack::decode(&msgpack::encode(&v), ty).expect("own encoding decodes");
            Some(wire)
        }
    })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let s = server();
    let provider_ty = s.provider_schema().ty();
    if let Some(c) = input(u, &provider_ty)? {
        let _ = s.validate_provider_config(&c);
    }
    let types: Vec<(&'static str, Type)> =
        s.resource_schemas().map(|(name, schema)| (name, schema.ty())).collect();
    let (name, ty) = u.choose(&types)?;
    let Some(config) = input(u, ty)? else { return Ok(()) };
    let _ = s.validate_resource_config(name, &config);
    let prior = if u.arbitrary()? { Value::Null } else { input(u, ty)?.unwrap_or(Value::Null) };
    // Terraform's proposed state is the config over the prior state; any object of the type will do.
    let proposed = if u.arbitrary()? { config.clone() } else { input(u, ty)?.unwrap_or(Value::Null) };
    let (planned, _) = s.plan_resource_change(name, &prior, &proposed, &config);
    let _ = msgpack::encode(&planned.state);
    let version: i64 = u.arbitrary()?;
    let raw: &[u8] = u.arbitrary()?;
    let _ = s.upgrade_resource_state(name, version, raw);
    let _ = s.upgrade_resource_state(name, 0, prior.to_json().to_string().as_bytes());
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
