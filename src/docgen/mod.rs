//! Renders `docs/` from the schemas (descriptions, validators, defaults,
//! timeouts) and the example files, in the Terraform registry's layout.
//! `tests/docs_up_to_date.rs` fails when the committed docs are stale.

use std::collections::BTreeMap;
use std::path::Path;

use crate::framework::timeouts::{format_duration, Op};
use crate::framework::{Attribute, Block, Nesting, Provider, Schema, Type};
use crate::provider::{provider, NAME};

/// Every docs file, keyed by its path relative to the repository root.
pub fn render(repo_root: &Path) -> BTreeMap<String, String> {
    let p = provider();
    let mut out = BTreeMap::new();
    let example = read(repo_root, "examples/provider/provider.tf");
    let mut index = format!(
        "# {NAME} provider\n\n{}\n\n## Example Usage\n\n```terraform\n{}```\n\n## Schema\n\n",
        p.schema().block.description,
        example
    );
    render_block(&mut index, &p.schema().block, "");
    // How to keep pre-shared keys out of state: a guide, not a schema.
    index.push('\n');
    index.push_str(&read(repo_root, "examples/provider/keys-out-of-state.md"));
    let resources = p.resources();
    let sources = p.data_sources();
    let ephemeral = p.ephemeral_resources();
    let mut pages = Pages {
        root: repo_root,
        index: &mut index,
        out: &mut out,
    };
    pages.list(
        &RESOURCE,
        resources.iter().map(|r| (r.type_name(), r.schema())),
        |root, type_name, schema, s| {
            timeouts_table(s, schema, &[Op::Create, Op::Read, Op::Update, Op::Delete]);
            import_section(s, root, type_name);
        },
    );
    pages.list(
        &DATA_SOURCE,
        sources.iter().map(|r| (r.type_name(), r.schema())),
        |_, type_name, schema, s| {
            timeouts_table(s, schema, &[Op::Read]);
            if let Some(notes) = crate::resources::data_source_notes(type_name) {
                s.push('\n');
                s.push_str(&notes);
            }
        },
    );
    pages.list(
        &EPHEMERAL,
        ephemeral.iter().map(|r| (r.type_name(), r.schema())),
        |_, _, _, _| {},
    );
    out.insert("docs/index.md".to_string(), index);
    out
}

/// A kind of page: its title, its folder under `docs/` and `examples/`, the
/// example file each type has there, and what the page says before the example.
struct Kind {
    title: &'static str,
    heading: &'static str,
    dir: &'static str,
    example: &'static str,
    intro: &'static str,
}

const RESOURCE: Kind = Kind {
    title: "Resource",
    heading: "Resources",
    dir: "resources",
    example: "resource.tf",
    intro: "",
};

const DATA_SOURCE: Kind = Kind {
    title: "Data Source",
    heading: "Data Sources",
    dir: "data-sources",
    example: "data-source.tf",
    intro: "",
};

/// Terraform 1.10 and later open an ephemeral resource for one run and store none of it.
const EPHEMERAL: Kind = Kind {
    title: "Ephemeral Resource",
    heading: "Ephemeral Resources",
    dir: "ephemeral-resources",
    example: "ephemeral-resource.tf",
    intro:
        "Ephemeral resources need Terraform 1.10 or later; their values are never written to the \
            plan or the state.\n\n",
};

/// The index being written and the pages beside it.
struct Pages<'a> {
    root: &'a Path,
    index: &'a mut String,
    out: &'a mut BTreeMap<String, String>,
}

impl Pages<'_> {
    /// One index section and one page per type of `kind`: its description, example and schema,
    /// then whatever `rest` adds for that kind (timeouts, import, notes).
    fn list<'s>(
        &mut self,
        kind: &Kind,
        types: impl Iterator<Item = (&'static str, &'s Schema)>,
        rest: impl Fn(&Path, &str, &Schema, &mut String),
    ) {
        let mut types = types.peekable();
        if types.peek().is_some() {
            self.index.push_str(&format!("\n## {}\n\n", kind.heading));
        }
        for (type_name, schema) in types {
            let short = type_name.trim_start_matches(&format!("{NAME}_"));
            let dir = kind.dir;
            self.index
                .push_str(&format!("- [`{type_name}`]({dir}/{short}.md)\n"));
            let mut page = format!(
                "# {type_name} ({})\n\n{}\n\n{}## Example Usage\n\n```terraform\n{}```\n\n## Schema\n\n",
                kind.title,
                schema.block.description,
                kind.intro,
                read(
                    self.root,
                    &format!("examples/{dir}/{type_name}/{}", kind.example)
                )
            );
            render_block(&mut page, &schema.block, "");
            rest(self.root, type_name, schema, &mut page);
            self.out.insert(format!("docs/{dir}/{short}.md"), page);
        }
    }
}

/// The default of each of `ops`, when the schema has a `timeouts` block.
fn timeouts_table(s: &mut String, schema: &Schema, ops: &[Op]) {
    let Some(t) = &schema.timeouts else { return };
    s.push_str("\n## Timeouts\n\n| Operation | Default |\n|---|---|\n");
    for op in ops {
        s.push_str(&format!(
            "| `{}` | `{}` |\n",
            op.name(),
            format_duration(t.default_for(*op))
        ));
    }
}

/// How to import a resource: `import.md` (or the usual `[<region>/]<id>` text) and `import.sh`.
fn import_section(s: &mut String, root: &Path, type_name: &str) {
    let import_help =
        std::fs::read_to_string(root.join(format!("examples/resources/{type_name}/import.md")))
            .unwrap_or_else(|_| {
                "Import uses the ID, optionally prefixed with the region (`<region>/<id>`):\n"
                    .to_string()
            });
    s.push_str(&format!(
        "\n## Import\n\n{import_help}\n```shell\n{}```\n",
        read(root, &format!("examples/resources/{type_name}/import.sh"))
    ));
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|_| format!("# (missing {rel})\n"))
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(attrs) => format!(
            "Object of {}",
            attrs
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn attr_line(a: &Attribute) -> String {
    let mut notes = Vec::new();
    if a.sensitive {
        notes.push("Sensitive".to_string());
    }
    if a.write_only {
        notes.push("Write-only: Terraform 1.11 or later, kept out of plan and state".to_string());
    }
    if a.requires_replace {
        notes.push("Forces replacement".to_string());
    }
    if let Some(d) = &a.default {
        notes.push(format!("Default `{}`", d.to_json()));
    }
    let rules: Vec<String> = a.validators.iter().map(|v| v.description()).collect();
    let mut line = format!("- `{}` ({}", a.name, type_name(&a.ty));
    for n in &notes {
        line.push_str(&format!(", {n}"));
    }
    line.push_str(&format!(") {}", a.description));
    if !rules.is_empty() {
        line.push_str(&format!(" Must be {}.", rules.join("; ")));
    }
    line.push('\n');
    line
}

fn render_block(s: &mut String, b: &Block, anchor: &str) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional),
    ];
    for (title, pred) in groups.iter() {
        let attrs: Vec<&Attribute> = b.attributes.iter().filter(|a| pred(a)).collect();
        let blocks: Vec<_> = b
            .blocks
            .iter()
            .filter(|nb| (*title == "Required") == (nb.min_items > 0) && *title != "Read-Only")
            .collect();
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "### {title}{}\n\n",
            if anchor.is_empty() {
                String::new()
            } else {
                format!(" (`{anchor}`)")
            }
        ));
        for a in attrs {
            s.push_str(&attr_line(a));
        }
        for nb in blocks {
            let kind = match nb.nesting {
                Nesting::Single => "Block".to_string(),
                Nesting::List => format!(
                    "Block List, Max: {}",
                    nb.max_items.map_or("unlimited".into(), |m| m.to_string())
                ),
                Nesting::Set => "Block Set".to_string(),
            };
            s.push_str(&format!(
                "- `{}` ({kind}) {} See below.\n",
                nb.name, nb.block.description
            ));
        }
        s.push('\n');
    }
    for nb in &b.blocks {
        let path = if anchor.is_empty() {
            nb.name.clone()
        } else {
            format!("{anchor}.{}", nb.name)
        };
        render_block(s, &nb.block, &path);
    }
}
