//! The bad-input catalogue without Terraform: every case of
//! `tests/fixtures/bad_input_catalogue.tf` (what tests/bad_input.rs used to run through
//! `terraform validate` one by one) validated as the provider validates a configuration
//! (`ValidateResourceConfig`: the resource schema's `Block::validate`). The file's own header
//! says what each annotation asserts.
//!
//! The configurations are read with a small reader of the part of HCL the catalogue uses:
//! arguments, blocks (one-line too), strings with escapes, numbers of any size, `true`, `false`,
//! `null`, lists, and `format("%0<N>d", n)`. Anything else is refused, so a case cannot pass
//! because it was read wrongly.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::framework::testing::errors;
use crate::framework::{Block, Nesting, Number, Type, Value};

use super::registry;

const CATALOGUE: &str = include_str!("../../tests/fixtures/bad_input_catalogue.tf");

/// A value as written in the configuration, before the schema gives it a type.
#[derive(Debug, Clone)]
enum Expr {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    List(Vec<Expr>),
}

/// A block body: arguments and nested blocks, in order.
#[derive(Debug, Default)]
struct Body {
    args: BTreeMap<String, Expr>,
    blocks: Vec<(String, Body)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(String),
    Punct(char),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            chars.by_ref().find(|&c| c == '\n');
        } else if c == '"' {
            chars.next();
            out.push(Token::Str(string_literal(&mut chars)?));
        } else if c.is_ascii_digit() || c == '-' {
            let mut n = String::new();
            while let Some(&d) = chars.peek() {
                let exponent_sign = (d == '-' || d == '+') && n.ends_with(['e', 'E']);
                if d.is_ascii_alphanumeric()
                    || d == '.'
                    || exponent_sign
                    || (d == '-' && n.is_empty())
                {
                    n.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Token::Num(n));
        } else if c.is_alphabetic() || c == '_' {
            let mut id = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                id.push(d);
                chars.next();
            }
            out.push(Token::Ident(id));
        } else if "={}[](),".contains(c) {
            out.push(Token::Punct(c));
            chars.next();
        } else {
            return Err(format!("unexpected {c:?}"));
        }
    }
    Ok(out)
}

/// The rest of a quoted string, its escapes resolved (`\n`, `\t`, `\r`, `\"`, `\\`, `\uXXXX`).
fn string_literal(chars: &mut impl Iterator<Item = char>) -> Result<String, String> {
    let mut s = String::new();
    loop {
        match chars.next().ok_or("unterminated string")? {
            '"' => return Ok(s),
            '\\' => match chars.next().ok_or("unterminated escape")? {
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                '"' => s.push('"'),
                '\\' => s.push('\\'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                    s.push(char::from_u32(code).ok_or("bad \\u escape")?);
                }
                other => return Err(format!("unsupported escape \\{other}")),
            },
            c => s.push(c),
        }
    }
}

struct Reader {
    tokens: Vec<Token>,
    at: usize,
}

impl Reader {
    fn next(&mut self) -> Result<Token, String> {
        let t = self.tokens.get(self.at).cloned().ok_or("unexpected end")?;
        self.at += 1;
        Ok(t)
    }
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        match self.next()? {
            Token::Punct(p) if p == c => Ok(()),
            other => Err(format!("expected {c:?}, got {other:?}")),
        }
    }
    /// Arguments and blocks until `}` (consumed) or the end of the input.
    fn body(&mut self) -> Result<Body, String> {
        let mut body = Body::default();
        while let Some(t) = self.peek().cloned() {
            match t {
                Token::Punct('}') => {
                    self.at += 1;
                    break;
                }
                Token::Ident(name) => {
                    self.at += 1;
                    match self.next()? {
                        Token::Punct('=') => {
                            let v = self.expr()?;
                            if body.args.insert(name.clone(), v).is_some() {
                                return Err(format!("{name} set twice"));
                            }
                        }
                        Token::Punct('{') => body.blocks.push((name, self.body()?)),
                        other => return Err(format!("after {name}: {other:?}")),
                    }
                }
                other => return Err(format!("unexpected {other:?}")),
            }
        }
        Ok(body)
    }
    fn expr(&mut self) -> Result<Expr, String> {
        Ok(match self.next()? {
            Token::Str(s) => Expr::Str(s),
            Token::Num(n) => Expr::Num(n),
            Token::Ident(id) if id == "true" || id == "false" => Expr::Bool(id == "true"),
            Token::Ident(id) if id == "null" => Expr::Null,
            Token::Ident(id) if id == "format" => self.format()?,
            Token::Punct('[') => {
                let mut items = Vec::new();
                while self.peek() != Some(&Token::Punct(']')) {
                    items.push(self.expr()?);
                    if self.peek() == Some(&Token::Punct(',')) {
                        self.at += 1;
                    }
                }
                self.at += 1;
                Expr::List(items)
            }
            other => return Err(format!("unsupported expression {other:?}")),
        })
    }
    /// `format("%0<N>d", n)`: `n` zero-padded to `N` digits.
    fn format(&mut self) -> Result<Expr, String> {
        self.expect('(')?;
        let (Token::Str(spec), Token::Punct(','), Token::Num(n), Token::Punct(')')) =
            (self.next()?, self.next()?, self.next()?, self.next()?)
        else {
            return Err("format takes a spec and a number".into());
        };
        let width: usize = spec
            .strip_prefix("%0")
            .and_then(|w| w.strip_suffix('d'))
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| format!("unsupported format {spec:?}"))?;
        let n: u64 = n.parse().map_err(|_| format!("format of {n}"))?;
        Ok(Expr::Str(format!("{n:0width$}")))
    }
}

/// `expr` as a value of `ty`, converted as Terraform converts literals.
fn typed(expr: &Expr, ty: &Type) -> Result<Value, String> {
    Ok(match (expr, ty) {
        (Expr::Null, _) => Value::Null,
        (Expr::Str(s), Type::String) | (Expr::Num(s), Type::String) => Value::String(s.clone()),
        (Expr::Bool(b), Type::String) => Value::String(b.to_string()),
        (Expr::Num(n), Type::Number) | (Expr::Str(n), Type::Number) => {
            Value::Number(Number::parse(n).ok_or_else(|| format!("{n:?} is no number"))?)
        }
        (Expr::Bool(b), Type::Bool) => Value::Bool(*b),
        (Expr::List(items), Type::List(t)) => Value::List(elements(items, t)?),
        (Expr::List(items), Type::Set(t)) => Value::Set(elements(items, t)?),
        (e, t) => {
            return Err(format!(
                "{e:?} is not a {}: Terraform's own check",
                t.to_json()
            ))
        }
    })
}

fn elements(items: &[Expr], ty: &Type) -> Result<Vec<Value>, String> {
    items.iter().map(|e| typed(e, ty)).collect()
}

/// `body` as the value of `block`, shaped as Terraform sends a configuration: every attribute
/// present (null when not set), absent blocks empty.
fn config(block: &Block, body: &Body) -> Result<Value, String> {
    let mut m = BTreeMap::new();
    for name in body.args.keys() {
        if !block.attributes.iter().any(|a| &a.name == name) {
            return Err(format!(
                "unsupported argument {name}: Terraform's own check"
            ));
        }
    }
    for a in &block.attributes {
        let v = match body.args.get(&a.name) {
            Some(e) => typed(e, &a.ty).map_err(|e| format!("{}: {e}", a.name))?,
            None => Value::Null,
        };
        m.insert(a.name.clone(), v);
    }
    for nb in &block.blocks {
        let found: Vec<Value> = body
            .blocks
            .iter()
            .filter(|(n, _)| n == &nb.name)
            .map(|(_, b)| config(&nb.block, b))
            .collect::<Result<_, _>>()?;
        let v = match (nb.nesting, found.is_empty()) {
            (_, true) => nb.empty_value(),
            (Nesting::Single, false) => found.into_iter().next().unwrap_or(Value::Null),
            (Nesting::List, false) => Value::List(found),
            (Nesting::Set, false) => Value::Set(found),
        };
        m.insert(nb.name.clone(), v);
    }
    if let Some((name, _)) = body.blocks.iter().find(|(n, _)| !m.contains_key(n)) {
        return Err(format!("unsupported block {name}: Terraform's own check"));
    }
    Ok(Value::Object(m))
}

/// One resource of the catalogue with the annotations above it.
#[derive(Debug)]
struct Case {
    line: usize,
    ty: String,
    at: Option<String>,
    saying: Option<String>,
    required: Option<String>,
    accepted: bool,
    body: Body,
}

fn cases() -> Vec<Case> {
    let lines: Vec<&str> = CATALOGUE.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(rest) = lines[i].strip_prefix("resource \"") else {
            i += 1;
            continue;
        };
        let ty = rest.split('"').next().unwrap_or_default().to_string();
        let annotations: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.starts_with('#'))
            .copied()
            .collect();
        let tag = |name: &str| {
            annotations
                .iter()
                .find_map(|l| l.strip_prefix(&format!("# {name}: ")))
                .map(str::to_string)
        };
        let end = (i..lines.len())
            .find(|&k| lines[k] == "}")
            .unwrap_or_else(|| panic!("line {}: resource without its closing brace", i + 1));
        let text = lines[i + 1..end].join("\n");
        let mut reader = Reader {
            tokens: tokens(&text).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)),
            at: 0,
        };
        let body = reader
            .body()
            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        out.push(Case {
            line: i + 1,
            ty,
            at: tag("at"),
            saying: tag("saying"),
            required: tag("required"),
            accepted: annotations.contains(&"# accepted"),
            body,
        });
        i = end + 1;
    }
    out
}

/// Whitespace runs as one space, as tests/bad_input.rs compares Terraform's wrapped output.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What is wrong with how the provider treats `case`, if anything.
fn check(case: &Case, block: &Block) -> Result<(), String> {
    let value = config(block, &case.body)?;
    let found = errors(block, &value);
    if case.accepted {
        return match found.is_empty() {
            true => Ok(()),
            false => Err(format!("must be accepted, got {found:?}")),
        };
    }
    if let Some(at) = &case.required {
        // Only a required attribute is refused as null with these words.
        return match found.as_slice() {
            [(path, detail)] if path == at && detail.contains("is required") => Ok(()),
            _ => Err(format!(
                "{at} must be required and refused when null: {found:?}"
            )),
        };
    }
    let [(path, detail)] = found.as_slice() else {
        return Err(format!("expected exactly one error, got {found:?}"));
    };
    if let Some(at) = &case.at {
        if path != at {
            return Err(format!("the error is at {path:?}, not {at:?}: {detail}"));
        }
        if case.saying.is_none() && at.contains(['.', '[']) && !detail.contains(at.as_str()) {
            return Err(format!("the detail does not name {at}: {detail}"));
        }
    }
    match &case.saying {
        Some(text) if !collapse(detail).contains(&collapse(text)) => {
            Err(format!("the detail does not say {text:?}: {detail}"))
        }
        None if case.at.is_none() => {
            Err("a case needs `at:`, `saying:`, `required:` or `accepted`".into())
        }
        _ => Ok(()),
    }
}

#[test]
fn bad_input_catalogue_is_refused_at_the_named_attribute() {
    let resources = registry();
    let cases = cases();
    let mut failures = String::new();
    for case in &cases {
        let Some(r) = resources.iter().find(|r| r.type_name() == case.ty) else {
            let _ = writeln!(failures, "line {}: no resource {}", case.line, case.ty);
            continue;
        };
        if let Err(problem) = check(case, &r.schema().block) {
            let _ = writeln!(failures, "line {} ({}): {problem}", case.line, case.ty);
        }
    }
    assert!(failures.is_empty(), "bad_input_catalogue.tf:\n{failures}");
    // Every resource type has bad cases and a good configuration.
    for r in &resources {
        let of_type = cases.iter().filter(|c| c.ty == r.type_name());
        let (good, bad): (Vec<&Case>, Vec<&Case>) = of_type.partition(|c| c.accepted);
        assert!(!good.is_empty() && bad.len() >= 3, "{}", r.type_name());
    }
    assert!(cases.len() > 200, "{} cases read", cases.len());
}

#[test]
fn the_reader_reads_what_the_catalogue_uses() {
    let mut r = Reader {
        tokens: tokens(
            "a = \"x\\u0007\\n\" # comment\n b = [1e400, null, -2.5]\n t { c = true }\n d = format(\"%04d\", 7)",
        )
        .unwrap(),
        at: 0,
    };
    let body = r.body().unwrap();
    assert!(matches!(&body.args["a"], Expr::Str(s) if s == "x\u{7}\n"));
    assert!(
        matches!(&body.args["b"], Expr::List(v) if matches!(&v[..], [Expr::Num(a), Expr::Null, Expr::Num(b)] if a == "1e400" && b == "-2.5"))
    );
    assert!(matches!(&body.args["d"], Expr::Str(s) if s == "0007"));
    assert_eq!(body.blocks.len(), 1);
    assert!(matches!(body.blocks[0].1.args["c"], Expr::Bool(true)));
    // Variables and other expressions stay in the Terraform catalogue.
    assert!(tokens("a = var.x").is_err());
}
