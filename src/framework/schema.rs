//! Schemas, declared with builders. Everything the plan and validation logic
//! needs (requires-replace, use-state-for-unknown, defaults, sensitivity,
//! validators, descriptions) is data here, not code in a resource.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::timeouts::{self, format_duration, DurationString, Op, Timeouts};
use super::validate::{self, ObjectValidator, Validator};
use super::value::{Type, Value};

/// A resource's or the provider's schema.
#[derive(Clone)]
pub struct Schema {
    /// Stored in state as `schema_version`; bumped when state needs upgrading.
    pub version: i64,
    pub block: Block,
    /// Default operation timeouts; `Some` adds a `timeouts` block.
    pub timeouts: Option<Timeouts>,
}

impl Schema {
    pub fn new(description: &str) -> Schema {
        Schema {
            version: 0,
            block: Block::new(description),
            timeouts: None,
        }
    }
    pub fn version(mut self, v: i64) -> Schema {
        self.version = v;
        self
    }
    pub fn attribute(mut self, a: Attribute) -> Schema {
        self.block.attributes.push(a);
        self
    }
    pub fn block(mut self, b: NestedBlock) -> Schema {
        self.block.blocks.push(b);
        self
    }
    pub fn validator(mut self, v: impl ObjectValidator + 'static) -> Schema {
        self.block.validators.push(Arc::new(v));
        self
    }
    /// Adds the standard `timeouts` block with these defaults.
    pub fn timeouts(mut self, t: Timeouts) -> Schema {
        self.block.blocks.push(timeouts_block(&t));
        self.timeouts = Some(t);
        self
    }
    pub fn ty(&self) -> Type {
        self.block.implied_type()
    }
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.block.attributes.iter().find(|a| a.name == name)
    }
}

#[derive(Clone, Default)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Cross-attribute rules, run on the whole object.
    pub validators: Vec<Arc<dyn ObjectValidator>>,
}

impl Block {
    pub fn new(description: &str) -> Block {
        Block {
            description: description.to_string(),
            ..Block::default()
        }
    }
    pub fn attribute(mut self, a: Attribute) -> Block {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, b: NestedBlock) -> Block {
        self.blocks.push(b);
        self
    }
    pub fn validator(mut self, v: impl ObjectValidator + 'static) -> Block {
        self.validators.push(Arc::new(v));
        self
    }

    /// The object type a value of this block has on the wire.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            attrs.insert(b.name.clone(), b.ty());
        }
        Type::Object(attrs)
    }

    /// Runs every validator on the known parts of `value` (a config value),
    /// after the checks every attribute gets from its declaration: a
    /// required attribute is not null, no list, set or map element is null,
    /// and an integer attribute holds an integer that fits. Unknown values
    /// are skipped: Terraform validates again at plan, when they may be known.
    ///
    /// Messages about a sensitive attribute never contain its value (see
    /// [`validate::redacted`]).
    pub fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if !matches!(value, Value::Object(_)) {
            return;
        }
        for a in &self.attributes {
            let v = value.get(&a.name);
            let p = path.child(&a.name);
            if v.is_null() && a.required {
                diags.add_attr_error(
                    &p,
                    "Missing required argument",
                    format!("{p} is required and must not be null."),
                );
                continue;
            }
            if v.is_null() || v.is_unknown() {
                continue;
            }
            if a.computed && !a.optional && !a.required {
                diags.add_attr_error(
                    &p,
                    "Value for unconfigurable attribute",
                    format!(
                        "Can't configure a value for {p}: its value will be decided automatically."
                    ),
                );
                continue;
            }
            let before = diags.0.len();
            null_elements(v, &p, diags);
            if a.integer {
                check_integer(v, &p, diags);
            }
            if diags.0.len() > before {
                // The value's shape is wrong; its rules would only repeat that.
                continue;
            }
            for val in &a.validators {
                if a.sensitive {
                    let mut own = Diagnostics::new();
                    val.validate(v, &p, &mut own);
                    for d in own.0 {
                        diags.push(validate::redacted(d, &val.description()));
                    }
                } else {
                    val.validate(v, &p, diags);
                }
            }
        }
        for b in &self.blocks {
            let v = value.get(&b.name);
            let p = path.child(&b.name);
            match (b.nesting, v) {
                (Nesting::Single, Value::Object(_)) => b.block.validate(v, &p, diags),
                (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
                    if let Some(max) = b.max_items.filter(|m| items.len() > *m) {
                        diags.add_attr_error(
                            &p,
                            "Too many blocks",
                            format!("No more than {max} {:?} blocks are allowed.", b.name),
                        );
                    }
                    if items.len() < b.min_items && v.is_wholly_known() {
                        diags.add_attr_error(
                            &p,
                            "Not enough blocks",
                            format!("At least {} {:?} blocks are required.", b.min_items, b.name),
                        );
                    }
                    for (i, item) in items.iter().enumerate() {
                        b.block.validate(item, &p.index(i), diags);
                    }
                }
                _ => {}
            }
        }
        let secrets = self.sensitive_values(value);
        for v in &self.validators {
            if secrets.is_empty() {
                v.validate(value, path, diags);
                continue;
            }
            let mut own = Diagnostics::new();
            v.validate(value, path, &mut own);
            for d in own.0 {
                let leaks = secrets.iter().any(|s| validate::mentions(&d, s));
                diags.push(if leaks {
                    validate::redacted_rule(d, &v.description())
                } else {
                    d
                });
            }
        }
    }

    /// The known, non-empty values of sensitive attributes in `value`,
    /// nested blocks included: what an object rule's message must not quote.
    fn sensitive_values(&self, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for a in self.attributes.iter().filter(|a| a.sensitive) {
            collect_strings(value.get(&a.name), &mut out);
        }
        for b in &self.blocks {
            match value.get(&b.name) {
                v @ Value::Object(_) => out.extend(b.block.sensitive_values(v)),
                Value::List(items) | Value::Set(items) => {
                    for item in items {
                        out.extend(b.block.sensitive_values(item));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether any attribute, at any depth, is write-only.
    pub fn has_write_only(&self) -> bool {
        self.attributes.iter().any(|a| a.write_only)
            || self.blocks.iter().any(|b| b.block.has_write_only())
    }

    /// `value` with every write-only attribute null: what Terraform must get
    /// back in any plan or state.
    pub fn null_write_only(&self, value: &Value) -> Value {
        if !self.has_write_only() {
            return value.clone();
        }
        self.map_write_only(value, &Value::Null, &|_| Value::Null)
    }

    /// `planned` with each write-only attribute taken from `config`: what a
    /// create or update works on (the plan holds them null).
    pub fn with_write_only_from(&self, planned: &Value, config: &Value) -> Value {
        if !self.has_write_only() {
            return planned.clone();
        }
        self.map_write_only(planned, config, &|c| c.clone())
    }

    /// Replaces each write-only attribute of `value` by `f` of the matching
    /// `config` value. Blocks are matched by position (list) or as the one
    /// block (single); write-only attributes are refused in set blocks.
    fn map_write_only(&self, value: &Value, config: &Value, f: &dyn Fn(&Value) -> Value) -> Value {
        let Value::Object(m) = value else {
            return value.clone();
        };
        let mut out = m.clone();
        for a in self.attributes.iter().filter(|a| a.write_only) {
            out.insert(a.name.clone(), f(config.get(&a.name)));
        }
        for b in self.blocks.iter().filter(|b| b.block.has_write_only()) {
            let c = config.get(&b.name);
            let nv = match (b.nesting, m.get(&b.name)) {
                (Nesting::Single, Some(v @ Value::Object(_))) => b.block.map_write_only(v, c, f),
                (Nesting::List, Some(Value::List(items))) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, x)| {
                            let ci = c.as_list().and_then(|l| l.get(i)).unwrap_or(&Value::Null);
                            b.block.map_write_only(x, ci, f)
                        })
                        .collect(),
                ),
                (_, Some(other)) => other.clone(),
                (_, None) => continue,
            };
            out.insert(b.name.clone(), nv);
        }
        Value::Object(out)
    }

    /// Paths of the write-only attributes `config` sets (unknown counts: it
    /// will be set).
    pub fn write_only_paths(&self, config: &Value, path: &AttrPath) -> Vec<AttrPath> {
        let mut out = Vec::new();
        if !matches!(config, Value::Object(_)) {
            return out;
        }
        for a in self.attributes.iter().filter(|a| a.write_only) {
            if !config.get(&a.name).is_null() {
                out.push(path.child(&a.name));
            }
        }
        for b in self.blocks.iter().filter(|b| b.block.has_write_only()) {
            let p = path.child(&b.name);
            match config.get(&b.name) {
                v @ Value::Object(_) => out.extend(b.block.write_only_paths(v, &p)),
                Value::List(items) | Value::Set(items) => {
                    for (i, item) in items.iter().enumerate() {
                        out.extend(b.block.write_only_paths(item, &p.index(i)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Structural checks newer Terraform runs on every schema
    /// (`InternalValidate`); a unit test runs them on all our schemas.
    pub fn internal_validate(&self, path: &str) -> Result<(), String> {
        let name_ok = |n: &str| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.attributes {
            let p = format!("{path}.{}", a.name);
            if !name_ok(&a.name) {
                return Err(format!("{p}: invalid name"));
            }
            if !seen.insert(a.name.as_str()) {
                return Err(format!("{p}: duplicate name"));
            }
            match (a.required, a.optional, a.computed) {
                (true, false, false) | (false, true, _) | (false, false, true) => {}
                _ => return Err(format!("{p}: must be exactly one of required, optional, computed (optional may be computed)")),
            }
            if a.default.is_some() && !(a.optional && a.computed) {
                return Err(format!("{p}: a default needs optional+computed"));
            }
            if a.description.is_empty() {
                return Err(format!("{p}: missing description"));
            }
            if a.write_only && (a.computed || a.default.is_some()) {
                return Err(format!("{p}: a write-only attribute cannot be computed"));
            }
        }
        for b in &self.blocks {
            let p = format!("{path}.{}", b.name);
            if !name_ok(&b.name) || !seen.insert(b.name.as_str()) {
                return Err(format!("{p}: invalid or duplicate block name"));
            }
            if b.nesting == Nesting::Single && b.min_items > 1 {
                return Err(format!("{p}: single block with min_items > 1"));
            }
            if let Some(max) = b.max_items {
                if b.min_items > max {
                    return Err(format!("{p}: min_items > max_items"));
                }
            }
            if b.block.description.is_empty() {
                return Err(format!("{p}: missing description"));
            }
            // Set elements are matched by value, which a null stand-in would break.
            if b.nesting == Nesting::Set && b.block.has_write_only() {
                return Err(format!(
                    "{p}: a set block cannot hold write-only attributes"
                ));
            }
            b.block.internal_validate(&p)?;
        }
        Ok(())
    }
}

/// Reports every null element of a list, set or map (at any depth) at its
/// own path: Terraform lets `[null]` through, and no cloud takes it.
fn null_elements(v: &Value, p: &AttrPath, diags: &mut Diagnostics) {
    let children: Vec<(AttrPath, &Value)> = match v {
        Value::List(items) | Value::Set(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (p.index(i), item))
            .collect(),
        Value::Map(m) => m.iter().map(|(k, item)| (p.key(k), item)).collect(),
        _ => return,
    };
    for (at, item) in children {
        if item.is_null() {
            diags.add_attr_error(
                &at,
                "Invalid attribute value",
                format!("{at} must not be null."),
            );
        } else {
            null_elements(item, &at, diags);
        }
    }
}

/// An integer attribute's value must be a whole number that fits an `i64`
/// (typed state reads it as one): `1.5` and `1e400` are refused here, by name.
fn check_integer(v: &Value, p: &AttrPath, diags: &mut Diagnostics) {
    if let Value::Number(n) = v {
        if n.as_i64().is_none() {
            diags.add_attr_error(
                p,
                "Invalid attribute value",
                format!(
                    "{p} must be a whole number from {} to {}, got {}.",
                    i64::MIN,
                    i64::MAX,
                    n.display_short()
                ),
            );
        }
    }
}

/// Every known string inside `v` that is worth hiding (not empty).
fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::List(items) | Value::Set(items) => {
            items.iter().for_each(|x| collect_strings(x, out));
        }
        Value::Map(m) | Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    /// Markdown; rendered into docs and `terraform providers schema`.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// A number that must be a whole `i64` (checked before the validators).
    pub integer: bool,
    pub deprecated: bool,
    /// Changing the value destroys and recreates the resource.
    pub requires_replace: bool,
    /// A computed value that does not change once set: plan keeps the prior
    /// value instead of "(known after apply)".
    pub use_state_for_unknown: bool,
    /// Value planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    /// Only in the configuration: Terraform (1.11 and later) stores it in
    /// neither plan nor state, and the framework returns it null everywhere
    /// (docs/design/plugin-protocol.md §8).
    pub write_only: bool,
    pub validators: Vec<Arc<dyn Validator>>,
}

/// Builder methods that each set one flag of an [`Attribute`].
macro_rules! flag_setters {
    ($($flag:ident),* $(,)?) => {
        $(
            pub fn $flag(mut self) -> Attribute {
                self.$flag = true;
                self
            }
        )*
    };
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            integer: false,
            deprecated: false,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            write_only: false,
            validators: Vec::new(),
        }
    }
    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }
    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }
    /// A number that must be a whole number fitting `i64`.
    pub fn int(name: &str) -> Attribute {
        Attribute {
            integer: true,
            ..Attribute::new(name, Type::Number)
        }
    }
    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }
    pub fn string_list(name: &str) -> Attribute {
        Attribute::new(name, Type::list(Type::String))
    }
    flag_setters!(
        required,
        optional,
        computed,
        sensitive,
        requires_replace,
        use_state_for_unknown,
    );
    /// The computed `id` every resource has, kept across plans once known.
    pub fn id(description: &str) -> Attribute {
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description(description)
    }
    /// Sets a default; the attribute becomes optional+computed, as Terraform
    /// requires for a value the provider fills in.
    pub fn default(mut self, v: Value) -> Attribute {
        self.default = Some(v);
        self.optional = true;
        self.computed = true;
        self
    }
    /// A write-only argument: the resource gets it from the configuration on
    /// create and update, and it is null in every plan and state.
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }
    pub fn description(mut self, d: &str) -> Attribute {
        self.description = d.to_string();
        self
    }
    pub fn validator(mut self, v: impl Validator + 'static) -> Attribute {
        self.validators.push(Arc::new(v));
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; null when absent.
    Single,
    /// Ordered blocks; an empty list when absent.
    List,
    /// Unordered blocks; an empty set when absent.
    Set,
}

#[derive(Clone)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub min_items: usize,
    pub max_items: Option<usize>,
    pub block: Block,
}

impl NestedBlock {
    pub fn new(name: &str, nesting: Nesting, block: Block) -> NestedBlock {
        NestedBlock {
            name: name.to_string(),
            nesting,
            min_items: 0,
            max_items: None,
            block,
        }
    }
    pub fn items(mut self, min: usize, max: Option<usize>) -> NestedBlock {
        self.min_items = min;
        self.max_items = max;
        self
    }
    pub fn ty(&self) -> Type {
        let obj = self.block.implied_type();
        match self.nesting {
            Nesting::Single => obj,
            Nesting::List => Type::list(obj),
            Nesting::Set => Type::set(obj),
        }
    }
    /// The value Terraform expects when no block is written.
    pub fn empty_value(&self) -> Value {
        match self.nesting {
            Nesting::Single => Value::Null,
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
        }
    }
}

/// Puts a value into the exact shape of `block`: every attribute present
/// (null when missing), absent list/set blocks as empty collections.
/// Typed state decoded from JSON goes through this before it reaches Terraform.
pub fn conform(block: &Block, v: &Value) -> Value {
    let Value::Object(m) = v else {
        return Value::Null;
    };
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        out.insert(a.name.clone(), m.get(&a.name).cloned().unwrap_or_default());
    }
    for b in &block.blocks {
        let value = match (b.nesting, m.get(&b.name)) {
            (Nesting::Single, Some(x @ Value::Object(_))) => conform(&b.block, x),
            (Nesting::List, Some(Value::List(items))) => {
                Value::List(items.iter().map(|x| conform(&b.block, x)).collect())
            }
            (Nesting::Set, Some(Value::Set(items) | Value::List(items))) => {
                Value::Set(items.iter().map(|x| conform(&b.block, x)).collect())
            }
            (_, Some(Value::Unknown)) => Value::Unknown,
            _ => b.empty_value(),
        };
        out.insert(b.name.clone(), value);
    }
    Value::Object(out)
}

/// The standard `timeouts` block, its defaults in the descriptions.
fn timeouts_block(t: &Timeouts) -> NestedBlock {
    let mut b = Block::new(
        "Limits on how long each operation may take, as durations such as `30s`, `10m` or `1h`, from `1s` to `24h`.",
    );
    for op in [Op::Create, Op::Read, Op::Update, Op::Delete] {
        let desc = format!(
            "How long to wait for the {} operation (default `{}`).",
            op.name(),
            format_duration(t.default_for(op))
        );
        b = b.attribute(
            Attribute::string(op.name())
                .optional()
                .description(&desc)
                .validator(DurationString),
        );
    }
    NestedBlock::new(timeouts::BLOCK, Nesting::Single, b)
}

#[cfg(test)]
mod tests;
