//! Validators: declared on attributes in the schema, run by `terraform
//! validate` (and again at plan) on known values only, each reporting the
//! attribute path and describing itself for the docs.

use std::net::Ipv4Addr;
use std::sync::OnceLock;

use ipnet::Ipv4Net;
use regex::Regex;

use super::diag::{Diagnostic, Diagnostics};
use super::path::AttrPath;
use super::value::Value;

/// A rule on one attribute's value. Never called with null or unknown.
pub trait Validator: Send + Sync {
    /// One markdown sentence fragment for the docs, e.g. "one of `v1`, `v2`".
    fn description(&self) -> String;
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics);
}

/// A rule across the attributes of one object (resource or nested block).
/// Called with the object's config value, which may contain unknowns.
pub trait ObjectValidator: Send + Sync {
    fn description(&self) -> String;
    fn validate(&self, object: &Value, path: &AttrPath, diags: &mut Diagnostics);
}

const INVALID: &str = "Invalid attribute value";

/// Reports that the value at `path` breaks a rule: "{path} must be {rule}, got {got}."
fn refuse(diags: &mut Diagnostics, path: &AttrPath, rule: &str, got: impl std::fmt::Display) {
    diags.add_attr_error(path, INVALID, format!("{path} must be {rule}, got {got}."));
}

/// Values as the docs and messages quote them: `` `a`, `b` ``.
fn quoted<T: std::fmt::Display>(values: &[T], separator: &str) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quoted.join(separator)
}

/// What the framework reports instead of a validator's own message on a
/// sensitive attribute: the path and the validator's rule (its
/// `description()`, which never sees the value), so no validator can print
/// a secret, however it formats its message.
pub fn redacted(d: Diagnostic, rule: &str) -> Diagnostic {
    let at = d.path.as_ref().map(ToString::to_string).unwrap_or_default();
    Diagnostic {
        severity: d.severity,
        summary: INVALID.to_string(),
        detail: format!("{at} must be {rule}. The value is sensitive, so it is not shown."),
        path: d.path,
    }
}

/// The same for an object rule whose message quotes a sensitive value.
pub fn redacted_rule(d: Diagnostic, rule: &str) -> Diagnostic {
    let at = d.path.as_ref().map(ToString::to_string).unwrap_or_default();
    Diagnostic {
        severity: d.severity,
        summary: INVALID.to_string(),
        detail: format!(
            "{at}: {rule}. The message involves a sensitive value, so it is not shown."
        ),
        path: d.path,
    }
}

/// Whether `d` quotes `secret`, as is or escaped the way `{:?}` or JSON would.
pub fn mentions(d: &Diagnostic, secret: &str) -> bool {
    let debug = format!("{secret:?}");
    let json = serde_json::Value::String(secret.to_string()).to_string();
    let forms = [secret, trim_quotes(&debug), trim_quotes(&json)];
    [&d.summary, &d.detail]
        .iter()
        .any(|text| forms.iter().any(|f| !f.is_empty() && text.contains(f)))
}

fn trim_quotes(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// An object rule from a closure, for cross-field checks a resource needs:
/// a [`Check`] of the whole object.
pub type ObjectRule<F> = Check<F>;

pub fn one_of(values: &'static [&'static str]) -> impl Validator {
    rule(format!("one of {}", quoted(values, ", ")), move |v| {
        let s = v.as_str().filter(|s| !values.contains(s))?;
        Some(format!("{s:?}"))
    })
}

/// A value rule from its description and a check answering what it refuses
/// (the value as the message shows it): "{path} must be {description}, got
/// {refused}."
pub struct Rule<F> {
    description: String,
    refused: F,
}

pub fn rule<F>(description: String, refused: F) -> Rule<F>
where
    F: Fn(&Value) -> Option<String> + Send + Sync,
{
    Rule {
        description,
        refused,
    }
}

impl<F> Validator for Rule<F>
where
    F: Fn(&Value) -> Option<String> + Send + Sync,
{
    fn description(&self) -> String {
        self.description.clone()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(got) = (self.refused)(value) {
            refuse(diags, path, &self.description, got);
        }
    }
}

/// A rule whose check writes its own messages, on one value (a
/// [`Validator`], made by [`check`]) or across an object's attributes (an
/// [`ObjectValidator`], written as an [`ObjectRule`]); `description` is the
/// rule as the docs say it.
pub struct Check<F> {
    pub description: &'static str,
    pub check: F,
}

pub fn check<F>(description: &'static str, check: F) -> Check<F>
where
    F: Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync,
{
    Check { description, check }
}

impl<F> Validator for Check<F>
where
    F: Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync,
{
    fn description(&self) -> String {
        self.description.to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        (self.check)(value, path, diags)
    }
}

/// The same check, given the whole object.
impl<F> ObjectValidator for Check<F>
where
    F: Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync,
{
    fn description(&self) -> String {
        Validator::description(self)
    }
    fn validate(&self, object: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        Validator::validate(self, object, path, diags)
    }
}

/// One of a long list of values (a cloud's regions), named as a whole.
pub struct InList {
    values: &'static [&'static str],
    what: &'static str,
}

/// `what` names the list, e.g. "a JD Cloud region ID".
pub fn in_list(values: &'static [&'static str], what: &'static str) -> InList {
    InList { values, what }
}

impl InList {
    fn listed(&self) -> String {
        quoted(self.values, ", ")
    }
}

/// Lists longer than this are named in the docs, not spelled out.
const LIST_IN_DOCS: usize = 6;

impl Validator for InList {
    fn description(&self) -> String {
        if self.values.len() <= LIST_IN_DOCS {
            format!("{}: {}", self.what, self.listed())
        } else {
            format!("{}, as listed in the provider's documentation", self.what)
        }
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            if !self.values.contains(&s) {
                diags.add_attr_error(
                    path,
                    INVALID,
                    format!(
                        "{path} must be {}: one of {}; got {s:?}.",
                        self.what,
                        self.listed()
                    ),
                );
            }
        }
    }
}

pub struct NoControlChars;

/// No control characters (newline, tab, NUL, …): free text such as a
/// description, which the clouds store and show on one line.
pub fn no_control_chars() -> NoControlChars {
    NoControlChars
}

impl Validator for NoControlChars {
    fn description(&self) -> String {
        "free of control characters such as newlines, tabs and NUL".to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| c.is_control()) {
            diags.add_attr_error(
                path,
                INVALID,
                format!(
                    "{path} must be {}; character {} is U+{:04X}.",
                    self.description(),
                    i + 1,
                    u32::from(c)
                ),
            );
        }
    }
}

pub struct StringPattern {
    anchored: String,
    /// Compiled at the first value checked, not when the schema is built:
    /// every provider process builds every schema, and few check a value.
    /// A bad pattern is a bug in our schema; it surfaces as a diagnostic
    /// (and in the schema unit tests) rather than a panic.
    re: OnceLock<Result<Regex, String>>,
    explanation: &'static str,
}

/// `pattern` must match the whole string; `explanation` says it in words.
pub fn pattern(pattern: &str, explanation: &'static str) -> StringPattern {
    StringPattern {
        anchored: format!("^(?:{pattern})$"),
        re: OnceLock::new(),
        explanation,
    }
}

impl Validator for StringPattern {
    fn description(&self) -> String {
        self.explanation.to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            let compiled = self
                .re
                .get_or_init(|| Regex::new(&self.anchored).map_err(|e| e.to_string()));
            let re = match compiled {
                Ok(re) => re,
                Err(e) => {
                    return diags.add_attr_error(path, "Provider bug: invalid pattern", e.clone())
                }
            };
            if !re.is_match(s) {
                refuse(diags, path, self.explanation, format!("{s:?}"));
            }
        }
    }
}

/// A string of `min..=max` characters, each an ASCII letter or digit or one
/// of `extra`. `explanation` says the rule in words, for the docs and the
/// message.
pub fn charset(
    min: usize,
    max: usize,
    extra: &'static str,
    explanation: &'static str,
) -> impl Validator {
    rule(explanation.to_string(), move |v| {
        let s = v.as_str()?;
        let n = s.chars().count();
        let allowed = |c: char| c.is_ascii_alphanumeric() || extra.contains(c);
        (n < min || n > max || !s.chars().all(allowed)).then(|| format!("{s:?}"))
    })
}

/// String length in characters, inclusive.
pub fn length_between(min: usize, max: usize) -> impl Validator {
    rule(format!("{min} to {max} characters long"), move |v| {
        let n = v.as_str()?.chars().count();
        (n < min || n > max).then(|| format!("{n} characters"))
    })
}

pub fn int_between(min: i64, max: i64) -> impl Validator {
    rule(format!("an integer from {min} to {max}"), move |v| {
        let Value::Number(n) = v else { return None };
        let inside = n.as_i64().is_some_and(|i| i >= min && i <= max);
        (!inside).then(|| n.display_short())
    })
}

pub struct NoPrefix(pub &'static [&'static str]);

/// The string must not start with any of these prefixes (ASCII case-insensitive).
pub fn no_prefix(prefixes: &'static [&'static str]) -> NoPrefix {
    NoPrefix(prefixes)
}

impl Validator for NoPrefix {
    fn description(&self) -> String {
        format!("not starting with {}", quoted(self.0, " or "))
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            let lower = s.to_ascii_lowercase();
            if let Some(p) = self
                .0
                .iter()
                .find(|p| lower.starts_with(&p.to_ascii_lowercase()))
            {
                diags.add_attr_error(path, INVALID, format!("{path} must not start with {p:?}."));
            }
        }
    }
}

pub fn int_one_of(values: &'static [i64]) -> impl Validator {
    rule(format!("one of {}", quoted(values, ", ")), move |v| {
        let Value::Number(n) = v else { return None };
        let listed = n.as_i64().is_some_and(|i| values.contains(&i));
        (!listed).then(|| n.display_short())
    })
}

/// The list must have exactly one of these lengths.
pub fn list_length_in(lengths: &'static [usize]) -> impl Validator {
    let l: Vec<String> = lengths.iter().map(ToString::to_string).collect();
    let text = match l.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => l.join(""),
    };
    rule(format!("a list of {text} elements"), move |v| {
        let n = v.as_list()?.len();
        (!lengths.contains(&n)).then(|| n.to_string())
    })
}

/// The list has no element equal to an earlier one.
pub fn distinct() -> impl Validator {
    check("with no duplicates", |value, path, diags| {
        let Some(items) = value.as_list() else { return };
        for (i, item) in items.iter().enumerate() {
            if item.is_known() && items[..i].iter().any(|x| x.equals(item)) {
                diags.add_attr_error(
                    &path.index(i),
                    INVALID,
                    format!(
                        "{path} must not contain duplicates; {} repeats an earlier element.",
                        path.index(i)
                    ),
                );
            }
        }
    })
}

/// Several validators as one, e.g. to share a set of rules between resources.
pub struct All(pub Vec<Box<dyn Validator>>);

impl Validator for All {
    fn description(&self) -> String {
        self.0
            .iter()
            .map(|v| v.description())
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        for v in &self.0 {
            v.validate(value, path, diags);
        }
    }
}

/// Applies a validator to every known element of a list or set.
pub struct Each<V>(pub V);

pub fn each<V: Validator>(v: V) -> Each<V> {
    Each(v)
}

impl<V: Validator> Validator for Each<V> {
    fn description(&self) -> String {
        format!("each element {}", self.0.description())
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(items) = value.as_list() {
            for (i, item) in items.iter().enumerate() {
                if !item.is_null() && item.is_known() {
                    self.0.validate(item, &path.index(i), diags);
                }
            }
        }
    }
}

/// Address ranges that are never reachable on the public internet
/// (RFC 6890 special-purpose registry, without the documentation ranges,
/// which examples use as stand-ins for public addresses).
pub const NON_PUBLIC_IPV4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

pub fn is_public_ipv4(ip: Ipv4Addr) -> bool {
    !NON_PUBLIC_IPV4
        .iter()
        .filter_map(|c| c.parse::<Ipv4Net>().ok())
        .any(|net| net.contains(&ip))
}

pub struct Ipv4 {
    public: bool,
}

/// A dotted-quad IPv4 address.
pub fn ipv4() -> Ipv4 {
    Ipv4 { public: false }
}

/// An IPv4 address routable on the public internet.
pub fn public_ipv4() -> Ipv4 {
    Ipv4 { public: true }
}

impl Validator for Ipv4 {
    fn description(&self) -> String {
        if self.public {
            "a public IPv4 address (not private, loopback, link-local, CGNAT, multicast or reserved)".to_string()
        } else {
            "an IPv4 address".to_string()
        }
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        match s.parse::<Ipv4Addr>() {
            Err(_) => diags.add_attr_error(
                path,
                INVALID,
                format!("{path} must be an IPv4 address, got {s:?}."),
            ),
            Ok(ip) if self.public && !is_public_ipv4(ip) => diags.add_attr_error(
                path,
                INVALID,
                format!(
                    "{path} must be {}; {s} is in a non-public range.",
                    self.description()
                ),
            ),
            Ok(_) => {}
        }
    }
}

/// Parses a canonical IPv4 CIDR (`10.0.0.0/24`, not `10.0.0.1/24`).
pub fn parse_cidr(s: &str) -> Result<Ipv4Net, String> {
    let net: Ipv4Net = s
        .parse()
        .map_err(|_| format!("{s:?} is not an IPv4 CIDR block"))?;
    if net.network() != net.addr() {
        return Err(format!(
            "{s:?} is not a network address (did you mean {}?)",
            net.trunc()
        ));
    }
    Ok(net)
}

pub fn cidr() -> impl Validator {
    check("an IPv4 CIDR block", |value, path, diags| {
        let Some(s) = value.as_str() else { return };
        if let Err(e) = parse_cidr(s) {
            diags.add_attr_error(path, INVALID, format!("{path}: {e}."));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(v: &dyn Validator, value: Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        v.validate(&value, &AttrPath::attr("x"), &mut d);
        d.iter().map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn validators_accept_good_and_reject_bad_values() {
        assert!(errors(&one_of(&["a", "b"]), Value::string("a")).is_empty());
        assert_eq!(
            errors(&one_of(&["a", "b"]), Value::string("c")),
            ["x must be one of `a`, `b`, got \"c\"."]
        );
        assert!(errors(&int_between(1, 3), Value::int(3)).is_empty());
        assert_eq!(errors(&int_between(1, 3), Value::int(4)).len(), 1);
        assert_eq!(errors(&length_between(1, 2), Value::string("abc")).len(), 1);
        assert_eq!(
            errors(
                &pattern("[a-z]+", "lower-case letters"),
                Value::string("aB")
            )
            .len(),
            1
        );
        assert!(errors(
            &pattern("[a-z]+", "lower-case letters"),
            Value::string("ab")
        )
        .is_empty());
        assert_eq!(errors(&public_ipv4(), Value::string("10.1.2.3")).len(), 1);
        assert!(errors(&public_ipv4(), Value::string("203.0.113.10")).is_empty());
        assert_eq!(errors(&ipv4(), Value::string("1.2.3")).len(), 1);
        assert_eq!(errors(&cidr(), Value::string("10.0.0.1/24")).len(), 1);
        assert!(errors(&cidr(), Value::string("10.0.0.0/24")).is_empty());
        let three = Value::List(vec![
            Value::string("a"),
            Value::string("b"),
            Value::string("c"),
        ]);
        assert_eq!(
            errors(&list_length_in(&[1, 2, 4]), three),
            ["x must be a list of 1, 2 or 4 elements, got 3."]
        );
        let dup = Value::List(vec![Value::string("a"), Value::string("a")]);
        assert_eq!(errors(&distinct(), dup).len(), 1);
    }

    #[test]
    fn mentions_finds_a_secret_however_it_is_quoted() {
        let d = |detail: &str| Diagnostic {
            severity: crate::framework::Severity::Error,
            summary: INVALID.to_string(),
            detail: detail.to_string(),
            path: None,
        };
        let secret = "p\"s\\k 1";
        assert!(mentions(&d(&format!("got {secret}")), secret));
        assert!(mentions(&d(&format!("got {secret:?}")), secret));
        let json = serde_json::Value::String(secret.into()).to_string();
        assert!(mentions(&d(&format!("got {json}")), secret));
        assert!(!mentions(&d("psk must be 1 to 100 characters"), secret));
        assert!(!mentions(&d("anything"), ""));
        let r = redacted(d(&format!("got {secret:?}")), "a rule");
        assert!(
            !mentions(&r, secret) && r.detail.contains("a rule"),
            "{}",
            r.detail
        );
    }

    #[test]
    fn each_reports_the_element_path() {
        let mut d = Diagnostics::new();
        let v = Value::List(vec![Value::string("1.1.1.1"), Value::string("nope")]);
        each(ipv4()).validate(&v, &AttrPath::attr("ips"), &mut d);
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].path.as_ref().map(ToString::to_string).as_deref(),
            Some("ips[1]")
        );
    }
}
