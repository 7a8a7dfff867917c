//! JD Cloud wire conventions shared by every resource (docs/design/jdcloud.md §2, §3.1): what a
//! handler sees of a request and answers, envelopes, request bodies in wrapped or flat form,
//! query strings with 1-based flattened arrays, filters and pagination.

use std::collections::BTreeMap;

use axum::body::Bytes;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::JdError;
use super::routes::PathParams;

/// What a handler sees of the request.
pub(super) struct OpRequest {
    /// `regionId` from the path.
    pub region: String,
    pub params: PathParams,
    pub query: Query,
    pub body: Bytes,
}

/// A successful operation: a `result` object, or nothing (delete, modify).
pub(super) enum Reply {
    Result(Value),
    Empty,
}

/// `{"requestId": "..", "result": {..}}`; `result` is omitted for operations without one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SuccessEnvelope<'a> {
    pub request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'a Value>,
}

/// `{"requestId": "..", "error": {"code": 404, "status": "NOT_FOUND", "message": ".."}}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorEnvelope<'a> {
    pub request_id: &'a str,
    pub error: ErrorBody<'a>,
}

#[derive(Debug, Serialize)]
pub(super) struct ErrorBody<'a> {
    pub code: u16,
    pub status: &'a str,
    pub message: &'a str,
}

/// The fields of a create/modify body. The body is either `{"<wrapper>": {..}}` (JD's generator
/// convention, docs/design/jdcloud.md §3.1) or the same fields flat (the one published modify is
/// flat); extra fields (SDKs also send `regionId` and path ids) are ignored.
#[derive(Debug)]
pub(super) struct Spec {
    /// Name of this object in error messages: the wrapper, or `<parent>.<field>` when nested.
    prefix: String,
    fields: Map<String, Value>,
}

impl Spec {
    /// Parses a body; an empty body is an empty spec.
    pub(super) fn parse(body: &[u8], wrapper: &'static str) -> Result<Self, JdError> {
        let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(body).map_err(|e| {
                JdError::invalid_argument(format!("request body is not valid JSON: {e}"))
            })?
        };
        let Value::Object(mut outer) = value else {
            return Err(JdError::invalid_argument(
                "request body must be a JSON object",
            ));
        };
        let fields = match outer.remove(wrapper) {
            Some(Value::Object(inner)) => inner,
            Some(Value::Null) | None => outer,
            Some(_) => {
                return Err(JdError::invalid_argument(format!(
                    "Parameter {wrapper} must be an object"
                )))
            }
        };
        Ok(Self {
            prefix: wrapper.to_owned(),
            fields,
        })
    }

    /// `<wrapper>.<field>`, the name used in error messages.
    pub(super) fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.prefix)
    }

    /// Whether the body carries a non-null value for `field`.
    pub(super) fn has(&self, field: &str) -> bool {
        self.present(field).is_some()
    }

    fn present(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).filter(|v| !v.is_null())
    }

    fn missing(&self, field: &str) -> JdError {
        JdError::invalid_argument(format!("Parameter {} missing", self.path(field)))
    }

    fn wrong_type(&self, field: &str, expected: &str) -> JdError {
        JdError::invalid_argument(format!("Parameter {} must be {expected}", self.path(field)))
    }

    pub(super) fn opt_string(&self, field: &str) -> Result<Option<String>, JdError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(field, "a string")),
        }
    }

    pub(super) fn string(&self, field: &str) -> Result<String, JdError> {
        self.opt_string(field)?.ok_or_else(|| self.missing(field))
    }

    /// Optional string `field`, turned into a `T` by `parse` (given the field's path for its
    /// messages) when present: a field rule of `validate` applied where the field is read.
    pub(super) fn opt_parsed<T>(
        &self,
        field: &str,
        parse: impl Fn(&str, &str) -> Result<T, JdError>,
    ) -> Result<Option<T>, JdError> {
        self.opt_string(field)?
            .map(|v| parse(&self.path(field), &v))
            .transpose()
    }

    /// Optional string `field`, checked by `check` when present.
    pub(super) fn opt_checked(
        &self,
        field: &str,
        check: impl Fn(&str, &str) -> Result<(), JdError>,
    ) -> Result<Option<String>, JdError> {
        let value = self.opt_string(field)?;
        if let Some(v) = &value {
            check(&self.path(field), v)?;
        }
        Ok(value)
    }

    /// Required string `field`, checked by `check`.
    pub(super) fn checked(
        &self,
        field: &str,
        check: impl Fn(&str, &str) -> Result<(), JdError>,
    ) -> Result<String, JdError> {
        self.opt_checked(field, check)?
            .ok_or_else(|| self.missing(field))
    }

    pub(super) fn opt_i64(&self, field: &str) -> Result<Option<i64>, JdError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(field, "an integer")),
            Some(_) => Err(self.wrong_type(field, "an integer")),
        }
    }

    pub(super) fn i64(&self, field: &str) -> Result<i64, JdError> {
        self.opt_i64(field)?.ok_or_else(|| self.missing(field))
    }

    pub(super) fn opt_string_list(&self, field: &str) -> Result<Option<Vec<String>>, JdError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| self.wrong_type(field, "an array of strings")),
            Some(_) => Err(self.wrong_type(field, "an array of strings")),
        }
    }

    pub(super) fn string_list(&self, field: &str) -> Result<Vec<String>, JdError> {
        self.opt_string_list(field)?
            .ok_or_else(|| self.missing(field))
    }

    pub(super) fn opt_bool(&self, field: &str) -> Result<Option<bool>, JdError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(field, "a boolean")),
        }
    }

    /// A nested object (e.g. `propagationAttribute`), itself read as a spec named `<this>.<field>`.
    pub(super) fn opt_object(&self, field: &str) -> Result<Option<Spec>, JdError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Object(fields)) => Ok(Some(Spec {
                prefix: self.path(field),
                fields: fields.clone(),
            })),
            Some(_) => Err(self.wrong_type(field, "an object")),
        }
    }

    /// An array of objects (e.g. `trafficSelectors`), each named `<this>.<field>[i]`.
    pub(super) fn opt_object_list(&self, field: &str) -> Result<Option<Vec<Spec>>, JdError> {
        let Some(value) = self.present(field) else {
            return Ok(None);
        };
        let not_objects = || self.wrong_type(field, "an array of objects");
        let Value::Array(items) = value else {
            return Err(not_objects());
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(fields) => Ok(Spec {
                    prefix: format!("{}[{i}]", self.path(field)),
                    fields: fields.clone(),
                }),
                _ => Err(not_objects()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `e` with its field (if a backend rule named one) put in this body: `<wrapper>.<field>`.
    pub(super) fn qualify(&self, e: JdError) -> JdError {
        e.qualified(&self.prefix)
    }
}

/// A decoded query string (`+` is a space, as the SDKs' form encoders produce).
#[derive(Debug, Default)]
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    pub(super) fn parse(raw: &str) -> Self {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        Self(
            raw.split('&')
                .filter(|item| !item.is_empty())
                .map(|item| {
                    let (k, v) = item.split_once('=').unwrap_or((item, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Filter operator (docs/design/jdcloud.md §2.2); `eq` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Eq,
    In,
    Ne,
    Like,
}

/// `filters.N.{name,operator,values.M}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Filter {
    pub name: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// Pagination and filters of a describe-many call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListParams {
    pub page_number: usize,
    pub page_size: usize,
    pub filters: Vec<Filter>,
}

const DEFAULT_PAGE_SIZE: usize = 20;
const PAGE_SIZE_RANGE: std::ops::RangeInclusive<usize> = 10..=100;

impl ListParams {
    pub(super) fn parse(query: &Query) -> Result<Self, JdError> {
        let page_number = match query.get("pageNumber") {
            None => 1,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
                Ok(n) => {
                    return Err(JdError::out_of_range(format!(
                        "pageNumber {n} is out of range [1, ∞)"
                    )))
                }
                Err(_) => {
                    return Err(JdError::invalid_argument(format!(
                        "pageNumber must be an integer, got {s:?}"
                    )))
                }
            },
        };
        let page_size = match query.get("pageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(s) => {
                let n: i64 = s.parse().map_err(|_| {
                    JdError::invalid_argument(format!("pageSize must be an integer, got {s:?}"))
                })?;
                usize::try_from(n)
                    .ok()
                    .filter(|n| PAGE_SIZE_RANGE.contains(n))
                    .ok_or_else(|| {
                        JdError::out_of_range(format!(
                            "pageSize {n} is out of range [{}, {}]",
                            PAGE_SIZE_RANGE.start(),
                            PAGE_SIZE_RANGE.end()
                        ))
                    })?
            }
        };
        Ok(Self {
            page_number,
            page_size,
            filters: parse_filters(query)?,
        })
    }

    /// The requested page of `items` (a page past the end gives the last page,
    /// docs/design/jdcloud.md §2.2) and the total.
    pub(super) fn page<T>(&self, items: Vec<T>) -> (Vec<T>, usize) {
        let total = items.len();
        let last_page = total.div_ceil(self.page_size).max(1);
        let page = self.page_number.min(last_page);
        let items = items
            .into_iter()
            .skip((page - 1) * self.page_size)
            .take(self.page_size)
            .collect();
        (items, total)
    }
}

#[derive(Default)]
struct FilterParts {
    name: Option<String>,
    operator: Option<String>,
    values: BTreeMap<u32, String>,
}

fn parse_filters(query: &Query) -> Result<Vec<Filter>, JdError> {
    let index = |s: &str, key: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| JdError::invalid_argument(format!("bad index in query parameter {key}")))
    };
    let mut parts: BTreeMap<u32, FilterParts> = BTreeMap::new();
    for (key, value) in query.iter() {
        let Some(rest) = key.strip_prefix("filters.") else {
            continue;
        };
        let (n, field) = rest
            .split_once('.')
            .ok_or_else(|| JdError::invalid_argument(format!("bad query parameter {key}")))?;
        let entry = parts.entry(index(n, key)?).or_default();
        match field.split_once('.') {
            None if field == "name" => entry.name = Some(value.to_owned()),
            None if field == "operator" => entry.operator = Some(value.to_owned()),
            Some(("values", m)) => {
                entry.values.insert(index(m, key)?, value.to_owned());
            }
            _ => {
                return Err(JdError::invalid_argument(format!(
                    "unknown query parameter {key}"
                )))
            }
        }
    }
    parts
        .into_iter()
        .map(|(n, p)| {
            let name = p.name.ok_or_else(|| {
                JdError::invalid_argument(format!("Parameter filters.{n}.name missing"))
            })?;
            let operator = match p.operator.as_deref().unwrap_or("eq") {
                "eq" => Operator::Eq,
                "in" => Operator::In,
                "ne" => Operator::Ne,
                "like" => Operator::Like,
                other => {
                    return Err(JdError::invalid_argument(format!(
                        "filters.{n}.operator {other:?} is not supported (eq, in, ne, like)"
                    )))
                }
            };
            if p.values.is_empty() {
                return Err(JdError::invalid_argument(format!(
                    "Parameter filters.{n}.values missing"
                )));
            }
            Ok(Filter {
                name,
                operator,
                values: p.values.into_values().collect(),
            })
        })
        .collect()
}

/// A filterable field of a resource kind.
pub(super) struct FilterField<T> {
    pub name: &'static str,
    pub value: fn(&T) -> &str,
}

/// Keeps the items matching every filter; a filter name the kind does not declare is an error (the
/// real names are guesses, docs/design/jdcloud.md §8.4, so an unexpected one is more likely a
/// client bug than intent).
pub(super) fn apply_filters<T>(
    items: Vec<T>,
    filters: &[Filter],
    fields: &[FilterField<T>],
) -> Result<Vec<T>, JdError> {
    let mut selected = Vec::with_capacity(filters.len());
    for f in filters {
        let field = fields.iter().find(|d| d.name == f.name).ok_or_else(|| {
            let known: Vec<&str> = fields.iter().map(|d| d.name).collect();
            JdError::invalid_argument(format!(
                "unsupported filter name {:?} (supported: {})",
                f.name,
                known.join(", ")
            ))
        })?;
        selected.push((field, f));
    }
    Ok(items
        .into_iter()
        .filter(|item| {
            selected.iter().all(|(field, f)| {
                let v = (field.value)(item);
                match f.operator {
                    Operator::Eq | Operator::In => f.values.iter().any(|x| x == v),
                    Operator::Ne => f.values.iter().all(|x| x != v),
                    Operator::Like => f.values.iter().any(|x| v.contains(x.as_str())),
                }
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_wrapped_flat_and_types() {
        let s = Spec::parse(br#"{"w":{"a":"x","n":3}, "a":"outer"}"#, "w").unwrap();
        assert_eq!(s.string("a").unwrap(), "x");
        assert_eq!(s.i64("n").unwrap(), 3);
        let s = Spec::parse(br#"{"a":"flat","regionId":"r","l":["p","q"]}"#, "w").unwrap();
        assert_eq!(s.string("a").unwrap(), "flat");
        assert_eq!(s.string_list("l").unwrap(), ["p", "q"]);
        assert_eq!(
            s.string("zz").unwrap_err().message,
            "Parameter w.zz missing"
        );
        assert!(s
            .i64("a")
            .unwrap_err()
            .message
            .contains("w.a must be an integer"));
        let s = Spec::parse(br#"{"n":1.5,"l":[1]}"#, "w").unwrap();
        assert!(s.i64("n").is_err());
        assert!(s.string_list("l").is_err());
        assert!(Spec::parse(b"", "w")
            .unwrap()
            .opt_string("a")
            .unwrap()
            .is_none());
        assert!(Spec::parse(b"[1]", "w").is_err());
        assert!(Spec::parse(b"{", "w").is_err());
        assert!(Spec::parse(br#"{"w":3}"#, "w").is_err());
    }

    #[test]
    fn spec_nested_bool_and_qualified_errors() {
        let s = Spec::parse(
            br#"{"w":{"b":true,"o":{"x":"1"},"l":[{"y":2},{"y":3}],"bad":[1],"n":5}}"#,
            "w",
        )
        .unwrap();
        assert_eq!(s.opt_bool("b").unwrap(), Some(true));
        assert!(s.opt_bool("n").is_err());
        assert!(s.has("b") && !s.has("zz"));
        let o = s.opt_object("o").unwrap().unwrap();
        assert_eq!(o.string("x").unwrap(), "1");
        assert_eq!(
            o.string("q").unwrap_err().message,
            "Parameter w.o.q missing"
        );
        let l = s.opt_object_list("l").unwrap().unwrap();
        assert_eq!(l[1].i64("y").unwrap(), 3);
        assert_eq!(l[1].path("y"), "w.l[1].y");
        assert!(s.opt_object_list("bad").is_err());
        assert!(s.opt_object("b").is_err());
        assert!(s.opt_object("zz").unwrap().is_none());
        let backend_rule = JdError::field(
            crate::sandbox::jdcloud::error::Status::InvalidArgument,
            "n",
            "cannot be modified",
        );
        assert_eq!(s.qualify(backend_rule).message, "w.n cannot be modified");
        assert_eq!(o.qualify(JdError::not_found("x")).message, "x");
    }

    #[test]
    fn list_params() {
        let q = Query::parse("pageNumber=2&pageSize=10&filters.1.name=ids&filters.1.values.2=b&filters.1.values.1=a+c&filters.2.name=n&filters.2.operator=like&filters.2.values.1=x%2Fy");
        let p = ListParams::parse(&q).unwrap();
        assert_eq!((p.page_number, p.page_size), (2, 10));
        assert_eq!(p.filters[0].values, ["a c", "b"]);
        assert_eq!(p.filters[0].operator, Operator::Eq);
        assert_eq!(p.filters[1].operator, Operator::Like);
        assert_eq!(p.filters[1].values, ["x/y"]);

        let d = ListParams::parse(&Query::parse("")).unwrap();
        assert_eq!((d.page_number, d.page_size), (1, 20));
        for bad in ["pageSize=9", "pageSize=101", "pageNumber=0"] {
            assert_eq!(
                ListParams::parse(&Query::parse(bad)).unwrap_err().status,
                "OUT_OF_RANGE",
                "{bad}"
            );
        }
        for bad in [
            "pageSize=x",
            "filters.1.values.1=a",
            "filters.1.name=a",
            "filters.0.name=a&filters.0.values.1=b",
            "filters.1.name=a&filters.1.values.1=b&filters.1.operator=gt",
            "filters.1.bogus=a",
        ] {
            assert_eq!(
                ListParams::parse(&Query::parse(bad)).unwrap_err().status,
                "INVALID_ARGUMENT",
                "{bad}"
            );
        }
    }

    #[test]
    fn paging_clamps_to_last_page() {
        let p = |n, s| ListParams {
            page_number: n,
            page_size: s,
            filters: vec![],
        };
        let items: Vec<u32> = (1..=25).collect();
        assert_eq!(p(1, 10).page(items.clone()).0, (1..=10).collect::<Vec<_>>());
        assert_eq!(p(3, 10).page(items.clone()), ((21..=25).collect(), 25));
        assert_eq!(p(9, 10).page(items).0, (21..=25).collect::<Vec<_>>());
        assert_eq!(p(5, 10).page(Vec::<u32>::new()), (vec![], 0));
    }

    #[test]
    fn filters() {
        let fields = [FilterField::<(String, String)> {
            name: "ids",
            value: |t| t.0.as_str(),
        }];
        let items = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ];
        let f = |operator, values: &[&str]| Filter {
            name: "ids".into(),
            operator,
            values: values.iter().map(|s| s.to_string()).collect(),
        };
        let got = apply_filters(items.clone(), &[f(Operator::Eq, &["b", "z"])], &fields).unwrap();
        assert_eq!(got, [items[1].clone()]);
        let got = apply_filters(items.clone(), &[f(Operator::Ne, &["b"])], &fields).unwrap();
        assert_eq!(got, [items[0].clone()]);
        let bad = Filter {
            name: "nope".into(),
            ..f(Operator::Eq, &["a"])
        };
        assert!(apply_filters(items, &[bad], &fields).is_err());
    }
}
