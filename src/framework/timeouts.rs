//! The `timeouts` block: per-operation limits as Go-style duration strings
//! ("40m", "1h30m"), with defaults declared by each resource.

use std::time::{Duration, Instant};

use super::diag::Diagnostics;
use super::path::AttrPath;
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

/// `n` minutes, for declaring [`Timeouts`] by name:
/// `Timeouts { create: mins(10), read: mins(5), update: mins(10), delete: mins(10) }`.
pub const fn mins(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

impl Timeouts {
    /// The same limit for every operation.
    pub const fn all(d: Duration) -> Timeouts {
        Timeouts {
            create: d,
            read: d,
            update: d,
            delete: d,
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

    /// The limit for `op` given a resource value holding a `timeouts` block.
    pub fn resolve(&self, value: &Value, op: Op) -> Duration {
        value
            .get(BLOCK)
            .get(op.name())
            .as_str()
            .and_then(|s| parse_timeout(s).ok())
            .unwrap_or_else(|| self.default_for(op))
            .clamp(MIN_TIMEOUT, MAX_TIMEOUT)
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

/// The shortest limit a `timeouts` entry may set: below it no call completes.
pub const MIN_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest: a day is far beyond any cloud operation here, and it keeps every
/// deadline (`now + timeout`) representable.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The largest input a duration part may have before it is refused as too
/// large; checked integer arithmetic below makes overflow impossible anyway.
const MAX_DIGITS: usize = 30;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Parses a Go `time.ParseDuration` string made of h, m, s and ms parts.
///
/// Total: every input gives `Ok` or `Err`, never a panic. Arithmetic is in
/// integer nanoseconds with checked operations (not `f64`, whose
/// `Duration::from_secs_f64` panics on overflow); anything beyond
/// `Duration::MAX` is an error.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like \"30s\", \"10m\" or \"1h30m\"");
    let too_large = || format!("{s:?} is too large a duration");
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or_else(bad)?;
        let (int, frac) = match rest[..digits].split_once('.') {
            Some((i, f)) => (i, f),
            None => (&rest[..digits], ""),
        };
        // Go accepts "1.", ".5" and "1.5" but not "." or "1.2.3".
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(bad());
        }
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit: u128 = match &rest[..unit_len] {
            "h" => 3600 * NANOS_PER_SEC,
            "m" => 60 * NANOS_PER_SEC,
            "s" => NANOS_PER_SEC,
            "ms" => NANOS_PER_SEC / 1000,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        let int = int.trim_start_matches('0');
        if int.len() > MAX_DIGITS {
            return Err(too_large());
        }
        let whole: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        // Digits past the 18th are below a nanosecond for every unit.
        let frac = &frac[..frac.len().min(18)];
        let frac_nanos = if frac.is_empty() {
            0
        } else {
            let f: u128 = frac.parse().map_err(|_| bad())?;
            let scale = 10u128.pow(u32::try_from(frac.len()).map_err(|_| bad())?);
            f * unit / scale
        };
        total = whole
            .checked_mul(unit)
            .and_then(|n| n.checked_add(frac_nanos))
            .and_then(|n| n.checked_add(total))
            .ok_or_else(too_large)?;
    }
    let secs = u64::try_from(total / NANOS_PER_SEC).map_err(|_| too_large())?;
    // The remainder is below 10^9, so it fits a u32.
    let nanos = u32::try_from(total % NANOS_PER_SEC).map_err(|_| too_large())?;
    Ok(Duration::new(secs, nanos))
}

/// Parses a `timeouts` entry and checks it lies in
/// [`MIN_TIMEOUT`]..=[`MAX_TIMEOUT`]; the error names the rule, not the path.
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < MIN_TIMEOUT || d > MAX_TIMEOUT {
        return Err(format!(
            "{s:?} is outside {} to {}",
            format_duration(MIN_TIMEOUT),
            format_duration(MAX_TIMEOUT)
        ));
    }
    Ok(d)
}

/// The instant `timeout` after `now`, saturating instead of panicking when the
/// sum does not fit (a second line of defence: validation already caps
/// timeouts at [`MAX_TIMEOUT`]).
pub fn deadline_after(now: Instant, timeout: Duration) -> Instant {
    now.checked_add(timeout)
        .or_else(|| now.checked_add(MAX_TIMEOUT))
        .unwrap_or(now)
}

/// The validator of every `timeouts` attribute.
pub(super) struct DurationString;

impl Validator for DurationString {
    fn description(&self) -> String {
        format!(
            "a duration such as `30s`, `10m` or `1h30m`, from `{}` to `{}`",
            format_duration(MIN_TIMEOUT),
            format_duration(MAX_TIMEOUT)
        )
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            if let Err(e) = parse_timeout(s) {
                diags.add_attr_error(
                    path,
                    "Invalid duration",
                    format!("{path} must be {}: {e}.", self.description()),
                );
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
        assert_eq!(parse_duration(".5m").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("1.m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("0001h").unwrap(), Duration::from_secs(3600));
        assert_eq!(
            parse_duration("0.000000000000000000001h").unwrap(),
            Duration::ZERO
        );
        for bad in [
            "", "10", "m", "10x", "-5m", "1h 30m", ".", ".s", "1..5s", "1.2.3s", "5µs", "1h-",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
    }

    /// `9999999999999999999s` parsed, then `Instant::now() + timeout` panicked
    /// at apply ("overflow when adding duration to instant"); anything past
    /// `Duration::MAX` reached `Duration::from_secs_f64`'s panic. Now parsing
    /// is total and the range check refuses both.
    #[test]
    fn huge_durations_are_errors_not_panics() {
        assert_eq!(
            parse_duration("9999999999999999999s").unwrap(),
            Duration::from_secs(9_999_999_999_999_999_999)
        );
        assert!(parse_duration("5124095576030431h").is_ok());
        for huge in [
            "18446744073709551616s",
            "5124095576030432h",
            "99999999999999999999999999999999999999999h",
            "9223372036854775807h9223372036854775807h",
            &format!("{}s", "9".repeat(400)),
            &format!("{}1s", "0".repeat(400)),
        ] {
            let r = parse_duration(huge);
            if huge.starts_with('0') {
                assert_eq!(r, Ok(Duration::from_secs(1)), "{huge}");
            } else {
                assert!(r.is_err(), "{huge}: {r:?}");
            }
        }
        // The largest representable value still parses; one nanosecond more does not.
        let max_secs = u64::MAX;
        assert_eq!(
            parse_duration(&format!("{max_secs}s")).unwrap(),
            Duration::from_secs(max_secs)
        );
        assert!(parse_duration(&format!("{max_secs}s1ms")).is_ok());
        assert!(parse_duration(&format!("{max_secs}s1000ms")).is_err());
    }

    #[test]
    fn timeouts_must_lie_between_one_second_and_one_day() {
        assert_eq!(parse_timeout("1s").unwrap(), MIN_TIMEOUT);
        assert_eq!(parse_timeout("24h").unwrap(), MAX_TIMEOUT);
        assert_eq!(parse_timeout("23h59m60s").unwrap(), MAX_TIMEOUT);
        for bad in ["0s", "999ms", "24h1ms", "25h", "9999999999999999999s"] {
            let e = parse_timeout(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
        let mut d = Diagnostics::new();
        DurationString.validate(
            &Value::string("0s"),
            &AttrPath::attr("timeouts").child("create"),
            &mut d,
        );
        assert_eq!(
            d.0[0].detail,
            "timeouts.create must be a duration such as `30s`, `10m` or `1h30m`, from `1s` to `24h`: \"0s\" is outside 1s to 24h."
        );
    }

    #[test]
    fn resolve_and_deadlines_saturate() {
        let t = Timeouts::all(mins(5));
        let with = |create: &str| {
            Value::Object(
                [(
                    BLOCK.to_string(),
                    Value::Object([("create".to_string(), Value::string(create))].into()),
                )]
                .into(),
            )
        };
        assert_eq!(t.resolve(&with("90s"), Op::Create), Duration::from_secs(90));
        // Out-of-range values never reach an operation, even if validation was skipped.
        for v in ["0s", "9999999999999999999s", "25h", "nonsense"] {
            assert_eq!(
                t.resolve(&with(v), Op::Create),
                Duration::from_secs(300),
                "{v}"
            );
        }
        assert_eq!(t.resolve(&Value::Null, Op::Read), Duration::from_secs(300));
        let now = Instant::now();
        assert_eq!(
            deadline_after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        // Would panic as `now + Duration::MAX`.
        assert!(deadline_after(now, Duration::MAX) >= now);
    }
}
