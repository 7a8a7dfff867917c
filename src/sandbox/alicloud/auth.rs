//! Alibaba Cloud request authentication, both dialects (docs/design/alicloud.md §7.3), checks in
//! this order (INFERRED order, §10.2):
//!
//! * ACS3 (`Authorization: ACS3-HMAC-SHA256 …`): parse → access key known (404
//!   `InvalidAccessKeyId.NotFound`) → signature over the `SignedHeaders` it lists, which must
//!   include [`acs3::REQUIRED_SIGNED_HEADERS`] (400 `SignatureDoesNotMatch`) → security token →
//!   `x-acs-date` format and ±15 min window → `x-acs-signature-nonce` unused.
//! * V1 (`Signature` parameter, HMAC-SHA1): the same with `AccessKeyId`, `SignatureMethod`,
//!   `SignatureVersion`, `SecurityToken`, `Timestamp`, `SignatureNonce`.
//!
//! Checking the signature before the nonce means a badly signed retry does not burn its nonce.

use axum::http::header;
use axum::http::request::Parts;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::error::{codes, AliError};
use crate::sandbox::nonces::NonceCache;
use crate::sandbox::signed;
use crate::signer::canonical::{constant_time_eq, header_value};
use crate::signer::{acs3, rpc_v1, Credentials, SignError};

/// Allowed distance between the request's timestamp and the sandbox clock, both directions
/// ("user time and server time differ by more than 15 minutes", docs/design/alicloud.md §6.2).
pub(crate) const MAX_CLOCK_SKEW: Duration = Duration::minutes(15);

const TIMESTAMP_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// What authentication needs from the configuration.
pub(crate) struct AuthConfig<'a> {
    pub credentials: &'a Credentials,
    /// The one STS token accepted; `None`: requests carrying a token are refused.
    pub security_token: Option<&'a str>,
}

fn signature_mismatch(detail: &str) -> AliError {
    AliError::bad(
        codes::SIGNATURE_MISMATCH,
        format!("Specified signature is not matched with our calculation.{detail}"),
    )
}

fn access_key_not_found() -> AliError {
    AliError::not_found(
        codes::ACCESS_KEY_NOT_FOUND,
        "Specified access key is not found.",
    )
}

fn check_timestamp(value: &str, now: OffsetDateTime) -> Result<(), AliError> {
    let sent = PrimitiveDateTime::parse(value, TIMESTAMP_FORMAT)
        .map_err(|_| {
            AliError::bad(
                codes::TIMESTAMP_FORMAT,
                format!(
                    "Specified time stamp or date value is not well formatted: {value:?} \
                     (expected yyyy-MM-ddTHH:mm:ssZ, UTC)."
                ),
            )
        })?
        .assume_utc();
    let skew = (now - sent).abs();
    if skew > MAX_CLOCK_SKEW {
        return Err(AliError::bad(
            codes::TIMESTAMP_EXPIRED,
            format!(
                "Specified time stamp or date value is expired: {value} is {} s away from the \
                 server clock, at most {} s allowed.",
                skew.whole_seconds(),
                MAX_CLOCK_SKEW.whole_seconds()
            ),
        ));
    }
    Ok(())
}

fn check_nonce(
    nonces: &NonceCache,
    access_key: &str,
    nonce: &str,
    now: OffsetDateTime,
) -> Result<(), AliError> {
    if nonces.check_and_record(access_key, nonce, now) {
        Ok(())
    } else {
        Err(AliError::bad(
            codes::NONCE_USED,
            "Specified signature nonce was used already.",
        ))
    }
}

fn check_security_token(config: &AuthConfig<'_>, sent: Option<&str>) -> Result<(), AliError> {
    let Some(sent) = sent else {
        return Ok(());
    };
    match config.security_token {
        Some(expected) if constant_time_eq(sent, expected) => Ok(()),
        _ => Err(AliError::bad(
            codes::SECURITY_TOKEN_MALFORMED,
            "Specified SecurityToken is malformed (the sandbox accepts only the token it was \
             configured with).",
        )),
    }
}

/// Accepts the request (recording its nonce) or says why not.
pub(crate) fn authenticate(
    config: &AuthConfig<'_>,
    nonces: &NonceCache,
    parts: &Parts,
    body: &[u8],
    params: &[(String, String)],
    now: OffsetDateTime,
) -> Result<(), AliError> {
    if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
        let authorization = authorization.to_str().map_err(|_| {
            AliError::bad(
                codes::INCOMPLETE_SIGNATURE,
                "Authorization header is not ASCII.",
            )
        })?;
        return authenticate_v3(config, nonces, parts, body, authorization, now);
    }
    if params.iter().any(|(k, _)| k == rpc_v1::SIGNATURE_PARAM) {
        return authenticate_v1(config, nonces, parts.method.as_str(), params, now);
    }
    Err(AliError::bad(
        codes::MISSING_SIGNATURE,
        "The request is not signed: send Authorization (ACS3-HMAC-SHA256) or the Signature \
         parameter (HMAC-SHA1).",
    ))
}

fn authenticate_v3(
    config: &AuthConfig<'_>,
    nonces: &NonceCache,
    parts: &Parts,
    body: &[u8],
    authorization: &str,
    now: OffsetDateTime,
) -> Result<(), AliError> {
    let algorithm = authorization.trim().split(' ').next().unwrap_or_default();
    if algorithm != acs3::ALGORITHM {
        return Err(AliError::bad(
            codes::INVALID_SIGNATURE_METHOD,
            format!(
                "Specified signature method is not valid: {algorithm:?} (the sandbox accepts {} \
                 and HMAC-SHA1 signature V1).",
                acs3::ALGORITHM
            ),
        ));
    }
    let parsed = acs3::parse_authorization(authorization).map_err(|e| {
        AliError::bad(
            codes::INCOMPLETE_SIGNATURE,
            format!("The request signature does not conform to Aliyun standards: {e}."),
        )
    })?;
    if parsed.access_key_id != config.credentials.access_key_id() {
        return Err(access_key_not_found());
    }

    let headers = signed::headers(parts);
    let request = signed::request(parts, &headers, body);
    if let Err(e) = acs3::verify(&request, &parsed, config.credentials) {
        tracing::warn!(reason = %e, "Alibaba Cloud request rejected: signature");
        // The server's string to sign helps whoever debugs a client (§7.3).
        let detail = match e {
            SignError::SignatureMismatch => acs3::canonical_request(
                &request,
                &parsed
                    .signed_headers
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            )
            .map(|canonical| {
                let signed = acs3::sign_canonical_request(canonical, config.credentials, "");
                format!(" server string to sign is:{}", signed.string_to_sign)
            })
            .unwrap_or_default(),
            other => format!(" ({other})"),
        };
        return Err(signature_mismatch(&detail));
    }

    let token = header_value(&headers, acs3::SECURITY_TOKEN_HEADER);
    if token.is_some()
        && !parsed
            .signed_headers
            .iter()
            .any(|h| h == acs3::SECURITY_TOKEN_HEADER)
    {
        return Err(signature_mismatch(&format!(
            " ({} must be signed)",
            acs3::SECURITY_TOKEN_HEADER
        )));
    }
    check_security_token(config, token)?;

    // Both are signed headers, so present once verification passed.
    let date = header_value(&headers, acs3::DATE_HEADER).unwrap_or_default();
    check_timestamp(date, now)?;
    let nonce = header_value(&headers, acs3::NONCE_HEADER).unwrap_or_default();
    check_nonce(nonces, &parsed.access_key_id, nonce, now)
}

fn authenticate_v1(
    config: &AuthConfig<'_>,
    nonces: &NonceCache,
    method: &str,
    params: &[(String, String)],
    now: OffsetDateTime,
) -> Result<(), AliError> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| param(name).ok_or_else(|| AliError::missing(name));

    let access_key = required(rpc_v1::ACCESS_KEY_ID_PARAM)?;
    if access_key != config.credentials.access_key_id() {
        return Err(access_key_not_found());
    }
    let method_param = required(rpc_v1::SIGNATURE_METHOD_PARAM)?;
    if method_param != rpc_v1::SIGNATURE_METHOD {
        return Err(AliError::bad(
            codes::INVALID_SIGNATURE_METHOD,
            format!("Specified signature method is not valid: {method_param:?}."),
        ));
    }
    let version = required(rpc_v1::SIGNATURE_VERSION_PARAM)?;
    if version != rpc_v1::SIGNATURE_VERSION {
        return Err(AliError::invalid(
            rpc_v1::SIGNATURE_VERSION_PARAM,
            format!("{version:?}, expected {}", rpc_v1::SIGNATURE_VERSION),
        ));
    }
    if let Err(e) = rpc_v1::verify(method, params, config.credentials) {
        tracing::warn!(reason = %e, "Alibaba Cloud request rejected: V1 signature");
        // The exact prefix the official Go SDK parses (§7.2).
        let string_to_sign = rpc_v1::string_to_sign(method, params);
        return Err(signature_mismatch(&format!(
            " server string to sign is:{string_to_sign}"
        )));
    }
    check_security_token(config, param(rpc_v1::SECURITY_TOKEN_PARAM))?;
    check_timestamp(required(rpc_v1::TIMESTAMP_PARAM)?, now)?;
    let nonce = required(rpc_v1::SIGNATURE_NONCE_PARAM)?;
    check_nonce(nonces, access_key, nonce, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let now = time::macros::datetime!(2026-11-25 19:55:30 UTC);
        check_timestamp("2026-11-25T19:55:30Z", now).unwrap();
        check_timestamp("2026-11-25T20:10:00Z", now).unwrap();
        assert_eq!(
            check_timestamp("2026-11-25T20:11:00Z", now)
                .unwrap_err()
                .code,
            "InvalidTimeStamp.Expired"
        );
        assert_eq!(
            check_timestamp("2026-11-25T19:39:00Z", now)
                .unwrap_err()
                .code,
            "InvalidTimeStamp.Expired"
        );
        for bad in [
            "2026-11-25 19:55:30",
            "20261125T195530Z",
            "",
            "2026-11-25T19:55:30+08:00",
        ] {
            assert_eq!(
                check_timestamp(bad, now).unwrap_err().code,
                "InvalidTimeStamp.Format",
                "{bad}"
            );
        }
    }
}
