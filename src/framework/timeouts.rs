//! The `timeouts` block: per-operation limits as Go-style duration strings
//! ("40m", "1h30m"), with defaults declared by each resource.

use std::time::Duration;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::schema::{Attribute, Block, NestedBlock, Nesting};
use super::validate::Validator;
use super::value::Value;

pub const BLOCK: &str = "timeouts";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Read,
    Update,
    Delete,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Read => "read",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// A resource's default timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub read: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Timeouts {
    pub const fn minutes(create: u64, read: u64, update: u64, delete: u64) -> Timeouts {
        Timeouts {
            create: Duration::from_secs(create * 60),
            read: Duration::from_secs(read * 60),
            update: Duration::from_secs(update * 60),
            delete: Duration::from_secs(delete * 60),
        }
    }
    pub fn default_for(&self, op: Op) -> Duration {
        match op {
            Op::Create => self.create,
            Op::Read => self.read,
            Op::Update => self.update,
            Op::Delete => self.delete,
        }
    }

    pub(super) fn block(&self) -> NestedBlock {
        let mut b = Block::new("Limits on how long each operation may take, as durations such as `30s`, `10m` or `1h`.");
        for op in [Op::Create, Op::Read, Op::Update, Op::Delete] {
            let desc = format!(
                "How long to wait for the {} operation (default `{}`).",
                op.name(),
                format_duration(self.default_for(op))
            );
            b = b.attribute(
                Attribute::string(op.name())
                    .optional()
                    .description(&desc)
                    .validator(DurationString),
            );
        }
        NestedBlock::new(BLOCK, Nesting::Single, b)
    }

    /// The limit for `op` given a resource value holding a `timeouts` block.
    pub fn resolve(&self, value: &Value, op: Op) -> Duration {
        value
            .get(BLOCK)
            .get(op.name())
            .as_str()
            .and_then(|s| parse_duration(s).ok())
            .unwrap_or_else(|| self.default_for(op))
    }
}

pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s % 3600 == 0 && s > 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 && s > 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// Parses a Go `time.ParseDuration` string made of h, m, s and ms parts.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like \"30s\", \"10m\" or \"1h30m\"");
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "h" => n * 3600.0,
            "m" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            _ => return Err(bad()),
        };
        total += Duration::from_secs_f64(secs);
        rest = &rest[unit_len..];
    }
    Ok(total)
}

struct DurationString;

impl Validator for DurationString {
    fn description(&self) -> String {
        "a duration such as `30s`, `10m` or `1h30m`".to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            if let Err(e) = parse_duration(s) {
                diags.add_attr_error(path, "Invalid duration", format!("{path}: {e}."));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("40m").unwrap(), Duration::from_secs(2400));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        for bad in ["", "10", "m", "10x", "-5m", "1h 30m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
    }
}
