//! Terraform values: known, null or unknown, with their cty types, and the
//! msgpack / JSON codecs Terraform uses on the wire.
//!
//! Decoding is type-directed (msgpack maps carry no types of their own) and
//! lenient where Terraform is: numbers arrive as ints, floats or decimal
//! strings, and any msgpack extension means "unknown" (Terraform >= 1.6 sends
//! refined unknowns as extension 0x0c). Encoding emits only what Terraform
//! 1.0 understands: unknown is always `d4 00 00`.

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

use super::path::{AttrPath, Step};

/// A cty type. `dynamic` is deliberately absent: no schema here needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }
    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// The cty type JSON Terraform expects in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::String => J::from("string"),
            Type::Number => J::from("number"),
            Type::Bool => J::from("bool"),
            Type::List(e) => J::Array(vec![J::from("list"), e.to_json()]),
            Type::Set(e) => J::Array(vec![J::from("set"), e.to_json()]),
            Type::Map(e) => J::Array(vec![J::from("map"), e.to_json()]),
            Type::Object(attrs) => J::Array(vec![
                J::from("object"),
                J::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ]),
        }
    }
}

/// A Terraform number. Kept as canonical decimal text so that arbitrary
/// precision survives a round trip; most attributes read it as `i64`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Number(String);

impl Number {
    pub fn from_i64(n: i64) -> Number {
        Number(n.to_string())
    }
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
            // Integral floats are integers to Terraform: 2.0 and 2 compare equal.
            return Some(Number((f as i64).to_string()));
        }
        Some(Number(format!("{f}")))
    }
    /// Parses a decimal string as Terraform sends it for numbers that are
    /// neither int64 nor exact float64. Any size is accepted (Terraform's
    /// numbers are arbitrary-precision: `1e400` arrives as a 401-digit
    /// string), so that a value too large for its attribute reaches the
    /// attribute's validator, which names the attribute, instead of failing
    /// to decode. Only plain decimal syntax: no `inf`, `NaN` or hex.
    pub fn parse(s: &str) -> Option<Number> {
        let t = s.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Some(Number::from_i64(i));
        }
        let (sign, body) = match t.as_bytes().first()? {
            b'-' => ("-", &t[1..]),
            b'+' => ("", &t[1..]),
            _ => ("", t),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return None;
        }
        if let Some(e) = exponent {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            if e.is_empty() || !digits(e) {
                return None;
            }
            return Some(Number(format!("{sign}{}", body.to_ascii_lowercase())));
        }
        // Canonical text: no leading zeros, no trailing fractional zeros,
        // so equal numbers compare equal ("1.50" = "1.5", ".5" = "0.5").
        let int = match int.trim_start_matches('0') {
            "" => "0",
            i => i,
        };
        let frac = frac.trim_end_matches('0');
        let text = if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        };
        Some(Number(if text == "-0" { "0".to_string() } else { text }))
    }
    /// The number for a message: its text, or for a huge one (Terraform
    /// sends `1e400` as 401 digits) its first digits and its length.
    pub fn display_short(&self) -> String {
        const MAX: usize = 24;
        if self.0.len() <= MAX {
            return self.0.clone();
        }
        let head: String = self.0.chars().take(12).collect();
        format!("{head}… ({} characters)", self.0.len())
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse().ok()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value as Terraform sees it. Collections hold values of one type; objects
/// hold exactly the attributes of their type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// Not known until apply.
    Unknown,
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn int(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    /// Attribute of an object; `Null` for anything else, so lookups chain.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Semantic equality: sets compare without order.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.equals(y)))
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| x.equals(y)))
            }
            _ => self == other,
        }
    }

    /// Converts to JSON for typed state (see `framework::typed`). Unknown
    /// becomes null: typed code only ever sees values it may act on.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Unknown | Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => {
                serde_json::from_str::<J>(n.as_str()).unwrap_or_else(|_| J::String(n.to_string()))
            }
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) => J::Array(v.iter().map(Value::to_json).collect()),
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// Builds a value of type `ty` from JSON. Missing object attributes and
    /// JSON null become `Null`.
    pub fn from_json(json: &serde_json::Value, ty: &Type) -> Result<Value, DecodeError> {
        use serde_json::Value as J;
        Ok(match (ty, json) {
            (_, J::Null) => Value::Null,
            (Type::String, J::String(s)) => Value::String(s.clone()),
            // Terraform's own JSON state encodes every primitive faithfully, but
            // be lenient like cty's JSON decoder for numbers-as-strings.
            (Type::String, J::Number(n)) => Value::String(n.to_string()),
            (Type::String, J::Bool(b)) => Value::String(b.to_string()),
            (Type::Number, J::Number(n)) => Value::Number(
                Number::parse(&n.to_string()).ok_or_else(|| DecodeError::new("invalid number"))?,
            ),
            (Type::Number, J::String(s)) => Value::Number(
                Number::parse(s)
                    .ok_or_else(|| DecodeError::new("a string that is not a decimal number"))?,
            ),
            (Type::Bool, J::Bool(b)) => Value::Bool(*b),
            (Type::Bool, J::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
            (Type::List(e), J::Array(a)) => Value::List(elements(a, |x| Value::from_json(x, e))?),
            (Type::Set(e), J::Array(a)) => Value::Set(elements(a, |x| Value::from_json(x, e))?),
            (Type::Map(e), J::Object(o)) => Value::Map(
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), Value::from_json(x, e).map_err(|e| e.at_key(k))?)))
                    .collect::<Result<_, DecodeError>>()?,
            ),
            (Type::Object(attrs), J::Object(o)) => Value::Object(
                attrs
                    .iter()
                    .map(|(k, t)| {
                        let v = match o.get(k) {
                            Some(x) => Value::from_json(x, t).map_err(|e| e.at(k))?,
                            None => Value::Null,
                        };
                        Ok((k.clone(), v))
                    })
                    .collect::<Result<_, DecodeError>>()?,
            ),
            (t, j) => {
                return Err(DecodeError::new(format!(
                    "JSON {} does not fit type {}",
                    json_kind(j),
                    t.to_json()
                )))
            }
        })
    }
}

fn json_kind(j: &serde_json::Value) -> &'static str {
    match j {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Malformed or ill-typed input from Terraform. Never a panic: the adapter
/// turns it into an error diagnostic pointing at `path`.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{message}{}", if path.is_root() { String::new() } else { format!(" at {path}") })]
pub struct DecodeError {
    pub message: String,
    /// Where in the value the problem is (root when it is the whole value).
    pub path: AttrPath,
}

impl DecodeError {
    pub fn new(message: impl Into<String>) -> DecodeError {
        DecodeError {
            message: message.into(),
            path: AttrPath::root(),
        }
    }
    /// Prefixes the path with one step, as the error travels outwards.
    fn within(mut self, step: Step) -> DecodeError {
        self.path.0.insert(0, step);
        self
    }
    fn at(self, name: &str) -> DecodeError {
        self.within(Step::Attr(name.to_string()))
    }
    fn at_index(self, i: usize) -> DecodeError {
        self.within(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)))
    }
    fn at_key(self, k: &str) -> DecodeError {
        self.within(Step::Key(k.to_string()))
    }
}

/// Decodes every element of a collection, naming the element that fails.
fn elements<T>(
    items: &[T],
    decode: impl Fn(&T) -> Result<Value, DecodeError>,
) -> Result<Vec<Value>, DecodeError> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| decode(x).map_err(|e| e.at_index(i)))
        .collect()
}

/// msgpack, as in Terraform's object wire format.
pub mod msgpack {
    use super::*;
    use rmpv::Value as M;

    /// Decodes `bytes` as a value of `ty`. Empty input is a null value.
    pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut rd = bytes;
        let m = rmpv::decode::read_value(&mut rd)
            .map_err(|e| DecodeError::new(format!("malformed msgpack: {e}")))?;
        if !rd.is_empty() {
            return Err(DecodeError::new("trailing bytes after msgpack value"));
        }
        from_msgpack(&m, ty)
    }

    fn from_msgpack(m: &M, ty: &Type) -> Result<Value, DecodeError> {
        Ok(match (ty, m) {
            (_, M::Nil) => Value::Null,
            (_, M::Ext(_, _)) => Value::Unknown,
            (Type::String, M::String(s)) => Value::String(
                s.as_str()
                    .ok_or_else(|| DecodeError::new("string is not UTF-8"))?
                    .to_string(),
            ),
            (Type::Number, M::Integer(i)) => Value::Number(match (i.as_i64(), i.as_u64()) {
                (Some(n), _) => Number::from_i64(n),
                (None, Some(u)) => Number(u.to_string()),
                _ => return Err(DecodeError::new("integer out of range")),
            }),
            (Type::Number, M::F64(f)) => Value::Number(
                Number::from_f64(*f).ok_or_else(|| DecodeError::new("number is not finite"))?,
            ),
            (Type::Number, M::F32(f)) => Value::Number(
                Number::from_f64(f64::from(*f))
                    .ok_or_else(|| DecodeError::new("number is not finite"))?,
            ),
            (Type::Number, M::String(s)) => {
                let text = s.as_str().unwrap_or_default();
                Value::Number(
                    Number::parse(text)
                        .ok_or_else(|| DecodeError::new("a string that is not a decimal number"))?,
                )
            }
            (Type::Bool, M::Boolean(b)) => Value::Bool(*b),
            (Type::List(e), M::Array(a)) => Value::List(elements(a, |x| from_msgpack(x, e))?),
            (Type::Set(e), M::Array(a)) => Value::Set(elements(a, |x| from_msgpack(x, e))?),
            (Type::Map(e), M::Map(kv)) => Value::Map(
                kv.iter()
                    .map(|(k, v)| {
                        let key = k
                            .as_str()
                            .ok_or_else(|| DecodeError::new("map key is not a string"))?;
                        Ok((
                            key.to_string(),
                            from_msgpack(v, e).map_err(|e| e.at_key(key))?,
                        ))
                    })
                    .collect::<Result<_, DecodeError>>()?,
            ),
            (Type::Object(attrs), M::Map(kv)) => {
                let mut out = BTreeMap::new();
                for (k, v) in kv {
                    let key = k
                        .as_str()
                        .ok_or_else(|| DecodeError::new("object key is not a string"))?;
                    let t = attrs.get(key).ok_or_else(|| {
                        DecodeError::new(format!("unsupported attribute {key:?}"))
                    })?;
                    out.insert(key.to_string(), from_msgpack(v, t).map_err(|e| e.at(key))?);
                }
                if out.len() != attrs.len() {
                    let missing: Vec<&str> = attrs
                        .keys()
                        .filter(|k| !out.contains_key(*k))
                        .map(String::as_str)
                        .collect();
                    return Err(DecodeError::new(format!(
                        "object is missing attributes {}",
                        missing.join(", ")
                    )));
                }
                Value::Object(out)
            }
            (t, other) => {
                return Err(DecodeError::new(format!(
                    "msgpack {} does not fit type {}",
                    kind(other),
                    t.to_json()
                )))
            }
        })
    }

    fn kind(m: &M) -> &'static str {
        match m {
            M::Nil => "nil",
            M::Boolean(_) => "bool",
            M::Integer(_) => "integer",
            M::F32(_) | M::F64(_) => "float",
            M::String(_) => "string",
            M::Binary(_) => "binary",
            M::Array(_) => "array",
            M::Map(_) => "map",
            M::Ext(_, _) => "extension",
        }
    }

    /// Encodes a value. Object keys come out sorted, as Terraform writes them.
    pub fn encode(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = rmpv::encode::write_value(&mut out, &to_msgpack(v));
        out
    }

    /// `Some(f)` when the decimal `s` is exactly representable as float64.
    fn exact_f64(s: &str) -> Option<f64> {
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = unsigned.split_once('.')?;
        if int.is_empty()
            || frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || frac.len() > 27
        {
            return None;
        }
        let digits: u128 = format!("{int}{frac}").parse().ok()?;
        // digits / 10^e = (digits / 5^e) / 2^e: exact iff 5^e divides digits
        // and the quotient fits float64's 53-bit mantissa.
        let five_e = 5u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        if digits % five_e != 0 || digits / five_e >= 1u128 << 53 {
            return None;
        }
        s.parse().ok()
    }

    fn to_msgpack(v: &Value) -> M {
        match v {
            Value::Unknown => M::Ext(0, vec![0]),
            Value::Null => M::Nil,
            Value::Bool(b) => M::Boolean(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    M::from(i)
                } else if let Ok(u) = n.as_str().parse::<u64>() {
                    M::from(u)
                } else {
                    // Exact binary fractions go as float64, anything else as
                    // decimal text (as go-cty does), so 0.1 stays 0.1.
                    match exact_f64(n.as_str()) {
                        Some(f) => M::F64(f),
                        None => M::String(n.as_str().into()),
                    }
                }
            }
            Value::String(s) => M::String(s.as_str().into()),
            Value::List(a) | Value::Set(a) => M::Array(a.iter().map(to_msgpack).collect()),
            Value::Map(m) | Value::Object(m) => M::Map(
                m.iter()
                    .map(|(k, v)| (M::String(k.as_str().into()), to_msgpack(v)))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::framework::testing::object as obj;

    #[test]
    fn decodes_every_number_form_terraform_sends() {
        // Bytes observed from Terraform 1.0.3 for [1, 1.5, 12345678901234567890123, -7, 0.1].
        let mut bytes = vec![0x95, 0x01, 0xcb];
        bytes.extend_from_slice(&1.5f64.to_be_bytes());
        bytes.push(0xb7);
        bytes.extend_from_slice(b"12345678901234567890123");
        bytes.push(0xf9);
        bytes.extend_from_slice(&[0xa3, b'0', b'.', b'1']);
        let v = msgpack::decode(&bytes, &Type::list(Type::Number)).unwrap();
        let texts: Vec<String> = v
            .as_list()
            .unwrap()
            .iter()
            .map(|n| n.to_json().to_string())
            .collect();
        assert_eq!(texts, ["1", "1.5", "12345678901234567890123", "-7", "0.1"]);
        // And they round-trip to the same forms.
        assert_eq!(msgpack::encode(&v), bytes);
    }

    #[test]
    fn any_extension_is_unknown_and_unknown_encodes_as_fixext1() {
        let ty = Type::String;
        assert_eq!(
            msgpack::decode(&[0xd4, 0x00, 0x00], &ty).unwrap(),
            Value::Unknown
        );
        // A refined unknown (ext 0x0c with a map payload) from Terraform >= 1.6.
        assert_eq!(
            msgpack::decode(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3], &ty).unwrap(),
            Value::Unknown
        );
        assert_eq!(msgpack::encode(&Value::Unknown), vec![0xd4, 0x00, 0x00]);
    }

    #[test]
    fn objects_need_exactly_their_attributes() {
        let ty = Type::Object(
            [
                ("id".to_string(), Type::String),
                ("name".to_string(), Type::String),
            ]
            .into(),
        );
        let v = obj(&[("id", Value::Unknown), ("name", Value::string("x"))]);
        let bytes = msgpack::encode(&v);
        assert_eq!(
            bytes,
            [0x82, 0xa2, b'i', b'd', 0xd4, 0, 0, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x']
        );
        assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
        let short = msgpack::encode(&obj(&[("id", Value::Null)]));
        assert!(msgpack::decode(&short, &ty)
            .unwrap_err()
            .message
            .contains("missing"));
        let extra = msgpack::encode(&obj(&[
            ("id", Value::Null),
            ("nope", Value::Null),
            ("name", Value::Null),
        ]));
        assert!(msgpack::decode(&extra, &ty).is_err());
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let ty = Type::Object([("a".to_string(), Type::list(Type::Number))].into());
        for bytes in [
            &[0x81][..],
            &[0x81, 0xa1, b'a', 0x92, 0x01],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert!(msgpack::decode(bytes, &ty).is_err(), "{bytes:?}");
        }
        assert_eq!(msgpack::decode(&[], &ty).unwrap(), Value::Null);
    }

    #[test]
    fn json_decoding_fills_missing_attributes_with_null() {
        let ty = Type::Object(
            [
                ("a".to_string(), Type::Number),
                ("b".to_string(), Type::list(Type::String)),
            ]
            .into(),
        );
        let j: serde_json::Value = serde_json::from_str(r#"{"a": 65010}"#).unwrap();
        let v = Value::from_json(&j, &ty).unwrap();
        assert_eq!(v.get("a").as_i64(), Some(65010));
        assert!(v.get("b").is_null());
    }

    #[test]
    fn numbers_have_one_canonical_text() {
        for (input, want) in [
            (".0", "0"),
            ("1.50", "1.5"),
            (".5", "0.5"),
            ("-0.0", "0"),
            ("007", "7"),
            ("+3.25", "3.25"),
            ("1e3", "1e3"),
        ] {
            assert_eq!(
                Number::parse(input).map(|n| n.to_string()).as_deref(),
                Some(want),
                "{input}"
            );
        }
        for bad in [
            "", ".", "inf", "NaN", "1.2.3", "-", "e5", "1e", "1e+", "1e5e5", "0x10", "1_000", "--1",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
        // Found by fuzzing: a fixstr ".0" must round-trip.
        let v = msgpack::decode(&[0xa2, b'.', b'0'], &Type::Number).unwrap();
        assert_eq!(
            msgpack::decode(&msgpack::encode(&v), &Type::Number).unwrap(),
            v
        );
    }

    /// Issue 12 case 5: `bgp_asn = 1e400` reached us as a 401-digit string
    /// and failed to decode ("could not be decoded", no attribute). Any
    /// decimal now decodes; the attribute's validator refuses it by name.
    #[test]
    fn numbers_of_any_size_decode() {
        let huge = format!("1{}", "0".repeat(400));
        let mut bytes = vec![0xda];
        bytes.extend_from_slice(&u16::try_from(huge.len()).unwrap().to_be_bytes());
        bytes.extend_from_slice(huge.as_bytes());
        let v = msgpack::decode(&bytes, &Type::Number).unwrap();
        let Value::Number(n) = &v else {
            panic!("{v:?}")
        };
        assert_eq!(n.as_str(), huge);
        assert_eq!(n.as_i64(), None);
        assert_eq!(n.display_short(), "100000000000… (401 characters)");
        assert_eq!(
            msgpack::decode(&msgpack::encode(&v), &Type::Number).unwrap(),
            v
        );
        assert_eq!(Number::parse("1E400").unwrap().as_str(), "1e400");
        assert_eq!(Number::parse("-2.5e-400").unwrap().as_str(), "-2.5e-400");
        let j: serde_json::Value = serde_json::from_str(r#"{"n": "1e400"}"#).unwrap();
        let ty = Type::Object([("n".to_string(), Type::Number)].into());
        assert!(Value::from_json(&j, &ty).is_ok());
    }

    #[test]
    fn decode_errors_name_the_element() {
        let inner = Type::Object([("ips".to_string(), Type::list(Type::String))].into());
        let ty = Type::Object(
            [
                ("blocks".to_string(), Type::list(inner)),
                ("m".to_string(), Type::map(Type::Bool)),
            ]
            .into(),
        );
        let j: serde_json::Value =
            serde_json::from_str(r#"{"blocks": [{"ips": []}, {"ips": ["a", {}]}]}"#).unwrap();
        let e = Value::from_json(&j, &ty).unwrap_err();
        assert_eq!(e.path.to_string(), "blocks[1].ips[1]");
        assert_eq!(
            e.to_string(),
            "JSON object does not fit type \"string\" at blocks[1].ips[1]"
        );
        let j: serde_json::Value = serde_json::from_str(r#"{"m": {"k": 1}}"#).unwrap();
        assert_eq!(
            Value::from_json(&j, &ty).unwrap_err().path.to_string(),
            "m[\"k\"]"
        );
        // msgpack: {"blocks": [{"ips": [7]}]}
        let bytes = [
            0x81, 0xa6, b'b', b'l', b'o', b'c', b'k', b's', 0x91, 0x81, 0xa3, b'i', b'p', b's',
            0x91, 0x07,
        ];
        let ty = Type::Object(
            [(
                "blocks".to_string(),
                Type::list(Type::Object(
                    [("ips".to_string(), Type::list(Type::String))].into(),
                )),
            )]
            .into(),
        );
        assert_eq!(
            msgpack::decode(&bytes, &ty).unwrap_err().path.to_string(),
            "blocks[0].ips[0]"
        );
    }

    #[test]
    fn sets_compare_without_order() {
        let a = Value::Set(vec![Value::string("x"), Value::string("y")]);
        let b = Value::Set(vec![Value::string("y"), Value::string("x")]);
        assert!(a.equals(&b));
        assert!(!Value::List(vec![Value::int(1), Value::int(2)])
            .equals(&Value::List(vec![Value::int(2), Value::int(1)])));
    }
}
