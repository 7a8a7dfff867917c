//! Helpers every resource shares: turning API errors into diagnostics with
//! one message grammar, and splitting import ids.

use crate::cloud::ApiError;
use crate::framework::Diagnostics;

/// "creating JD Cloud customer gateway: <code>: <message> (…request id…)".
pub fn api_error(action: &str, what: &str, err: &ApiError) -> Diagnostics {
    Diagnostics::error(format!("{action} {what}"), err.to_string())
}

/// Same, naming the object's id.
pub fn api_error_id(action: &str, what: &str, id: &str, err: &ApiError) -> Diagnostics {
    Diagnostics::error(format!("{action} {what} ({id})"), err.to_string())
}

/// Import ids are `ID` or `REGION/ID`.
pub fn split_import_id(id: &str) -> Result<(Option<&str>, &str), Diagnostics> {
    let bad = || {
        Diagnostics::error(
            "Invalid import ID",
            format!("Expected \"<id>\" or \"<region>/<id>\", got {id:?}."),
        )
    };
    match id.split_once('/') {
        None if !id.trim().is_empty() => Ok((None, id)),
        Some((r, i)) if !r.is_empty() && !i.is_empty() && !i.contains('/') => Ok((Some(r), i)),
        _ => Err(bad()),
    }
}

/// JD Cloud answers an absent optional string as "" — state keeps it null.
pub fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids() {
        assert_eq!(split_import_id("cgw-1").unwrap(), (None, "cgw-1"));
        assert_eq!(
            split_import_id("cn-east-2/cgw-1").unwrap(),
            (Some("cn-east-2"), "cgw-1")
        );
        for bad in ["", "/x", "r/", "a/b/c"] {
            assert!(split_import_id(bad).is_err(), "{bad}");
        }
    }
}
