//! The HCL modules under `modules/`, driven by the real Terraform CLI against the sandbox:
//!
//! - every module (and example) is `terraform fmt`-clean and validates on every Terraform;
//! - every module README's inputs and outputs tables are what its `variables.tf` and
//!   `outputs.tf` say (regenerate with `HYBRIDNET_BLESS=1`), next to a Mermaid picture, a usage
//!   example and every resource type the module declares;
//! - `jdcloud-vpn-site` called with `for_each` over three sites in two regions through provider
//!   aliases: apply, empty re-plan, one key removed (only that site destroyed), a key renamed
//!   with a `moved` block (no destroy, no create; Terraform 1.1 and later), destroy;
//! - both link modules called without `psks`: one `hybridnet_psk` per pair, the same key on both
//!   ends (read from the sandbox), an empty re-plan; then `psks` given to one of them: its
//!   generated keys go, both ends take the given ones in place;
//! - each module's `*.tftest.hcl` under `terraform test` (Terraform 1.6 and later).
//!
//! The Terraform versions run side by side in threads against one sandbox, each under names of
//! its own, to keep the suite's wall time small. The Terragrunt-style stacks are in
//! `tests/terragrunt_stacks.rs`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;

use common::cloud_end;
use common::ledger::sandbox_objects;
use common::{terraform_bins, terraform_version, Sandbox, TfWorkdir};
use serde_json::{json, Value};

const MODULES: [&str; 4] = [
    "jdcloud-vpn-site",
    "alicloud-cen-ipsec",
    "jdcloud-region-link",
    "jdcloud-alicloud-link",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(major, minor)` of a Terraform binary.
fn version_of(tf: &Path) -> (u32, u32) {
    let v = terraform_version(tf);
    let mut parts = v.trim_start_matches("Terraform v").split('.');
    let mut next = || parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (next(), next())
}

// ---------------------------------------------------------------------------------------------
// What a module declares (its files are fmt-clean, so blocks open at column 0 and their
// attributes sit at two spaces)
// ---------------------------------------------------------------------------------------------

/// One `variable` or `output` block: its name and top-level attributes as written.
#[derive(Debug)]
struct Declared {
    name: String,
    attrs: BTreeMap<String, String>,
}

fn unquote(s: &str) -> String {
    let inner = s
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// Every `<kind> "NAME" {` block of `text`, with its attributes (nested blocks skipped; a
/// value spread over several lines is joined with single spaces).
fn declared(text: &str, kind: &str) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(&format!("{kind} \"")) else {
            continue;
        };
        let name = rest.split('"').next().unwrap_or_default().to_owned();
        let mut attrs = BTreeMap::new();
        while let Some(line) = lines.next() {
            if line == "}" {
                break;
            }
            let Some(body) = line.strip_prefix("  ").filter(|b| !b.starts_with(' ')) else {
                continue;
            };
            if body.ends_with('{') && !body.contains('=') {
                // A nested block: skip to its closing brace at the same depth.
                for inner in lines.by_ref() {
                    if inner == "  }" {
                        break;
                    }
                }
                continue;
            }
            let Some((key, value)) = body.split_once('=') else {
                continue;
            };
            let mut value = value.trim().to_owned();
            // Continuation lines are indented deeper, or close the value at two spaces.
            while let Some(next) = lines.peek() {
                let deeper = next.starts_with("   ");
                let closing = ["  ]", "  }", "  )"].iter().any(|c| next.starts_with(c))
                    && next.trim_start().chars().all(|c| "]})".contains(c));
                if !deeper && !closing {
                    break;
                }
                value.push(' ');
                value.push_str(next.trim());
                lines.next();
            }
            attrs.insert(key.trim().to_owned(), value);
        }
        out.push(Declared { name, attrs });
    }
    out
}

fn module_file(module: &str, file: &str) -> String {
    let path = repo().join("modules").join(module).join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

const BEGIN: &str =
    "<!-- BEGIN GENERATED from variables.tf and outputs.tf by tests/modules.rs (HYBRIDNET_BLESS=1) -->";
const END: &str = "<!-- END GENERATED -->";

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The README's inputs and outputs tables, from the module's files.
fn generated_tables(module: &str) -> String {
    let mut out = format!("{BEGIN}\n## Inputs\n\n| Name | Description | Type | Default |\n| --- | --- | --- | --- |\n");
    for v in declared(&module_file(module, "variables.tf"), "variable") {
        let description = v
            .attrs
            .get("description")
            .map(|d| unquote(d))
            .unwrap_or_default();
        let ty = v.attrs.get("type").cloned().unwrap_or_else(|| "any".into());
        let default = match v.attrs.get("default") {
            None => "required".to_owned(),
            Some(d) => format!("`{}`", cell(d)),
        };
        let sensitive = if v.attrs.get("sensitive").is_some_and(|s| s == "true") {
            " (sensitive)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}` | {}{sensitive} | `{}` | {default} |\n",
            v.name,
            cell(&description),
            cell(&ty)
        ));
    }
    out.push_str("\n## Outputs\n\n| Name | Description | Sensitive |\n| --- | --- | --- |\n");
    for o in declared(&module_file(module, "outputs.tf"), "output") {
        let description = o
            .attrs
            .get("description")
            .map(|d| unquote(d))
            .unwrap_or_default();
        let sensitive = if o.attrs.get("sensitive").is_some_and(|s| s == "true") {
            "yes"
        } else {
            "no"
        };
        out.push_str(&format!(
            "| `{}` | {} | {sensitive} |\n",
            o.name,
            cell(&description)
        ));
    }
    out.push_str(END);
    out
}

#[test]
fn module_readmes_match_their_variables_and_outputs() {
    let bless = std::env::var("HYBRIDNET_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for module in MODULES {
        let path = repo().join("modules").join(module).join("README.md");
        let readme = fs::read_to_string(&path).unwrap_or_default();
        let tables = generated_tables(module);
        // Every variable and output has a description and every variable a type.
        for v in declared(&module_file(module, "variables.tf"), "variable") {
            for attr in ["description", "type"] {
                if !v.attrs.contains_key(attr) {
                    failures.push(format!("{module}: variable {} has no {attr}", v.name));
                }
            }
        }
        for o in declared(&module_file(module, "outputs.tf"), "output") {
            if !o.attrs.contains_key("description") {
                failures.push(format!("{module}: output {} has no description", o.name));
            }
        }
        let current = match (readme.find(BEGIN), readme.find(END)) {
            (Some(b), Some(e)) if b < e => Some(&readme[b..e + END.len()]),
            _ => None,
        };
        if current != Some(tables.as_str()) {
            if bless && current.is_some() {
                let fresh = readme.replacen(current.unwrap_or_default(), &tables, 1);
                fs::write(&path, fresh)
                    .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
                eprintln!("{module}/README.md: tables regenerated");
            } else {
                failures.push(format!(
                    "modules/{module}/README.md: the inputs/outputs tables are stale or missing \
                     (HYBRIDNET_BLESS=1 rewrites them between the markers); expected:\n{tables}"
                ));
            }
        }
        if !readme.contains("```mermaid\nflowchart ") {
            failures.push(format!("modules/{module}/README.md: no Mermaid flowchart"));
        }
        if !readme.contains(&format!("source = \"../../modules/{module}\"")) {
            failures.push(format!(
                "modules/{module}/README.md: no usage example calling the module"
            ));
        }
        let main = module_file(module, "main.tf");
        for line in main.lines() {
            let Some(rest) = line
                .strip_prefix("resource \"")
                .or(line.strip_prefix("data \""))
            else {
                continue;
            };
            let ty = rest.split('"').next().unwrap_or_default();
            if !readme.contains(&format!("`{ty}`")) {
                failures.push(format!("modules/{module}/README.md: `{ty}` not mentioned"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_readme_generator_reads_declarations() {
    let text = "variable \"a\" {\n  description = \"Say \\\"hi\\\" | bye.\"\n  type = list(string)\n  default = [\n    \"x\",\n  ]\n\n  validation {\n    condition = true\n    error_message = \"m\"\n  }\n}\n\nvariable \"b\" {\n  type      = string\n  sensitive = true\n}\n";
    let vars = declared(text, "variable");
    assert_eq!(vars.len(), 2);
    assert_eq!(unquote(&vars[0].attrs["description"]), "Say \"hi\" | bye.");
    assert_eq!(vars[0].attrs["default"], "[ \"x\", ]");
    assert!(!vars[0].attrs.contains_key("condition"));
    assert_eq!(vars[1].attrs["sensitive"], "true");
    assert!(!vars[1].attrs.contains_key("default"));
}

// ---------------------------------------------------------------------------------------------
// fmt and validate
// ---------------------------------------------------------------------------------------------

#[test]
fn modules_and_examples_are_fmt_clean_and_validate() {
    let bins = terraform_bins();
    let sb = Sandbox::start();
    // fmt: the newest Terraform also formats *.tftest.hcl.
    let newest = bins
        .iter()
        .max_by_key(|b| version_of(b))
        .cloned()
        .unwrap_or_default();
    let wd = TfWorkdir::new(&newest, &sb, "");
    for dir in ["modules", "examples"] {
        let path = repo().join(dir);
        let out = wd.run(&[
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            "-no-color",
            &path.display().to_string(),
        ]);
        assert!(out.success(), "{dir}/ is not terraform fmt-clean:\n{out}");
    }
    thread::scope(|s| {
        for tf in &bins {
            let sb = &sb;
            s.spawn(move || {
                for module in MODULES {
                    let wd = TfWorkdir::new(tf, sb, "");
                    copy_module(module, wd.path());
                    // As a root, a module's aliased configurations must be declared (as a
                    // Terragrunt `generate` block would).
                    wd.write_file("providers.tf", &alias_blocks(module));
                    let out = wd.run(&["validate", "-no-color"]);
                    assert!(
                        out.success() && out.stdout.contains("Success!"),
                        "{} validate of modules/{module}:\n{out}",
                        terraform_version(tf)
                    );
                }
            });
        }
    });
}

/// The aliases a module's `configuration_aliases` names (`a` for `hybridnet.a`).
fn configuration_aliases(module: &str) -> Vec<String> {
    let versions = module_file(module, "versions.tf");
    versions
        .lines()
        .find_map(|l| l.trim().strip_prefix("configuration_aliases = ["))
        .map(|list| {
            list.trim_end_matches(']')
                .split(',')
                .filter_map(|a| a.trim().strip_prefix("hybridnet."))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `provider "hybridnet" { alias = … }` for each of the module's configuration aliases.
fn alias_blocks(module: &str) -> String {
    configuration_aliases(module)
        .iter()
        .map(|a| format!("provider \"hybridnet\" {{\n  alias = \"{a}\"\n}}\n"))
        .collect()
}

/// Copies `modules/<module>` (its tests/ included) into `dir`.
fn copy_module(module: &str, dir: &Path) {
    let src = repo().join("modules").join(module);
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap_or(&entry);
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        fs::copy(&entry, &to).unwrap_or_else(|e| panic!("copying {}: {e}", entry.display()));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// for_each over module calls, provider aliases, removal, `moved`
// ---------------------------------------------------------------------------------------------

const SITES_TF: &str = r#"terraform {
  required_providers {
    hybridnet = {
      source = "hybridnet/hybridnet"
    }
  }
}

provider "hybridnet" {
  alias = "north"
  jdcloud {
    region = "cn-north-1"
  }
}

provider "hybridnet" {
  alias = "east"
  jdcloud {
    region = "cn-east-2"
  }
}

variable "sites" {
  type = map(object({
    region    = string
    name      = string
    vpc_id    = string
    device_ip = string
    asn       = number
  }))
}

locals {
  psks = ["ForEach_Key_1", "ForEach_Key_2"]
}

module "north" {
  source    = "../../modules/jdcloud-vpn-site"
  for_each  = { for k, s in var.sites : k => s if s.region == "cn-north-1" }
  providers = { hybridnet = hybridnet.north }

  name       = each.value.name
  vpc_id     = each.value.vpc_id
  device_ips = [each.value.device_ip]
  bgp_asn    = each.value.asn
  psks       = local.psks
}

module "east" {
  source    = "../../modules/jdcloud-vpn-site"
  for_each  = { for k, s in var.sites : k => s if s.region == "cn-east-2" }
  providers = { hybridnet = hybridnet.east }

  name       = each.value.name
  vpc_id     = each.value.vpc_id
  device_ips = [each.value.device_ip]
  bgp_asn    = each.value.asn
  psks       = local.psks
}

output "border_gateways" {
  value = merge(
    { for k, m in module.north : k => m.border_gateway_id },
    { for k, m in module.east : k => m.border_gateway_id },
  )
}
"#;

fn site(tag: &str, key: &str, region: &str, n: u32) -> Value {
    json!({
        "region": region,
        "name": format!("{tag}-{key}"),
        "vpc_id": format!("vpc-{tag}{key}"),
        "device_ip": format!("198.51.100.{}", n),
        "asn": 65010 + n,
    })
}

/// `terraform plan -out` then `show -json`: the resource changes.
fn planned_changes(wd: &TfWorkdir) -> Vec<Value> {
    wd.run_ok(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    let out = wd.run_ok(&["show", "-json", "-no-color", "tfplan"]);
    let plan: Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("plan JSON: {e}\n{out}"));
    plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn with_action<'a>(changes: &'a [Value], action: &str) -> Vec<&'a str> {
    changes
        .iter()
        .filter(|c| {
            c["mode"] == "managed"
                && c["change"]["actions"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == action))
        })
        .filter_map(|c| c["address"].as_str())
        .collect()
}

/// Managed resource instances in the state under module instance `prefix`.
fn state_instances(wd: &TfWorkdir, prefix: &str) -> Vec<String> {
    let state = wd.state_json();
    let mut out = Vec::new();
    for r in state["resources"].as_array().into_iter().flatten() {
        if r["mode"] != "managed" || r["module"].as_str() != Some(prefix) {
            continue;
        }
        let base = format!(
            "{prefix}.{}.{}",
            r["type"].as_str().unwrap_or(""),
            r["name"].as_str().unwrap_or("")
        );
        for i in r["instances"].as_array().into_iter().flatten() {
            out.push(match &i["index_key"] {
                Value::Null => base.clone(),
                key => format!("{base}[{key}]"),
            });
        }
    }
    out
}

fn bgw_ids(sb: &Sandbox, tag: &str) -> BTreeMap<String, String> {
    sb.jd_resources("bgws")
        .iter()
        .filter_map(|b| {
            let name = b["bgwName"].as_str()?;
            let key = name.strip_prefix(&format!("{tag}-"))?;
            Some((key.to_owned(), b["bgwId"].as_str()?.to_owned()))
        })
        .collect()
}

fn for_each_remove_and_move(tf: &Path, sb: &Sandbox) {
    let (major, minor) = version_of(tf);
    let tag = format!("fe{major}{minor}");
    let version = terraform_version(tf);
    let sites = |keys: &[(&str, &str, &str, u32)]| -> String {
        let map: serde_json::Map<String, Value> = keys
            .iter()
            .map(|(key, name_key, region, n)| ((*key).to_owned(), site(&tag, name_key, region, *n)))
            .collect();
        json!({ "sites": map }).to_string()
    };
    let base = (major * 10 + minor) % 50 * 4;
    let wd = TfWorkdir::new(tf, sb, SITES_TF);
    wd.write_file(
        "terraform.tfvars.json",
        &sites(&[
            ("a", "a", "cn-north-1", base + 1),
            ("b", "b", "cn-north-1", base + 2),
            ("c", "c", "cn-east-2", base + 3),
        ]),
    );

    // Three sites, two regions, two provider configurations.
    wd.apply();
    assert_eq!(
        wd.plan_detailed_output().code,
        0,
        "{version}: re-plan not empty"
    );
    let before = bgw_ids(sb, &tag);
    assert_eq!(before.len(), 3, "{version}: {before:?}");
    for (key, region) in [("a", "cn-north-1"), ("b", "cn-north-1"), ("c", "cn-east-2")] {
        let (status, body) = sb.jd_request(
            "GET",
            &format!("/v1/regions/{region}/bgws/{}", before[key]),
            "",
            None,
        );
        assert_eq!(
            status, 200,
            "{version}: site {key}'s border gateway is not in {region}: {body}"
        );
    }

    // Remove site b: only its resources go.
    let mut doomed = state_instances(&wd, "module.north[\"b\"]");
    assert_eq!(doomed.len(), 6, "{version}: site b's instances: {doomed:?}");
    wd.write_file(
        "terraform.tfvars.json",
        &sites(&[
            ("a", "a", "cn-north-1", base + 1),
            ("c", "c", "cn-east-2", base + 3),
        ]),
    );
    let changes = planned_changes(&wd);
    let deletes = with_action(&changes, "delete");
    assert!(
        deletes
            .iter()
            .all(|a| a.starts_with("module.north[\"b\"].")),
        "{version}: removing site b destroys others: {deletes:?}"
    );
    let mut deletes: Vec<String> = deletes.into_iter().map(str::to_owned).collect();
    deletes.sort();
    doomed.sort();
    assert_eq!(
        deletes, doomed,
        "{version}: every instance of site b, and only those, is destroyed"
    );
    for action in ["create", "update"] {
        assert!(
            with_action(&changes, action).is_empty(),
            "{version}: removing b plans {action}s: {changes:#?}"
        );
    }
    wd.apply();
    let after = bgw_ids(sb, &tag);
    assert_eq!(
        after,
        before
            .iter()
            .filter(|(k, _)| *k != "b")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        "{version}: a and c must stay as they were, b must go"
    );

    // Rename key a to a2 with a `moved` block: nothing destroyed or created.
    if (major, minor) >= (1, 1) {
        wd.write_file(
            "terraform.tfvars.json",
            &sites(&[
                ("a2", "a", "cn-north-1", base + 1),
                ("c", "c", "cn-east-2", base + 3),
            ]),
        );
        wd.write_file(
            "moved.tf",
            "moved {\n  from = module.north[\"a\"]\n  to   = module.north[\"a2\"]\n}\n",
        );
        let changes = planned_changes(&wd);
        for action in ["create", "delete", "update"] {
            assert!(
                with_action(&changes, action).is_empty(),
                "{version}: the rename plans {action}s: {changes:#?}"
            );
        }
        let moved: Vec<&Value> = changes
            .iter()
            .filter(|c| c["previous_address"].is_string())
            .collect();
        assert!(
            moved.len() >= 5
                && moved.iter().all(|c| c["previous_address"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("module.north[\"a\"].")),
            "{version}: the plan does not move site a's resources: {changes:#?}"
        );
        wd.apply();
        assert_eq!(
            wd.plan_detailed_output().code,
            0,
            "{version}: re-plan after the move not empty"
        );
        assert_eq!(
            bgw_ids(sb, &tag),
            after,
            "{version}: the move changed the cloud"
        );
    } else {
        eprintln!("{version}: no `moved` blocks before Terraform 1.1; rename step skipped");
    }

    wd.destroy();
    assert!(
        bgw_ids(sb, &tag).is_empty(),
        "{version}: border gateways left after destroy"
    );
}

#[test]
fn site_module_for_each_over_two_regions_removes_and_moves_one_site() {
    let sb = Sandbox::start();
    let bins = terraform_bins();
    thread::scope(|s| {
        for tf in &bins {
            let sb = &sb;
            s.spawn(move || for_each_remove_and_move(tf, sb));
        }
    });
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(
        objects.is_empty() && unknown.is_empty(),
        "left in the sandbox: {:?} {unknown:?}",
        objects
            .iter()
            .map(|o| format!("{}.{} {}", o.spec.cloud, o.spec.kind, o.id))
            .collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------------
// Keys generated unless given
// ---------------------------------------------------------------------------------------------

/// Both link modules, `psks` unset (the cross-cloud one takes `var.jdali_psks`, null unless set).
fn generated_keys_tf(tag: &str, n: u32) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    hybridnet = {{
      source = "hybridnet/hybridnet"
    }}
  }}
}}

provider "hybridnet" {{}}

provider "hybridnet" {{
  alias = "east"
  jdcloud {{
    region = "cn-east-2"
  }}
}}

variable "jdali_psks" {{
  type      = list(string)
  sensitive = true
  default   = null
}}

module "jdali" {{
  source = "../../modules/jdcloud-alicloud-link"
  providers = {{
    hybridnet.jdcloud  = hybridnet
    hybridnet.alicloud = hybridnet
  }}

  name         = "{tag}-ja"
  cen_id       = "cen-sandbox0000000001"
  inside_block = "169.254.{ja}.0/24"
  psks         = var.jdali_psks
}}

module "region" {{
  source = "../../modules/jdcloud-region-link"
  providers = {{
    hybridnet.a = hybridnet
    hybridnet.b = hybridnet.east
  }}

  name         = "{tag}-rl"
  inside_block = "169.254.{rl}.0/24"
}}
"#,
        ja = 7 + n,
        rl = 12 + n,
    )
}

/// The `value` of each `hybridnet_psk` in module instance `module`, in index order.
fn module_keys(wd: &TfWorkdir, module: &str) -> Vec<String> {
    let state = wd.state_json();
    let mut keys: Vec<(i64, String)> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "hybridnet_psk" && r["module"].as_str() == Some(module))
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| {
            (
                i["index_key"].as_i64().unwrap_or(0),
                i["attributes"]["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// The clouds of the two tunnel ends holding `key` in the sandbox (sorted); fails unless two do.
fn ends_holding(version: &str, sb: &Sandbox, key: &str) -> Vec<cloud_end::Cloud> {
    let ends = cloud_end::cloud_ends(&sb.state()).unwrap_or_else(|e| panic!("cloud ends: {e:#}"));
    let mut clouds: Vec<cloud_end::Cloud> = ends
        .iter()
        .filter(|e| e.psk.0 == key)
        .map(|e| e.cloud)
        .collect();
    clouds.sort();
    assert_eq!(clouds.len(), 2, "{version}: a key held by {clouds:?}");
    clouds
}

fn keys_generated_unless_given(tf: &Path, sb: &Sandbox, n: u32) {
    use cloud_end::Cloud::{AliCloud, JdCloud};
    let (major, minor) = version_of(tf);
    let tag = format!("gk{major}{minor}");
    let version = terraform_version(tf);
    let mut wd = TfWorkdir::new(tf, sb, &generated_keys_tf(&tag, n));
    wd.apply();
    let replan = wd.plan_detailed_output();
    assert_eq!(replan.code, 0, "{version}: re-plan not empty:\n{replan}");

    let jdali = module_keys(&wd, "module.jdali");
    let region = module_keys(&wd, "module.region");
    assert_eq!(
        (jdali.len(), region.len()),
        (2, 2),
        "{version}: one key per pair"
    );
    let all: std::collections::BTreeSet<&String> = jdali.iter().chain(&region).collect();
    assert_eq!(all.len(), 4, "{version}: every pair has its own key");
    for key in &jdali {
        assert_eq!(key.len(), 20, "{version}");
        assert_eq!(
            ends_holding(&version, sb, key),
            [JdCloud, AliCloud],
            "{version}"
        );
    }
    for key in &region {
        assert_eq!(
            ends_holding(&version, sb, key),
            [JdCloud, JdCloud],
            "{version}"
        );
    }
    // The rendered peer configurations (on by default) carry the same keys.
    let out = wd.run_ok(&["output", "-json", "-no-color"]);
    assert!(
        !out.stdout.contains(&jdali[0]),
        "{version}: an output shows a key"
    );

    // Keys given to the cross-cloud link: its generated keys go, both ends take the given ones.
    let given = [format!("Given_{tag}_1"), format!("Given_{tag}_2")];
    wd.env(
        "TF_VAR_jdali_psks",
        &serde_json::to_string(&given).unwrap_or_default(),
    );
    let changes = planned_changes(&wd);
    let mut deleted = with_action(&changes, "delete");
    deleted.sort_unstable();
    assert_eq!(
        deleted,
        [
            "module.jdali.hybridnet_psk.this[0]",
            "module.jdali.hybridnet_psk.this[1]"
        ],
        "{version}: only the link's generated keys go"
    );
    assert!(with_action(&changes, "create").is_empty(), "{version}");
    let mut updated = with_action(&changes, "update");
    updated.sort_unstable();
    assert_eq!(
        updated,
        [
            "module.jdali.hybridnet_alicloud_ipsec_connection_cen.this",
            "module.jdali.hybridnet_jdcloud_vpn_tunnel.this[0]",
            "module.jdali.hybridnet_jdcloud_vpn_tunnel.this[1]",
        ],
        "{version}: both ends updated in place"
    );
    wd.run_ok(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert!(module_keys(&wd, "module.jdali").is_empty(), "{version}");
    for key in &given {
        assert_eq!(
            ends_holding(&version, sb, key),
            [JdCloud, AliCloud],
            "{version}"
        );
    }
    assert_eq!(module_keys(&wd, "module.region"), region, "{version}");
    let replan = wd.plan_detailed_output();
    assert_eq!(
        replan.code, 0,
        "{version}: re-plan with keys given:\n{replan}"
    );
    wd.destroy();
}

#[test]
fn link_modules_generate_keys_unless_given() {
    let sb = Sandbox::start();
    let bins = terraform_bins();
    thread::scope(|s| {
        for (n, tf) in bins.iter().enumerate() {
            let sb = &sb;
            let n = u32::try_from(n).unwrap_or(0);
            s.spawn(move || keys_generated_unless_given(tf, sb, n));
        }
    });
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(
        objects.is_empty() && unknown.is_empty(),
        "left in the sandbox: {} objects, {unknown:?}",
        objects.len()
    );
}

// ---------------------------------------------------------------------------------------------
// terraform test
// ---------------------------------------------------------------------------------------------

#[test]
fn module_tftests_pass_against_the_sandbox() {
    let bins: Vec<PathBuf> = terraform_bins()
        .into_iter()
        .filter(|tf| version_of(tf) >= (1, 6))
        .collect();
    if bins.is_empty() {
        eprintln!("module_tftests_pass_against_the_sandbox: no Terraform 1.6 or later; skipped");
        return;
    }
    let sb = Sandbox::start();
    thread::scope(|s| {
        for module in MODULES {
            let (sb, tf) = (&sb, &bins[bins.len() - 1]);
            s.spawn(move || {
                let wd = TfWorkdir::new(tf, sb, "");
                copy_module(module, wd.path());
                let out = wd.run(&["test", "-no-color"]);
                let files = walk(&repo().join("modules").join(module).join("tests")).len();
                assert!(
                    out.success()
                        && out.stdout.contains("Success!")
                        && out.stdout.matches("... pass").count() > files,
                    "terraform test of modules/{module}:\n{out}"
                );
                assert!(!out.stdout.contains("... fail"), "{out}");
            });
        }
    });
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(
        objects.is_empty() && unknown.is_empty(),
        "terraform test left objects behind"
    );
}
