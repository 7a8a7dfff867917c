//! The merged RPC parameter map (query + form body, decoded) and typed access to it.
//!
//! Flattened members (`TunnelOptionsSpecification.1.TunnelIkeConfig.Psk`, `Tags.2.Key`) are read
//! through [`Params::groups`] / [`Params::sub`], which keep the full path for error messages.
//! An empty value counts as absent (the SDKs never send one for an unset member).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::error::AliError;
use crate::signer::canonical::hex_sha256;
use crate::signer::rpc_v1;

/// Parameters that never change what a call does, so they are not part of the idempotency
/// fingerprint: the V1 common parameters, `ClientToken` and `DryRun`.
const NOT_FINGERPRINTED: &[&str] = &["ClientToken", "DryRun"];

/// A view on the parameters below `prefix` (empty for the top level).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    prefix: String,
    map: BTreeMap<String, String>,
}

impl Params {
    /// Top-level parameters from decoded pairs; a later pair wins over an earlier one.
    pub(crate) fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            prefix: String::new(),
            map: pairs.into_iter().collect(),
        }
    }

    /// Every parameter as decoded pairs, sorted by name (what a V1 signature covers).
    pub(crate) fn pairs(&self) -> Vec<(String, String)> {
        self.map
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The full name of `name` (`TunnelOptionsSpecification.1.TunnelIndex`), for messages.
    pub(crate) fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The value of `name`; `None` when absent or empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str, AliError> {
        self.get(name)
            .ok_or_else(|| AliError::missing(&self.path(name)))
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// A boolean, case-insensitively (`True` from Python, `true` from Go).
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, AliError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(AliError::invalid(
                &self.path(name),
                format!("{v:?} is not a boolean (true or false)"),
            )),
        }
    }

    /// An integer within `range`.
    pub(crate) fn int(
        &self,
        name: &str,
        range: RangeInclusive<i64>,
    ) -> Result<Option<i64>, AliError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(AliError::invalid(
                &self.path(name),
                format!(
                    "{v:?} is not an integer from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// One of `allowed` (exact, case-sensitive).
    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, AliError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
            Some(v) => Err(AliError::invalid(
                &self.path(name),
                format!("{v:?} is not one of {}", allowed.join(", ")),
            )),
        }
    }

    /// The members below `name.` as their own view.
    pub(crate) fn sub(&self, name: &str) -> Params {
        let dotted = format!("{name}.");
        Params {
            prefix: self.path(&dotted),
            map: self
                .map
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix(&dotted)
                        .map(|rest| (rest.to_owned(), v.clone()))
                })
                .collect(),
        }
    }

    /// The 1-based repeated members `name.N[.…]`, by N. `name.N` itself (a scalar list item)
    /// is the member `""` of group N (read it with [`Params::item`]).
    pub(crate) fn groups(&self, name: &str) -> Result<BTreeMap<u32, Params>, AliError> {
        let dotted = format!("{name}.");
        let mut out: BTreeMap<u32, Params> = BTreeMap::new();
        for (key, value) in &self.map {
            let Some(rest) = key.strip_prefix(&dotted) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let (index, member) = rest.split_once('.').unwrap_or((rest, ""));
            let n: u32 = match index.parse() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(AliError::invalid(
                        &self.path(key),
                        format!("list index {index:?} is not a number from 1"),
                    ))
                }
            };
            out.entry(n)
                .or_insert_with(|| Params {
                    prefix: self.path(&format!("{name}.{n}.")),
                    map: BTreeMap::new(),
                })
                .map
                .insert(member.to_owned(), value.clone());
        }
        Ok(out)
    }

    /// The value of a scalar list item group (`Name.N=value`).
    pub(crate) fn item(&self) -> Option<&str> {
        self.get("")
    }

    /// The scalar list `name.1`, `name.2`, … in index order.
    pub(crate) fn list(&self, name: &str) -> Result<Vec<String>, AliError> {
        Ok(self
            .groups(name)?
            .values()
            .filter_map(|g| g.item().map(str::to_owned))
            .collect())
    }

    /// A digest of every API parameter (not the common or idempotency ones): two calls with
    /// the same digest asked for the same thing.
    pub(crate) fn fingerprint(&self) -> String {
        let mut text = String::new();
        for (k, v) in &self.map {
            if rpc_v1::COMMON_PARAMS.contains(&k.as_str())
                || NOT_FINGERPRINTED.contains(&k.as_str())
                || v.is_empty()
            {
                continue;
            }
            text.push_str(k);
            text.push('=');
            text.push_str(v);
            text.push('\n');
        }
        hex_sha256(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(items: &[(&str, &str)]) -> Params {
        Params::new(
            items
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn typed_access() {
        let p = params(&[
            ("A", "True"),
            ("B", "false"),
            ("C", "yes"),
            ("N", "42"),
            ("E", ""),
            ("X", "main"),
        ]);
        assert_eq!(p.bool("A").unwrap(), Some(true));
        assert_eq!(p.bool("B").unwrap(), Some(false));
        assert_eq!(p.bool("Missing").unwrap(), None);
        assert_eq!(p.bool("C").unwrap_err().code, "InvalidC");
        assert_eq!(p.int("N", 0..=100).unwrap(), Some(42));
        assert_eq!(p.int("N", 0..=10).unwrap_err().code, "InvalidN");
        assert_eq!(p.get("E"), None);
        assert_eq!(p.required("E").unwrap_err().code, "MissingE");
        assert_eq!(
            p.one_of("X", &["main", "aggressive"]).unwrap().unwrap(),
            "main"
        );
        assert!(p.one_of("X", &["Main"]).is_err());
    }

    #[test]
    fn groups_and_paths() {
        let p = params(&[
            ("T.1.Ike.Psk", "a"),
            ("T.1.Index", "1"),
            ("T.2.Index", "2"),
            ("T.10.Index", "10"),
            ("Ids.1", "x"),
            ("Ids.2", "y"),
            ("Other", "z"),
        ]);
        let groups = p.groups("T").unwrap();
        assert_eq!(groups.keys().copied().collect::<Vec<_>>(), [1, 2, 10]);
        let first = &groups[&1];
        assert_eq!(first.get("Index"), Some("1"));
        let ike = first.sub("Ike");
        assert_eq!(ike.get("Psk"), Some("a"));
        assert_eq!(ike.path("Psk"), "T.1.Ike.Psk");
        let err = ike.required("Mode").unwrap_err();
        assert_eq!(err.code, "MissingParameter");
        assert!(err.message.contains("T.1.Ike.Mode"), "{}", err.message);
        assert_eq!(p.list("Ids").unwrap(), ["x", "y"]);
        assert_eq!(
            params(&[("T.x.A", "1")]).groups("T").unwrap_err().code,
            "InvalidParameter"
        );
    }

    #[test]
    fn fingerprint_ignores_common_and_token() {
        let a = params(&[("Name", "n"), ("ClientToken", "t1"), ("Timestamp", "1")]);
        let b = params(&[
            ("Name", "n"),
            ("ClientToken", "t2"),
            ("SignatureNonce", "2"),
        ]);
        let c = params(&[("Name", "m")]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}
