//! Alibaba's "flat" parameter style: objects become `Prefix.Key`, arrays
//! `Prefix.N` (from 1), scalars strings, nulls nothing
//! (docs/design/alicloud.md §2.2).

use serde_json::Value;

/// Flattens `value` under `prefix` into `out`.
pub fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(&join(&(i + 1).to_string()), v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_like_the_sdk() {
        let v = serde_json::json!([
            {"TunnelIndex": 1, "EnableDpd": true, "TunnelIkeConfig": {"Psk": "k", "IkeVersion": null}},
            {"TunnelIndex": 2}
        ]);
        let mut out = Vec::new();
        flatten("TunnelOptionsSpecification", &v, &mut out);
        out.sort();
        assert_eq!(
            out,
            [
                (
                    "TunnelOptionsSpecification.1.EnableDpd".to_string(),
                    "true".to_string()
                ),
                (
                    "TunnelOptionsSpecification.1.TunnelIkeConfig.Psk".to_string(),
                    "k".to_string()
                ),
                (
                    "TunnelOptionsSpecification.1.TunnelIndex".to_string(),
                    "1".to_string()
                ),
                (
                    "TunnelOptionsSpecification.2.TunnelIndex".to_string(),
                    "2".to_string()
                ),
            ]
        );
    }
}
