//! Schemas, declared with builders. Everything the plan and validation logic
//! needs (requires-replace, use-state-for-unknown, defaults, sensitivity,
//! validators, descriptions) is data here, not code in a resource.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::timeouts::Timeouts;
use super::validate::{ObjectValidator, Validator};
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
        self.block.blocks.push(t.block());
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

    /// Runs every validator on the known parts of `value` (a config value).
    pub fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if !matches!(value, Value::Object(_)) {
            return;
        }
        for a in &self.attributes {
            let v = value.get(&a.name);
            let p = path.child(&a.name);
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
            for val in &a.validators {
                val.validate(v, &p, diags);
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
        for v in &self.validators {
            v.validate(value, path, diags);
        }
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
            b.block.internal_validate(&p)?;
        }
        Ok(())
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
    pub deprecated: bool,
    /// Changing the value destroys and recreates the resource.
    pub requires_replace: bool,
    /// A computed value that does not change once set: plan keeps the prior
    /// value instead of "(known after apply)".
    pub use_state_for_unknown: bool,
    /// Value planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
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
            deprecated: false,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            validators: Vec::new(),
        }
    }
    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }
    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }
    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }
    pub fn string_list(name: &str) -> Attribute {
        Attribute::new(name, Type::list(Type::String))
    }
    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn requires_replace(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }
    pub fn use_state_for_unknown(mut self) -> Attribute {
        self.use_state_for_unknown = true;
        self
    }
    /// Sets a default; the attribute becomes optional+computed, as Terraform
    /// requires for a value the provider fills in.
    pub fn default(mut self, v: Value) -> Attribute {
        self.default = Some(v);
        self.optional = true;
        self.computed = true;
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
