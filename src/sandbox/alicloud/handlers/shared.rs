//! Pieces every handler shares: tags, `ClientToken`, time formats, the two paging styles.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::sandbox::alicloud::backend::model::{ClientToken, Tag};
use crate::sandbox::alicloud::error::AliError;
use crate::sandbox::alicloud::params::Params;
use crate::sandbox::alicloud::rules;

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

/// A filter parameter of a describe or list call, and the field of the object it names.
pub(crate) type FieldFilter<T> = (&'static str, fn(&T) -> &str);

/// The objects of `all` every field filter the call sent accepts (the field equals the value
/// sent), and every `Tag.N` pair when `tags` says where an object keeps its tags.
pub(crate) fn matching<T>(
    p: &Params,
    all: Vec<T>,
    fields: &[FieldFilter<T>],
    tags: Option<fn(&T) -> &[Tag]>,
) -> Result<Vec<T>, AliError> {
    let tag_filter = match tags {
        Some(_) => rules::tags(p, "Tag")?,
        None => Vec::new(),
    };
    Ok(all
        .into_iter()
        .filter(|o| {
            let sent = |(param, field): &FieldFilter<T>| p.get(param).is_none_or(|v| field(o) == v);
            fields.iter().all(sent)
        })
        .filter(|o| tags.is_none_or(|of| tags_match(of(o), &tag_filter)))
        .collect())
}

/// The call's `ClientToken` (checked), with the digest of what it asks.
pub(crate) fn client_token(p: &Params) -> Result<Option<ClientToken>, AliError> {
    Ok(rules::client_token(p)?.map(|token| ClientToken {
        token,
        fingerprint: p.fingerprint(),
    }))
}

/// `DryRun`, as a boolean.
pub(crate) fn dry_run(p: &Params) -> Result<bool, AliError> {
    Ok(p.bool("DryRun")?.unwrap_or(false))
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

    /// A Vpc list answer: the paging, `TotalCount`, and the page of `all` rendered as
    /// `{list: {item: [...]}}`.
    pub(crate) fn answer<T: Clone>(
        &self,
        all: &[T],
        (list, item): (&str, &str),
        render: impl Fn(&T) -> Result<Value, AliError>,
    ) -> Result<Value, AliError> {
        let items = self
            .slice(all)
            .iter()
            .map(render)
            .collect::<Result<Vec<_>, AliError>>()?;
        Ok(json!({
            "PageNumber": self.number,
            "PageSize": self.size,
            "TotalCount": all.len(),
            list: {item: items},
        }))
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

/// A Cbn list answer: `TotalCount`, `MaxResults`, `NextToken`, and under `key` the page of
/// `all`, rendered.
pub(crate) fn cbn_answer<T: Clone>(
    p: &Params,
    all: &[T],
    key: &str,
    render: impl Fn(&T) -> Value,
) -> Result<Value, AliError> {
    let (page, max, next) = cbn_page(p, all)?;
    let mut answer = json!({
        "TotalCount": all.len(),
        "MaxResults": max,
        "NextToken": next,
    });
    answer[key] = page.iter().map(render).collect();
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formats() {
        assert_eq!(minute_time(1_657_269_959_123), "2022-07-08T08:45Z");
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
