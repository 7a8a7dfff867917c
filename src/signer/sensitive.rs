//! A value that must never be printed: pre-shared keys and the like. Its
//! `Debug` says it is redacted; serde sees the value itself, so state and
//! request bodies carry it unchanged. The lowest layer, so that the provider's
//! types and the sandbox's can both use it.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Sensitive<T> {
        Sensitive(value)
    }
    /// The value, for where it must go: a request, a signature, a check.
    pub fn expose(&self) -> &T {
        &self.0
    }
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl Sensitive<String> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl From<String> for Sensitive<String> {
    fn from(s: String) -> Self {
        Sensitive(s)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(s: &str) -> Self {
        Sensitive(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_keeps_it() {
        #[derive(Debug, Serialize, Deserialize)]
        struct Tunnel {
            psk: Option<Sensitive<String>>,
        }
        let t = Tunnel {
            psk: Some("TopSecret_1".into()),
        };
        assert!(!format!("{t:?}").contains("TopSecret_1"), "{t:?}");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"psk":"TopSecret_1"}"#);
        let back: Tunnel = serde_json::from_str(&json).unwrap();
        assert_eq!(back.psk.unwrap().as_str(), "TopSecret_1");
    }
}
