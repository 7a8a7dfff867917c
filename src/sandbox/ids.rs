//! Identifier, request-id and timestamp formats. The id formats are INFERRED (JD Cloud ids look
//! like `<prefix>-<8–10 lowercase alnum>`, docs/design/jdcloud.md §8.5); change them here and
//! nowhere else.

use rand::Rng;
use time::{OffsetDateTime, UtcOffset};

use super::store::{Kind, StoreError, Tx};

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of the random part of a resource id.
const RESOURCE_ID_SUFFIX_LEN: usize = 8;

fn lower_alnum(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(LOWER_ALNUM[rng.random_range(0..LOWER_ALNUM.len())]))
        .collect()
}

/// A fresh id `<prefix>-<8 lowercase alnum>` not used by any stored resource.
pub(crate) fn resource_id(tx: &Tx<'_>, kind: Kind) -> Result<String, StoreError> {
    loop {
        let id = format!("{}-{}", kind.id_prefix, lower_alnum(RESOURCE_ID_SUFFIX_LEN));
        if !tx.id_exists(&id)? {
            return Ok(id);
        }
    }
}

/// JD Cloud request id: 32 lowercase alphanumerics (docs/design/jdcloud.md §1).
pub(crate) fn jdcloud_request_id() -> String {
    lower_alnum(32)
}

/// Alibaba Cloud request id: an upper-case UUID (shape of the documented examples).
pub(crate) fn alicloud_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// ISO 8601 UTC with seconds, `YYYY-MM-DDTHH:MM:SSZ` (JD Cloud's `Charge` times use it; the VPN
/// objects' time format is not published, docs/design/jdcloud.md §4).
pub(crate) fn iso8601(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// ISO 8601 UTC with milliseconds, `YYYY-MM-DDTHH:MM:SS.mmmZ` (`/_sandbox/clock`).
pub(crate) fn iso8601_ms(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{}.{:03}Z", &iso8601(t)[..19], t.millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let rid = jdcloud_request_id();
        assert_eq!(rid.len(), 32);
        assert!(rid.bytes().all(|b| LOWER_ALNUM.contains(&b)));
        assert_eq!(alicloud_request_id().len(), 36);
        let t = time::macros::datetime!(2024-03-05 07:08:09 +08:00);
        assert_eq!(iso8601(t), "2024-03-04T23:08:09Z");
        let t = time::macros::datetime!(2024-03-05 07:08:09.012 UTC);
        assert_eq!(iso8601_ms(t), "2024-03-05T07:08:09.012Z");
    }
}
