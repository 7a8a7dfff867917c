//! Pieces shared by the Alibaba models: tags, `ClientToken` idempotency, time formats, paging.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::error::{codes, AliError};
use super::params::Params;

/// How long a `ClientToken` makes a create idempotent: 24 h, the window Alibaba documents for
/// other products' tokens (INFERRED, docs/design/alicloud.md §10.8).
pub(crate) const CLIENT_TOKEN_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Account id the sandbox acts as (`VpnOwnerId`); INFERRED shape, 16 digits
/// (docs/design/alicloud.md §10.9).
pub(crate) const ACCOUNT_ID: i64 = 1_000_000_000_000_001;

/// Resource group of objects created without `ResourceGroupId`; INFERRED id
/// (docs/design/alicloud.md §10.9).
pub(crate) const DEFAULT_RESOURCE_GROUP: &str = "rg-sandboxdefault";

/// A user tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Vec<Tag> {
        pairs
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }
}

/// `{"Tag":[{"Key","Value"}]}`, the wrapped list of the Vpc describe calls.
pub(crate) fn wrapped_tags(tags: &[Tag]) -> Value {
    json!({ "Tag": tags })
}

/// Whether `tags` has every `Tag.N.Key`/`Tag.N.Value` filter of the request.
pub(crate) fn tags_match(tags: &[Tag], filter: &[(String, String)]) -> bool {
    filter.iter().all(|(k, v)| {
        tags.iter()
            .any(|t| &t.key == k && (v.is_empty() || &t.value == v))
    })
}

/// The `ClientToken` a resource was created with, and what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ClientToken {
    pub token: String,
    /// [`Params::fingerprint`] of the creating call.
    pub fingerprint: String,
}

impl ClientToken {
    pub(crate) fn of(token: Option<String>, p: &Params) -> Option<Self> {
        token.map(|token| Self {
            token,
            fingerprint: p.fingerprint(),
        })
    }
}

/// Idempotent creates: among `existing`, the resource created with the same token less than
/// 24 h ago. Same parameters → that resource (the call is answered with it, nothing new is
/// made); different parameters → 400 `IdempotentParameterMismatch`.
pub(crate) fn replay<'a, T>(
    existing: &'a [T],
    token: Option<&ClientToken>,
    now_ms: i64,
    meta: impl Fn(&T) -> (Option<&ClientToken>, i64),
) -> Result<Option<&'a T>, AliError> {
    let Some(token) = token else {
        return Ok(None);
    };
    for item in existing {
        let (theirs, created_ms) = meta(item);
        let Some(theirs) = theirs else { continue };
        if theirs.token != token.token || now_ms - created_ms >= CLIENT_TOKEN_WINDOW_MS {
            continue;
        }
        if theirs.fingerprint == token.fingerprint {
            return Ok(Some(item));
        }
        return Err(AliError::bad(
            codes::IDEMPOTENT_MISMATCH,
            format!(
                "ClientToken {:?} was already used within 24 hours with different parameters.",
                token.token
            ),
        ));
    }
    Ok(None)
}

/// `YYYY-MM-DDThh:mmZ` (Cbn `CreationTime`: UTC, no seconds).
pub(crate) fn minute_time(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Vpc paging: `PageNumber` (default 1) and `PageSize` (default 10, 1–50).
pub(crate) struct Page {
    pub number: usize,
    pub size: usize,
}

impl Page {
    pub(crate) fn parse(p: &Params) -> Result<Self, AliError> {
        let number = p.int("PageNumber", 1..=i64::from(u32::MAX))?.unwrap_or(1);
        let size = p.int("PageSize", 1..=50)?.unwrap_or(10);
        Ok(Self {
            number: usize::try_from(number).unwrap_or(usize::MAX),
            size: usize::try_from(size).unwrap_or(10),
        })
    }

    /// The page's slice of `all`.
    pub(crate) fn slice<T: Clone>(&self, all: &[T]) -> Vec<T> {
        all.iter()
            .skip(self.number.saturating_sub(1).saturating_mul(self.size))
            .take(self.size)
            .cloned()
            .collect()
    }
}

/// Cbn paging: `MaxResults` (default 20, 1–100) and an opaque `NextToken` (here: the offset).
/// Returns the page and the token of the next one (empty when there is none).
pub(crate) fn cbn_page<T: Clone>(
    p: &Params,
    all: &[T],
) -> Result<(Vec<T>, usize, String), AliError> {
    let max = usize::try_from(p.int("MaxResults", 1..=100)?.unwrap_or(20)).unwrap_or(20);
    let start = match p.get("NextToken") {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= all.len())
            .ok_or_else(|| {
                AliError::invalid(
                    "NextToken",
                    format!("{t:?} is not a token this list returned"),
                )
            })?,
    };
    let page: Vec<T> = all.iter().skip(start).take(max).cloned().collect();
    let next = if start + page.len() < all.len() {
        (start + page.len()).to_string()
    } else {
        String::new()
    };
    Ok((page, max, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formats() {
        assert_eq!(minute_time(1_657_269_959_123), "2022-07-08T08:45Z");
    }

    #[test]
    fn replay_rules() {
        let p = Params::new([("Name".to_owned(), "a".to_owned())]);
        let q = Params::new([("Name".to_owned(), "b".to_owned())]);
        let mine = ClientToken::of(Some("t".to_owned()), &p).unwrap();
        let items = vec![(Some(mine.clone()), 1_000i64, "x")];
        fn meta<'a>(i: &'a (Option<ClientToken>, i64, &str)) -> (Option<&'a ClientToken>, i64) {
            (i.0.as_ref(), i.1)
        }
        assert_eq!(
            replay(&items, Some(&mine), 2_000, meta).unwrap().unwrap().2,
            "x"
        );
        let other = ClientToken::of(Some("t".to_owned()), &q).unwrap();
        assert_eq!(
            replay(&items, Some(&other), 2_000, meta).unwrap_err().code,
            "IdempotentParameterMismatch"
        );
        // After 24 h the token is free again.
        let later = 1_000 + CLIENT_TOKEN_WINDOW_MS;
        assert!(replay(&items, Some(&other), later, meta).unwrap().is_none());
        assert!(replay(&items, None, 2_000, meta).unwrap().is_none());
    }

    #[test]
    fn paging() {
        let all: Vec<u32> = (0..25).collect();
        let p = Params::new([("MaxResults".to_owned(), "10".to_owned())]);
        let (page, max, next) = cbn_page(&p, &all).unwrap();
        assert_eq!((page.len(), max, next.as_str()), (10, 10, "10"));
        let p = Params::new([
            ("MaxResults".to_owned(), "10".to_owned()),
            ("NextToken".to_owned(), "20".to_owned()),
        ]);
        let (page, _, next) = cbn_page(&p, &all).unwrap();
        assert_eq!((page, next.as_str()), ((20..25).collect(), ""));
        let p = Params::new([("NextToken".to_owned(), "x".to_owned())]);
        assert!(cbn_page(&p, &all).is_err());
        let page = Page {
            number: 3,
            size: 10,
        };
        assert_eq!(page.slice(&all), (20..25).collect::<Vec<_>>());
    }
}
