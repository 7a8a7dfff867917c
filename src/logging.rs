//! Logging for the provider binary, in the form Terraform re-emits.
//!
//! go-plugin reads the plugin's stderr line by line and parses JSON lines as
//! hclog entries: `@level` (trace|debug|info|warn|error), `@message`,
//! `@timestamp` with exactly 6 fractional digits, and any other key as a
//! key/value pair. Lines over 64 KiB are split and lose their structure.
//! Terraform filters by `TF_LOG_PROVIDER` / `TF_LOG` itself; reading the same
//! variables here only avoids formatting events it would drop.
//!
//! Lines starting with `panic: ` are how Terraform recognises a plugin crash,
//! hence the panic hook.

use std::fmt;
use std::io::{self, Write};
use std::sync::OnceLock;

use serde_json::{Map, Value};
use time::format_description::FormatItem;
use time::macros::format_description;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// `@module` of the provider's own events. Terraform names its logger
/// `provider.<executable>` and shows `@module` as a key/value pair.
pub const MODULE: &str = "provider.terraform-provider-hybridnet";

/// Targets logged at the level Terraform asks for; every other crate (h2,
/// hyper, tonic...) is capped at INFO, their DEBUG/TRACE output is noise.
const OWN_TARGETS: [&str; 2] = ["hybridnet", "terraform_provider_hybridnet"];

/// go-plugin's line buffer is 64 KiB; stay well below it.
const MAX_LINE: usize = 60 * 1024;

const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Installs the panic hook and, when `TF_LOG_PROVIDER` or `TF_LOG` asks for
/// logs, a subscriber writing hclog JSON lines to stderr. Idempotent.
pub fn init() {
    install_panic_hook();
    let Some(level) = level_from_vars(|k| std::env::var(k).ok()) else {
        return;
    };
    let subscriber =
        Registry::default().with(JsonLayer::new(io::stderr).with_filter(targets(level)));
    // Fails only if a subscriber is already installed, which is fine.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Plain-text logging for the helper binaries (sandbox, docgen): filter from
/// the `env_var` directive (e.g. `HYBRIDNET_SANDBOX_LOG=debug`), else `default`.
pub fn init_plain(env_var: &str, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env(env_var)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .try_init();
}

/// Terraform's provider log level: `TF_LOG_PROVIDER`, else `TF_LOG`.
/// `None` means Terraform discards provider output, so log nothing.
/// Unknown values mean TRACE, as in Terraform (`internal/logging`).
pub fn level_from_vars<F>(get: F) -> Option<LevelFilter>
where
    F: Fn(&str) -> Option<String>,
{
    let raw = get("TF_LOG_PROVIDER")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| get("TF_LOG"))
        .unwrap_or_default();
    match raw.trim().to_ascii_uppercase().as_str() {
        "" | "OFF" => None,
        "DEBUG" => Some(LevelFilter::DEBUG),
        "INFO" => Some(LevelFilter::INFO),
        "WARN" => Some(LevelFilter::WARN),
        "ERROR" => Some(LevelFilter::ERROR),
        // TRACE, JSON (= trace in JSON form) and anything unrecognised.
        _ => Some(LevelFilter::TRACE),
    }
}

fn targets(level: LevelFilter) -> Targets {
    OWN_TARGETS
        .iter()
        .fold(Targets::new(), |t, target| t.with_target(*target, level))
        .with_default(level.min(LevelFilter::INFO))
}

/// Writes each event as one hclog JSON line. Span fields (outermost first)
/// are included, and event fields override them.
pub struct JsonLayer<W> {
    make_writer: W,
}

impl<W> fmt::Debug for JsonLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLayer").finish_non_exhaustive()
    }
}

impl<W> JsonLayer<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    pub fn new(make_writer: W) -> JsonLayer<W> {
        JsonLayer { make_writer }
    }
}

/// Span fields, stored in the span's extensions.
struct SpanFields(Map<String, Value>);

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            if let Some(SpanFields(fields)) = ext.get_mut::<SpanFields>() {
                values.record(&mut JsonVisitor(fields));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(f)) = span.extensions().get::<SpanFields>() {
                    fields.extend(f.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut JsonVisitor(&mut fields));
        let message = match fields.remove("message") {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let meta = event.metadata();
        let line = format_line(
            *meta.level(),
            &message,
            &module_for(meta.target()),
            &timestamp_now(),
            fields,
        );
        // One write per line so concurrent events do not interleave.
        let _ = self.make_writer.make_writer().write_all(&line);
    }
}

/// The `@module` for an event target: ours, or ours plus the foreign crate.
fn module_for(target: &str) -> String {
    let krate = target.split("::").next().unwrap_or(target);
    if OWN_TARGETS.contains(&krate) {
        MODULE.to_owned()
    } else {
        format!("{MODULE}.{krate}")
    }
}

fn timestamp_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(TIMESTAMP)
        .unwrap_or_default()
}

/// Builds one line (with its trailing newline), shortening the longest
/// string values until it fits in `MAX_LINE`.
fn format_line(
    level: Level,
    message: &str,
    module: &str,
    timestamp: &str,
    fields: Map<String, Value>,
) -> Vec<u8> {
    let mut obj = fields;
    // Reserved keys last so a field cannot shadow them.
    obj.insert(
        "@level".to_owned(),
        Value::String(level_name(level).to_owned()),
    );
    obj.insert("@message".to_owned(), Value::String(message.to_owned()));
    obj.insert("@module".to_owned(), Value::String(module.to_owned()));
    obj.insert("@timestamp".to_owned(), Value::String(timestamp.to_owned()));

    for _ in 0..64 {
        let mut line = Value::Object(obj.clone()).to_string().into_bytes();
        if line.len() < MAX_LINE {
            line.push(b'\n');
            return line;
        }
        if !shorten_longest_string(&mut obj) {
            break;
        }
    }
    // Pathological (thousands of fields): keep only the essentials.
    let mut essentials = Map::new();
    for key in ["@level", "@message", "@module", "@timestamp"] {
        if let Some(v) = obj.remove(key) {
            essentials.insert(key.to_owned(), v);
        }
    }
    essentials.insert("@truncated".to_owned(), Value::Bool(true));
    let mut line = Value::Object(essentials).to_string().into_bytes();
    line.push(b'\n');
    line
}

const TRUNCATED: &str = "…[truncated]";

/// Halves the longest string value; false when nothing is left to shorten.
fn shorten_longest_string(obj: &mut Map<String, Value>) -> bool {
    let longest = obj
        .iter_mut()
        .filter_map(|(_, v)| match v {
            Value::String(s) if s.len() > 64 => Some(s),
            _ => None,
        })
        .max_by_key(|s| s.len());
    let Some(s) = longest else {
        return false;
    };
    let mut cut = s.len() / 2;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s.push_str(TRUNCATED);
    true
}

/// hclog's level names (`warning` would not be recognised).
fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl JsonVisitor<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.insert(field.name().to_owned(), value);
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value)
            .map_or_else(|| Value::String(value.to_string()), Value::Number);
        self.put(field, v);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::String(value.to_owned()));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // The whole chain: tonic/hyper errors say little at the top level.
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(e) = source {
            text.push_str(": ");
            text.push_str(&e.to_string());
            source = e.source();
        }
        self.put(field, Value::String(text));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::String(format!("{value:?}")));
    }
}

/// Replaces Rust's panic message with one Terraform recognises as a plugin
/// crash: a non-JSON line starting with `panic: `, then location, thread and
/// backtrace (Terraform keeps every line after it for its crash report).
pub fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        std::panic::set_hook(Box::new(|info| {
            let text = panic_text(info, &std::backtrace::Backtrace::force_capture());
            let _ = io::stderr().lock().write_all(text.as_bytes());
        }));
    });
}

fn panic_text(info: &std::panic::PanicHookInfo<'_>, backtrace: &dyn fmt::Display) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("Box<dyn Any>");
    let location = info.location().map_or_else(
        || "unknown location".to_owned(),
        |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
    );
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("<unnamed>");
    format!("panic: {message}\n\nthread '{thread}' panicked at {location}\n{backtrace}\n")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    /// Runs `f` under a JSON subscriber at `level`; returns the parsed lines.
    fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Map<String, Value>> {
        let buf = Buf::default();
        let subscriber =
            Registry::default().with(JsonLayer::new(buf.clone()).with_filter(targets(level)));
        tracing::subscriber::with_default(subscriber, f);
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(out.is_empty() || out.ends_with('\n'));
        out.lines()
            .map(|l| match serde_json::from_str(l).unwrap() {
                Value::Object(m) => m,
                other => panic!("not an object: {other}"),
            })
            .collect()
    }

    fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
        m.get(k)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no string {k} in {m:?}"))
    }

    #[test]
    fn lines_have_hclog_shape() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!(
                count = 3u64,
                neg = -2i64,
                ok = true,
                ratio = 0.5f64,
                name = "x",
                "hello {}",
                1
            );
            tracing::warn!("w");
            tracing::error!(
                error = &io::Error::other("boom") as &dyn std::error::Error,
                "e"
            );
        });
        let levels: Vec<&str> = lines.iter().map(|l| s(l, "@level")).collect();
        assert_eq!(levels, ["trace", "debug", "info", "warn", "error"]);
        let ts = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").unwrap();
        for l in &lines {
            assert!(ts.is_match(s(l, "@timestamp")), "{l:?}");
            assert_eq!(s(l, "@module"), MODULE);
        }
        let info = &lines[2];
        assert_eq!(s(info, "@message"), "hello 1");
        assert_eq!(info["count"], Value::from(3u64));
        assert_eq!(info["neg"], Value::from(-2i64));
        assert_eq!(info["ok"], Value::Bool(true));
        assert_eq!(info["ratio"].as_f64(), Some(0.5));
        assert_eq!(s(info, "name"), "x");
        assert!(!info.contains_key("message"));
        assert_eq!(s(&lines[4], "error"), "boom");
    }

    #[test]
    fn span_fields_are_flattened_and_event_fields_win() {
        let lines = capture(LevelFilter::TRACE, || {
            let outer = tracing::info_span!("rpc", rpc = "ApplyResourceChange", k = "span");
            let _o = outer.enter();
            let inner = tracing::info_span!("res", resource = tracing::field::Empty);
            inner.record("resource", "hybridnet_vpn_connection");
            let _i = inner.enter();
            tracing::info!(k = "event", "msg");
        });
        assert_eq!(lines.len(), 1);
        assert_eq!(s(&lines[0], "rpc"), "ApplyResourceChange");
        assert_eq!(s(&lines[0], "resource"), "hybridnet_vpn_connection");
        assert_eq!(s(&lines[0], "k"), "event");
    }

    #[test]
    fn level_filter_applies_and_foreign_crates_are_capped() {
        let lines = capture(LevelFilter::INFO, || {
            tracing::debug!("hidden");
            tracing::info!("shown");
        });
        assert_eq!(lines.len(), 1);

        let t = targets(LevelFilter::TRACE);
        assert!(t.would_enable("hybridnet::tfplugin::serve", &Level::TRACE));
        assert!(t.would_enable("terraform_provider_hybridnet", &Level::TRACE));
        assert!(!t.would_enable("h2::codec", &Level::DEBUG));
        assert!(t.would_enable("h2::codec", &Level::INFO));
        let t = targets(LevelFilter::WARN);
        assert!(!t.would_enable("tonic", &Level::INFO));
    }

    #[test]
    fn module_names() {
        assert_eq!(module_for("hybridnet::cloud::jd"), MODULE);
        assert_eq!(module_for("h2::proto"), format!("{MODULE}.h2"));
    }

    #[test]
    fn long_lines_are_truncated_below_64k() {
        let big = "é".repeat(100_000);
        let mut fields = Map::new();
        fields.insert("body".to_owned(), Value::String(big.clone()));
        let line = format_line(
            Level::INFO,
            &big,
            MODULE,
            "2026-11-22T14:36:38.574123Z",
            fields,
        );
        assert!(line.len() < 64 * 1024, "{}", line.len());
        assert!(line.ends_with(b"\n"));
        let v: Value = serde_json::from_slice(&line).unwrap();
        assert!(v["@message"].as_str().unwrap().ends_with(TRUNCATED));
        assert_eq!(v["@level"], "info");

        let mut many = Map::new();
        for i in 0..10_000 {
            many.insert(format!("field_{i}"), Value::from(i));
        }
        let line = format_line(Level::WARN, "m", MODULE, "t", many);
        assert!(line.len() < 64 * 1024);
        let v: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(v["@truncated"], Value::Bool(true));
        assert_eq!(v["@message"], "m");
    }

    #[test]
    fn level_from_terraform_variables() {
        let lvl = |vars: &[(&str, &str)]| {
            let m: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            level_from_vars(|k| m.get(k).cloned())
        };
        assert_eq!(lvl(&[]), None);
        assert_eq!(lvl(&[("TF_LOG", "off")]), None);
        assert_eq!(lvl(&[("TF_LOG", "debug")]), Some(LevelFilter::DEBUG));
        assert_eq!(lvl(&[("TF_LOG", "JSON")]), Some(LevelFilter::TRACE));
        assert_eq!(lvl(&[("TF_LOG", "TRACE")]), Some(LevelFilter::TRACE));
        assert_eq!(lvl(&[("TF_LOG", "bogus")]), Some(LevelFilter::TRACE));
        assert_eq!(
            lvl(&[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "WARN")]),
            Some(LevelFilter::WARN)
        );
        assert_eq!(
            lvl(&[("TF_LOG_PROVIDER", "error")]),
            Some(LevelFilter::ERROR)
        );
        assert_eq!(lvl(&[("TF_LOG_PROVIDER", "INFO")]), Some(LevelFilter::INFO));
        assert_eq!(
            lvl(&[("TF_LOG", "INFO"), ("TF_LOG_PROVIDER", "")]),
            Some(LevelFilter::INFO)
        );
    }

    #[test]
    fn panic_text_starts_with_panic_prefix() {
        let captured = Arc::new(Mutex::new(String::new()));
        let sink = captured.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            *sink.lock().unwrap() = panic_text(info, &"<backtrace>");
        }));
        let _ = std::panic::catch_unwind(|| panic!("kaboom {}", 42));
        std::panic::set_hook(previous);
        let text = captured.lock().unwrap().clone();
        assert!(text.starts_with("panic: kaboom 42\n"), "{text}");
        assert!(text.contains("src/logging.rs:"), "{text}");
        assert!(text.contains("<backtrace>"), "{text}");
    }
}
