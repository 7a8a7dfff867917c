//! Every scenario under examples/ (a directory with a main.tf; not provider/, resources/ or
//! data-sources/, which feed the generated docs) has a README.md with a Mermaid flowchart of its
//! topology that names every resource and data source type its main.tf declares, lists every
//! variable and output, and says how to run it against the sandbox. No Terraform: it reads files.
use std::path::Path;

/// Directories under examples/ that hold the generated docs' snippets, not scenarios.
const NOT_SCENARIOS: [&str; 3] = ["provider", "resources", "data-sources"];

/// What main.tf declares at its top level.
#[derive(Debug, Default, PartialEq)]
struct Declared {
    resources: Vec<String>,
    data_sources: Vec<String>,
    variables: Vec<String>,
    outputs: Vec<String>,
}

/// The first quoted word after `keyword` at the start of a line: `resource "TYPE" "name"` → TYPE.
fn first_label<'a>(line: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(keyword)?.trim_start().strip_prefix('"')?;
    rest.split('"').next().filter(|s| !s.is_empty())
}

fn declared(main_tf: &str) -> Declared {
    let mut d = Declared::default();
    for line in main_tf.lines().map(str::trim_start) {
        let lists: [(&str, &mut Vec<String>); 4] = [
            ("resource ", &mut d.resources),
            ("data ", &mut d.data_sources),
            ("variable ", &mut d.variables),
            ("output ", &mut d.outputs),
        ];
        for (keyword, list) in lists {
            if let Some(label) = first_label(line, keyword) {
                if !list.iter().any(|l| l == label) {
                    list.push(label.to_owned());
                }
            }
        }
    }
    d
}

/// `word` occurs in `text` with no identifier character on either side, so that
/// `hybridnet_jdcloud_customer_gateway_addresses` does not count for
/// `hybridnet_jdcloud_customer_gateway`.
fn mentions(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The body of the `## heading` section (up to the next `## `), if there is one.
fn section<'a>(readme: &'a str, heading: &str) -> Option<&'a str> {
    let start = readme.find(&format!("\n## {heading}\n"))? + heading.len() + 5;
    let body = &readme[start..];
    Some(body.find("\n## ").map_or(body, |end| &body[..end]))
}

/// The ```mermaid blocks of a README.
fn mermaid_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```mermaid") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), l) => lines.push(l),
            (None, _) => {}
        }
    }
    blocks
}

/// What is missing from the README of example `name`, whose main.tf is `main_tf`.
fn problems(name: &str, main_tf: &str, readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let d = declared(main_tf);
    let blocks = mermaid_blocks(readme);
    if !blocks.iter().any(|b| {
        b.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .is_some_and(|first| first.starts_with("flowchart "))
    }) {
        out.push("no ```mermaid block starting with `flowchart`".to_owned());
    }
    for (kind, types) in [("resource", &d.resources), ("data source", &d.data_sources)] {
        for t in types {
            if !mentions(readme, t) {
                out.push(format!("{kind} type {t} not mentioned"));
            }
        }
    }
    for (heading, names) in [("Variables", &d.variables), ("Outputs", &d.outputs)] {
        match section(readme, heading) {
            None => out.push(format!("no `## {heading}` section")),
            Some(body) => {
                for n in names {
                    if !body.contains(&format!("`{n}`")) {
                        out.push(format!("`{n}` not listed under `## {heading}`"));
                    }
                }
            }
        }
    }
    let demo = format!("DEMO_EXAMPLE=examples/{name} scripts/demo.sh");
    if !readme.contains(&demo) {
        out.push(format!("does not show `{demo}`"));
    }
    if !readme.contains("../../README.md#try-your-own-configuration") {
        out.push("no link to the README's \"Try your own configuration\"".to_owned());
    }
    out
}

/// What main.tf declares, plus what the modules it calls (`source = "../../modules/NAME"`)
/// declare: a README of an example that calls a module describes what that module builds.
fn declared_with_modules(main_tf: &str, root: &Path) -> (Declared, Vec<String>) {
    let mut d = declared(main_tf);
    let mut modules = Vec::new();
    for line in main_tf.lines().map(str::trim) {
        let Some(name) = line
            .strip_prefix("source")
            .map(|rest| rest.trim_start().trim_start_matches('=').trim())
            .and_then(|v| v.strip_prefix("\"../../modules/"))
            .and_then(|v| v.strip_suffix('"'))
        else {
            continue;
        };
        let module_tf = std::fs::read_to_string(root.join("modules").join(name).join("main.tf"))
            .unwrap_or_else(|e| panic!("modules/{name}/main.tf: {e}"));
        let inner = declared(&module_tf);
        for (list, from) in [
            (&mut d.resources, inner.resources),
            (&mut d.data_sources, inner.data_sources),
        ] {
            for t in from {
                if !list.contains(&t) {
                    list.push(t);
                }
            }
        }
        modules.push(name.to_owned());
    }
    (d, modules)
}

#[test]
fn every_scenario_has_a_readme_with_its_topology() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The link target the READMEs point to must exist.
    let top = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        top.contains("\n## Try your own configuration\n"),
        "README.md lost its \"Try your own configuration\" section, which the example READMEs link to"
    );

    let mut scenarios = Vec::new();
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if path.join("main.tf").is_file() && !NOT_SCENARIOS.contains(&name.as_str()) {
            scenarios.push(name);
        }
    }
    scenarios.sort();
    assert!(
        scenarios.len() >= 2,
        "found too few scenarios under examples/: {scenarios:?}"
    );

    let mut failures = Vec::new();
    for name in &scenarios {
        let dir = root.join("examples").join(name);
        let main_tf = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let Ok(readme) = std::fs::read_to_string(dir.join("README.md")) else {
            failures.push(format!("examples/{name}: no README.md"));
            continue;
        };
        for p in problems(name, &main_tf, &readme) {
            failures.push(format!("examples/{name}/README.md: {p}"));
        }
        // An example calling a module names it and every resource type it builds.
        let (inner, modules) = declared_with_modules(&main_tf, root);
        for m in &modules {
            if !readme.contains(&format!("modules/{m}")) {
                failures.push(format!(
                    "examples/{name}/README.md: does not name modules/{m}"
                ));
            }
        }
        for t in inner.resources.iter().chain(&inner.data_sources) {
            if !mentions(&readme, t) {
                failures.push(format!(
                    "examples/{name}/README.md: {t} (built by a module it calls) not mentioned"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const SAMPLE_TF: &str = r#"
variable "psk" {
  type = string
}
data "hybridnet_ipsec_profile" "p" {}
resource "hybridnet_jdcloud_customer_gateway" "a" {
  name = "x"
}
resource "hybridnet_jdcloud_customer_gateway_addresses" "a" {
  dynamic "tunnel" {
  }
}
resource "hybridnet_jdcloud_customer_gateway" "b" {}
output "ips" {
  value = 1
}
"#;

const SAMPLE_README: &str = "# x

Uses `hybridnet_jdcloud_customer_gateway`, `hybridnet_jdcloud_customer_gateway_addresses` and
`data \"hybridnet_ipsec_profile\"`.

```mermaid
flowchart LR
  a --- b
```

Run `DEMO_EXAMPLE=examples/x scripts/demo.sh`; see
[Try your own configuration](../../README.md#try-your-own-configuration).

## Variables

| `psk` | |

## Outputs

| `ips` | |
";

#[test]
fn the_checker_reads_main_tf_declarations() {
    assert_eq!(
        declared(SAMPLE_TF),
        Declared {
            resources: vec![
                "hybridnet_jdcloud_customer_gateway".into(),
                "hybridnet_jdcloud_customer_gateway_addresses".into(),
            ],
            data_sources: vec!["hybridnet_ipsec_profile".into()],
            variables: vec!["psk".into()],
            outputs: vec!["ips".into()],
        }
    );
}

#[test]
fn the_checker_accepts_a_complete_readme_and_names_what_is_missing() {
    assert_eq!(
        problems("x", SAMPLE_TF, SAMPLE_README),
        Vec::<String>::new()
    );

    // A type mentioned only as the prefix of a longer one does not count.
    let only_longer = SAMPLE_README.replace("`hybridnet_jdcloud_customer_gateway`, ", "");
    assert_eq!(
        problems("x", SAMPLE_TF, &only_longer),
        ["resource type hybridnet_jdcloud_customer_gateway not mentioned"]
    );

    // An output named elsewhere than under `## Outputs` does not count.
    let misplaced = SAMPLE_README
        .replace("| `ips` | |", "")
        .replace("## Variables", "`ips`\n\n## Variables");
    assert_eq!(
        problems("x", SAMPLE_TF, &misplaced),
        ["`ips` not listed under `## Outputs`"]
    );

    // A Mermaid block that is not a flowchart, and another example's demo command.
    let no_flowchart = SAMPLE_README.replace("flowchart LR", "sequenceDiagram");
    assert_eq!(
        problems("x", SAMPLE_TF, &no_flowchart),
        ["no ```mermaid block starting with `flowchart`"]
    );
    assert_eq!(
        problems("y", SAMPLE_TF, SAMPLE_README),
        ["does not show `DEMO_EXAMPLE=examples/y scripts/demo.sh`"]
    );

    // A missing section is named, not silently passed.
    let no_variables = SAMPLE_README.replace("## Variables", "## Inputs");
    assert_eq!(
        problems("x", SAMPLE_TF, &no_variables),
        ["no `## Variables` section"]
    );
}
