//! Access key pair (plus optional STS token) with a redacting `Debug`.

use std::fmt;

use zeroize::Zeroizing;

/// Cloud API credentials. The secret and token are zeroed on drop and never printed.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret: Zeroizing<String>,
    security_token: Option<Zeroizing<String>>,
}

impl Credentials {
    /// Long-term credentials: access key id and secret.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret: Zeroizing::new(secret.into()),
            security_token: None,
        }
    }

    /// Adds the token of temporary (STS) credentials.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Zeroizing::new(token.into()));
        self
    }

    /// The access key id (not secret; it appears in every Authorization header).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The STS token, if these are temporary credentials.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_ref().map(|t| t.as_str())
    }
}

const REDACTED: &str = "** redacted **";

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &REDACTED)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secret_and_token() {
        let c = Credentials::new("AKID", "very-secret-value");
        assert_eq!(
            format!("{c:?}"),
            r#"Credentials { access_key_id: "AKID", secret: "** redacted **", security_token: None }"#
        );
        let c = c.with_security_token("sts-token-value");
        let shown = format!("{c:?}");
        assert_eq!(
            shown,
            r#"Credentials { access_key_id: "AKID", secret: "** redacted **", security_token: Some("** redacted **") }"#
        );
        assert!(!shown.contains("very-secret-value"));
        assert!(!shown.contains("sts-token-value"));
        let pretty = format!("{c:#?}");
        assert!(!pretty.contains("very-secret-value") && !pretty.contains("sts-token-value"));
    }

    #[test]
    fn accessors_and_clone() {
        let c = Credentials::new("ak", "sk").with_security_token("tok");
        let d = c.clone();
        assert_eq!(d.access_key_id(), "ak");
        assert_eq!(d.secret(), "sk");
        assert_eq!(d.security_token(), Some("tok"));
        assert_eq!(Credentials::new("a", "b").security_token(), None);
    }
}
