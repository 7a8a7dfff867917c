//! Renders `docs/` from the schemas (descriptions, validators, defaults,
//! timeouts) and the example files, in the Terraform registry's layout.
//! `tests/docs_up_to_date.rs` fails when the committed docs are stale.

use std::collections::BTreeMap;
use std::path::Path;

use crate::framework::timeouts::{self, format_duration};
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
    index.push_str("\n## Resources\n\n");
    for r in p.resources() {
        let short = r
            .type_name()
            .trim_start_matches(&format!("{NAME}_"))
            .to_string();
        index.push_str(&format!("- [`{}`](resources/{short}.md)\n", r.type_name()));
        out.insert(
            format!("docs/resources/{short}.md"),
            render_resource(repo_root, r.type_name(), r.schema()),
        );
    }
    let sources = p.data_sources();
    if !sources.is_empty() {
        index.push_str("\n## Data Sources\n\n");
    }
    for r in sources {
        let short = r
            .type_name()
            .trim_start_matches(&format!("{NAME}_"))
            .to_string();
        index.push_str(&format!(
            "- [`{}`](data-sources/{short}.md)\n",
            r.type_name()
        ));
        out.insert(
            format!("docs/data-sources/{short}.md"),
            render_data_source(repo_root, r.type_name(), r.schema()),
        );
    }
    let ephemeral = p.ephemeral_resources();
    if !ephemeral.is_empty() {
        index.push_str("\n## Ephemeral Resources\n\n");
    }
    for r in ephemeral {
        let short = r
            .type_name()
            .trim_start_matches(&format!("{NAME}_"))
            .to_string();
        index.push_str(&format!(
            "- [`{}`](ephemeral-resources/{short}.md)\n",
            r.type_name()
        ));
        out.insert(
            format!("docs/ephemeral-resources/{short}.md"),
            render_ephemeral(repo_root, r.type_name(), r.schema()),
        );
    }
    out.insert("docs/index.md".to_string(), index);
    out
}

/// An ephemeral resource's page: its example and schema. Terraform 1.10 and
/// later open it for one run and store none of it.
fn render_ephemeral(root: &Path, type_name: &str, schema: &Schema) -> String {
    let mut s = format!(
        "# {type_name} (Ephemeral Resource)\n\n{}\n\n\
         Ephemeral resources need Terraform 1.10 or later; their values are never written to the plan \
         or the state.\n\n",
        schema.block.description
    );
    s.push_str(&format!(
        "## Example Usage\n\n```terraform\n{}```\n\n## Schema\n\n",
        read(
            root,
            &format!("examples/ephemeral-resources/{type_name}/ephemeral-resource.tf")
        )
    ));
    render_block(&mut s, &schema.block, "");
    s
}

/// A data source's page: what `render_resource` gives a resource, less
/// import, plus whatever extra section the data source writes about itself
/// (such as a table of values) from `examples/data-sources/<type>/notes.md`
/// or from code ([`crate::resources::data_source_notes`]).
fn render_data_source(root: &Path, type_name: &str, schema: &Schema) -> String {
    let mut s = format!(
        "# {type_name} (Data Source)\n\n{}\n\n",
        schema.block.description
    );
    s.push_str(&format!(
        "## Example Usage\n\n```terraform\n{}```\n\n## Schema\n\n",
        read(
            root,
            &format!("examples/data-sources/{type_name}/data-source.tf")
        )
    ));
    render_block(&mut s, &schema.block, "");
    if let Some(t) = &schema.timeouts {
        s.push_str(&format!(
            "\n## Timeouts\n\n| Operation | Default |\n|---|---|\n| `read` | `{}` |\n",
            format_duration(t.default_for(timeouts::Op::Read))
        ));
    }
    if let Some(notes) = crate::resources::data_source_notes(type_name) {
        s.push('\n');
        s.push_str(&notes);
    }
    s
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|_| format!("# (missing {rel})\n"))
}

fn render_resource(root: &Path, type_name: &str, schema: &Schema) -> String {
    let mut s = format!(
        "# {type_name} (Resource)\n\n{}\n\n",
        schema.block.description
    );
    s.push_str(&format!(
        "## Example Usage\n\n```terraform\n{}```\n\n## Schema\n\n",
        read(root, &format!("examples/resources/{type_name}/resource.tf"))
    ));
    render_block(&mut s, &schema.block, "");
    if let Some(t) = &schema.timeouts {
        s.push_str("\n## Timeouts\n\n| Operation | Default |\n|---|---|\n");
        for op in [
            timeouts::Op::Create,
            timeouts::Op::Read,
            timeouts::Op::Update,
            timeouts::Op::Delete,
        ] {
            s.push_str(&format!(
                "| `{}` | `{}` |\n",
                op.name(),
                format_duration(t.default_for(op))
            ));
        }
    }
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
    s
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
