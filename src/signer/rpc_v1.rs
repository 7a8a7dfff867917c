//! Alibaba Cloud RPC signature V1, `HMAC-SHA1` over the sorted request parameters
//! (docs/design/alicloud.md §7.2). terraform-provider-alicloud and the Python SDK
//! with `signature_algorithm='v2'` sign this way.
//!
//! ```text
//! Canonicalized = sorted (query ∪ form body) minus Signature: enc(name)=enc(value) joined by "&"
//! StringToSign  = METHOD "&" enc("/") "&" enc(Canonicalized)
//! Signature     = Base64(HMAC-SHA1(secret + "&", StringToSign))
//! ```
//!
//! `enc` is the RFC 3986 encoder shared with ACS3 (space `%20`, `*` `%2A`, `~` kept). Parameter
//! values are the DECODED values (`+` on the wire is a space): decode first, then sign.
//! Headers are not signed in V1.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::canonical::{check_signature, constant_time_eq, encode_rfc3986};
use super::{Credentials, SignError};

/// Value of `SignatureMethod`.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// Value of `SignatureVersion`.
pub const SIGNATURE_VERSION: &str = "1.0";

/// The signature itself; excluded from the signed set.
pub const SIGNATURE_PARAM: &str = "Signature";
pub const ACCESS_KEY_ID_PARAM: &str = "AccessKeyId";
pub const SIGNATURE_METHOD_PARAM: &str = "SignatureMethod";
pub const SIGNATURE_VERSION_PARAM: &str = "SignatureVersion";
pub const SIGNATURE_NONCE_PARAM: &str = "SignatureNonce";
/// UTC `yyyy-MM-ddTHH:mm:ssZ`.
pub const TIMESTAMP_PARAM: &str = "Timestamp";
pub const SECURITY_TOKEN_PARAM: &str = "SecurityToken";

/// The common parameters of the V1 dialect (docs/design/alicloud.md §7.2); not API parameters.
pub const COMMON_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    ACCESS_KEY_ID_PARAM,
    SIGNATURE_METHOD_PARAM,
    SIGNATURE_VERSION_PARAM,
    SIGNATURE_NONCE_PARAM,
    TIMESTAMP_PARAM,
    SECURITY_TOKEN_PARAM,
    SIGNATURE_PARAM,
];

/// Result of signing; the intermediate strings are returned for logging and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedV1 {
    pub canonicalized_query: String,
    pub string_to_sign: String,
    /// Standard base64 with padding (28 characters); URL-encode it when sending.
    pub signature: String,
}

/// `enc(name)=enc(value)` for every parameter except `Signature`, sorted by name (raw, byte
/// order, as the SDKs sort their maps), then by value for a repeated name, joined by `&`.
/// Empty values are kept as `name=` (the Python SDK does; the Java one drops them).
pub fn canonicalized_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, _)| *k != SIGNATURE_PARAM)
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_rfc3986(k), encode_rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD&%2F&enc(canonicalized)`. The method is used as given (the SDKs send it upper-case;
/// one official vector signs with an empty method).
pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(method: &str, params: &[(K, V)]) -> String {
    format!(
        "{method}&{}&{}",
        encode_rfc3986("/"),
        encode_rfc3986(&canonicalized_query(params))
    )
}

/// `Base64(HMAC-SHA1(secret + "&", string_to_sign))`.
pub fn signature_of(secret: &str, string_to_sign: &str) -> String {
    let key = format!("{secret}&");
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA1 accepts any key length"),
    };
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs `params` (the complete set: common parameters included, `Signature` ignored if present).
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    params: &[(K, V)],
    credentials: &Credentials,
) -> SignedV1 {
    let canonicalized_query = canonicalized_query(params);
    let string_to_sign = format!(
        "{method}&{}&{}",
        encode_rfc3986("/"),
        encode_rfc3986(&canonicalized_query)
    );
    let signature = signature_of(credentials.secret(), &string_to_sign);
    SignedV1 {
        canonicalized_query,
        string_to_sign,
        signature,
    }
}

fn param<'p, K: AsRef<str>, V: AsRef<str>>(params: &'p [(K, V)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k.as_ref() == name)
        .map(|(_, v)| v.as_ref())
}

/// Server side: `AccessKeyId` must be the credentials' key, `SignatureMethod` `HMAC-SHA1`,
/// `SignatureVersion` `1.0`; with temporary credentials `SecurityToken` must carry their token.
/// Then the signature is recomputed over `params` (decoded values, query and form body merged)
/// and compared in constant time. Timestamp window and nonce replay are the caller's job.
pub fn verify<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    params: &[(K, V)],
    credentials: &Credentials,
) -> Result<(), SignError> {
    let malformed = |m: &str| SignError::MalformedAuthorization(m.to_owned());
    let signature = param(params, SIGNATURE_PARAM).ok_or_else(|| malformed("missing Signature"))?;
    if param(params, ACCESS_KEY_ID_PARAM) != Some(credentials.access_key_id()) {
        return Err(SignError::AccessKeyMismatch);
    }
    if param(params, SIGNATURE_METHOD_PARAM) != Some(SIGNATURE_METHOD) {
        return Err(malformed("SignatureMethod must be HMAC-SHA1"));
    }
    if param(params, SIGNATURE_VERSION_PARAM) != Some(SIGNATURE_VERSION) {
        return Err(malformed("SignatureVersion must be 1.0"));
    }
    if let Some(token) = credentials.security_token() {
        match param(params, SECURITY_TOKEN_PARAM) {
            Some(sent) if constant_time_eq(sent, token) => {}
            Some(_) => {
                return Err(SignError::SecurityToken(
                    "SecurityToken does not carry the credentials' token".to_owned(),
                ))
            }
            None => {
                return Err(SignError::SecurityToken(
                    "temporary credentials require the SecurityToken parameter".to_owned(),
                ))
            }
        }
    }
    check_signature(&sign(method, params, credentials).signature, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The docs' DescribeRegions example: GET, POST and the older `TimeStamp` spelling.
    fn describe_regions(timestamp_key: &str) -> Vec<(String, String)> {
        pairs(&[
            (timestamp_key, "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ])
    }

    /// The docs' DescribeRegions example signed with `method`, its time under `timestamp`.
    fn docs_example(method: &str, timestamp: &str) -> SignedV1 {
        sign(
            method,
            &describe_regions(timestamp),
            &Credentials::new("testid", "testsecret"),
        )
    }

    /// The docs' string to sign for a GET, its time under `timestamp`.
    fn docs_string_to_sign(timestamp: &str) -> String {
        format!(
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26{timestamp}%3D2016-02-23T12%253A46%253A24Z\
             %26Version%3D2014-05-26"
        )
    }

    #[test]
    fn v1_a_docs_get() {
        let signed = docs_example("GET", "Timestamp");
        assert_eq!(
            signed.canonicalized_query,
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
        );
        assert_eq!(signed.string_to_sign, docs_string_to_sign("Timestamp"));
        assert_eq!(signed.signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn v1_b_same_params_post() {
        let signed = docs_example("POST", "Timestamp");
        assert!(signed
            .string_to_sign
            .starts_with("POST&%2F&AccessKeyId%3Dtestid"));
        assert_eq!(signed.signature, "MxbnVAM4w6sft9xjVpe/GCKueuk=");
    }

    #[test]
    fn v1_c_timestamp_spelled_timestamp() {
        let signed = docs_example("GET", "TimeStamp");
        assert_eq!(signed.string_to_sign, docs_string_to_sign("TimeStamp"));
        assert_eq!(signed.signature, "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
    }

    #[test]
    fn v1_d_openapi_util_python_java() {
        let params = pairs(&[("query", "test"), ("body", "test")]);
        let signed = sign("GET", &params, &Credentials::new("ak", "secret"));
        assert_eq!(signed.string_to_sign, "GET&%2F&body%3Dtest%26query%3Dtest");
        assert_eq!(signed.signature, "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
    }

    #[test]
    fn v1_e_openapi_util_go_ts_empty_method() {
        let params = pairs(&[("test", "ok")]);
        assert_eq!(string_to_sign("", &params), "&%2F&test%3Dok");
        assert_eq!(
            signature_of("accessKeySecret", "&%2F&test%3Dok"),
            "jHx/oHoHNrbVfhncHEvPdHXZwHU="
        );
    }

    /// What the real Python SDK sent with `signature_algorithm='v2'` (docs/design/alicloud.md
    /// §7.4).
    fn capture_b() -> Vec<(String, String)> {
        pairs(&[
            ("Action", "CreateCustomerGateway"),
            ("Format", "json"),
            ("Version", "2016-04-28"),
            ("Timestamp", "2026-11-25T19:55:33Z"),
            ("SignatureNonce", "1e346f7f45c94fdebd35f9248979b2f4"),
            ("Asn", "65000"),
            ("Description", "desc with space"),
            ("IpAddress", "1.1.1.1"),
            ("Name", "my gw*~+/"),
            ("RegionId", "cn-hangzhou"),
            ("Tags.1.Key", "k1"),
            ("Tags.1.Value", "v 1"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", "sandbox-ak"),
            ("Signature", "1flRFAmbPK9u+jQCkotfCHyEBzQ="),
        ])
    }

    #[test]
    fn v1_f_real_python_sdk_request() {
        let params = capture_b();
        let creds = Credentials::new("sandbox-ak", "sandbox-sk");
        let signed = sign("POST", &params, &creds);
        assert_eq!(
            signed.canonicalized_query,
            "AccessKeyId=sandbox-ak&Action=CreateCustomerGateway&Asn=65000\
             &Description=desc%20with%20space&Format=json&IpAddress=1.1.1.1\
             &Name=my%20gw%2A~%2B%2F&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=1e346f7f45c94fdebd35f9248979b2f4&SignatureVersion=1.0\
             &Tags.1.Key=k1&Tags.1.Value=v%201&Timestamp=2026-11-25T19%3A55%3A33Z\
             &Version=2016-04-28"
        );
        assert_eq!(
            signed.string_to_sign,
            "POST&%2F&AccessKeyId%3Dsandbox-ak%26Action%3DCreateCustomerGateway%26Asn%3D65000\
             %26Description%3Ddesc%2520with%2520space%26Format%3Djson%26IpAddress%3D1.1.1.1\
             %26Name%3Dmy%2520gw%252A~%252B%252F%26RegionId%3Dcn-hangzhou\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D1e346f7f45c94fdebd35f9248979b2f4\
             %26SignatureVersion%3D1.0%26Tags.1.Key%3Dk1%26Tags.1.Value%3Dv%25201\
             %26Timestamp%3D2026-11-25T19%253A55%253A33Z%26Version%3D2016-04-28"
        );
        assert_eq!(signed.signature, "1flRFAmbPK9u+jQCkotfCHyEBzQ=");
        verify("POST", &params, &creds).unwrap();
    }

    #[test]
    fn verify_rejections() {
        let creds = Credentials::new("sandbox-ak", "sandbox-sk");
        let params = capture_b();
        let with = |name: &str, value: Option<&str>| {
            let mut p: Vec<(String, String)> =
                params.iter().filter(|(k, _)| k != name).cloned().collect();
            if let Some(v) = value {
                p.push((name.to_owned(), v.to_owned()));
            }
            p
        };
        // One changed value, method, or secret.
        assert_eq!(
            verify("POST", &with("IpAddress", Some("1.1.1.2")), &creds),
            Err(SignError::SignatureMismatch)
        );
        assert_eq!(
            verify("GET", &params, &creds),
            Err(SignError::SignatureMismatch)
        );
        assert_eq!(
            verify("POST", &params, &Credentials::new("sandbox-ak", "other")),
            Err(SignError::SignatureMismatch)
        );
        // An extra parameter (e.g. from the form body) is covered too.
        assert_eq!(
            verify("POST", &with("Extra", Some("1")), &creds),
            Err(SignError::SignatureMismatch)
        );
        assert_eq!(
            verify("POST", &params, &Credentials::new("someone", "sandbox-sk")),
            Err(SignError::AccessKeyMismatch)
        );
        for (name, value) in [
            ("Signature", None),
            ("SignatureMethod", Some("HMAC-SHA256")),
            ("SignatureVersion", Some("2.0")),
        ] {
            assert!(
                matches!(
                    verify("POST", &with(name, value), &creds),
                    Err(SignError::MalformedAuthorization(_))
                ),
                "{name}"
            );
        }
        let sts = creds.clone().with_security_token("tok");
        assert!(matches!(
            verify("POST", &params, &sts),
            Err(SignError::SecurityToken(_))
        ));
        let mut p = with("SecurityToken", Some("tok"));
        p.retain(|(k, _)| k != "Signature");
        let signed = sign("POST", &p, &sts);
        p.push(("Signature".to_owned(), signed.signature));
        verify("POST", &p, &sts).unwrap();
        let mut wrong = p.clone();
        wrong.retain(|(k, _)| k != "SecurityToken");
        wrong.push(("SecurityToken".to_owned(), "other".to_owned()));
        assert!(matches!(
            verify("POST", &wrong, &sts),
            Err(SignError::SecurityToken(_))
        ));
    }

    #[test]
    fn sorting_is_by_raw_name_then_value() {
        // `Tags.10` sorts before `Tags.2` (string order), repeated names by value.
        let params = pairs(&[("Tags.2", "b"), ("Tags.10", "a"), ("K", "2"), ("K", "1")]);
        assert_eq!(canonicalized_query(&params), "K=1&K=2&Tags.10=a&Tags.2=b");
    }
}
