//! What Terragrunt does to a provider, without Terragrunt (it cannot be installed here): the
//! eight units of `examples/terragrunt` (four sites, four links) run as eight Terraform roots at
//! once against one sandbox at its default rate limit. Each root calls the unit's module with
//! the unit's provider configurations and inputs (its `unit.json`); a link root waits for the
//! units its `dependency` blocks name and gets their `terraform output -json` values, as
//! Terragrunt's `run-all` does. Then all eight re-plan empty, the sandbox holds exactly what the
//! eight states hold (no orphan, no duplicate), all are destroyed at once (dependents first) and
//! the sandbox is empty. The account's call window is mostly spent when the stack starts, so the
//! sandbox throttles it (counted by `GET /_sandbox/requests`); the retry policy absorbs that:
//! every run succeeds at its first attempt. The Terraform versions alternate between roots.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::ledger::{sandbox_objects, state_attributes};
use common::{terraform_bins, terraform_version, Sandbox, TfWorkdir};
use serde_json::Value;

fn stack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/terragrunt")
}

/// One unit: its directory (relative to the stack), `unit.json`, and the inputs its
/// `dependency` blocks supply: input name → (unit, output).
#[derive(Debug, Clone)]
struct Unit {
    name: String,
    module: String,
    providers: BTreeMap<String, Value>,
    inputs: serde_json::Map<String, Value>,
    from_dependencies: BTreeMap<String, (String, String)>,
}

/// Reads a unit's terragrunt.hcl: `dependency "X" { config_path = "../../sites/y" }` blocks and
/// `inputs = { key = dependency.X.outputs.out }`. Anything else in `inputs` fails, so the layout
/// cannot say more than the test runs.
fn parse_terragrunt_hcl(unit: &str, text: &str) -> BTreeMap<String, (String, String)> {
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_inputs = false;
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("dependency \"") {
            current = rest.split('"').next().map(str::to_owned);
        } else if let (Some(dep), Some(path)) = (&current, line.strip_prefix("config_path = ")) {
            let path = path.trim_matches('"');
            let target = Path::new(unit).join(path);
            // Normalise "links/x/../../sites/y" to "sites/y".
            let mut parts: Vec<String> = Vec::new();
            for c in target.components() {
                match c.as_os_str().to_str().unwrap_or_default() {
                    ".." => {
                        parts.pop();
                    }
                    "." => {}
                    p => parts.push(p.to_owned()),
                }
            }
            paths.insert(dep.clone(), parts.join("/"));
            current = None;
        } else if line == "inputs = {" {
            in_inputs = true;
        } else if in_inputs && line == "}" {
            in_inputs = false;
        } else if in_inputs {
            let (key, value) = line.split_once(" = ").unwrap_or_else(|| {
                panic!("{unit}/terragrunt.hcl: cannot read input line {line:?}")
            });
            let mut refs = value.trim().split('.');
            let (Some("dependency"), Some(dep), Some("outputs"), Some(output), None) = (
                refs.next(),
                refs.next(),
                refs.next(),
                refs.next(),
                refs.next(),
            ) else {
                panic!("{unit}/terragrunt.hcl: input {key} is not dependency.X.outputs.Y: {value}");
            };
            let target = paths
                .get(dep)
                .unwrap_or_else(|| panic!("{unit}/terragrunt.hcl: no dependency block {dep}"));
            out.insert(key.trim().to_owned(), (target.clone(), output.to_owned()));
        }
    }
    out
}

fn units() -> Vec<Unit> {
    let mut out = Vec::new();
    for group in ["sites", "links"] {
        let mut dirs: Vec<PathBuf> = fs::read_dir(stack_dir().join(group))
            .unwrap_or_else(|e| panic!("examples/terragrunt/{group}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = format!(
                "{group}/{}",
                dir.file_name().and_then(|n| n.to_str()).unwrap_or_default()
            );
            let json: Value = serde_json::from_str(
                &fs::read_to_string(dir.join("unit.json"))
                    .unwrap_or_else(|e| panic!("{name}/unit.json: {e}")),
            )
            .unwrap_or_else(|e| panic!("{name}/unit.json: {e}"));
            let hcl = fs::read_to_string(dir.join("terragrunt.hcl"))
                .unwrap_or_else(|e| panic!("{name}/terragrunt.hcl: {e}"));
            assert!(
                hcl.contains("include \"root\" {\n  path = find_in_parent_folders()\n}"),
                "{name}/terragrunt.hcl does not include the root"
            );
            out.push(Unit {
                from_dependencies: parse_terragrunt_hcl(&name, &hcl),
                module: json["module"].as_str().unwrap_or_default().to_owned(),
                providers: json["providers"]
                    .as_object()
                    .map(|m| m.clone().into_iter().collect())
                    .unwrap_or_default(),
                inputs: json["inputs"].as_object().cloned().unwrap_or_default(),
                name,
            });
        }
    }
    out
}

/// `(name, sensitive)` of every output of a module.
fn module_outputs(module: &str) -> Vec<(String, bool)> {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("modules")
            .join(module)
            .join("outputs.tf"),
    )
    .unwrap_or_else(|e| panic!("modules/{module}/outputs.tf: {e}"));
    let mut out: Vec<(String, bool)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("output \"") {
            out.push((rest.split('"').next().unwrap_or_default().to_owned(), false));
        } else if line.trim() == "sensitive   = true" || line.trim() == "sensitive = true" {
            if let Some(last) = out.last_mut() {
                last.1 = true;
            }
        }
    }
    out
}

/// The root Terragrunt would run, as a module call: the unit's provider blocks, the module with
/// its providers and inputs (JSON is valid HCL for these values), every output forwarded.
fn root_config(unit: &Unit, inputs: &serde_json::Map<String, Value>) -> String {
    let mut tf = String::from(
        "terraform {\n  required_providers {\n    hybridnet = {\n      source = \"hybridnet/hybridnet\"\n    }\n  }\n}\n\n",
    );
    let mut mapping = Vec::new();
    for (address, p) in &unit.providers {
        let alias = address.strip_prefix("hybridnet.");
        tf.push_str("provider \"hybridnet\" {\n");
        if let Some(alias) = alias {
            tf.push_str(&format!("  alias = \"{alias}\"\n"));
        }
        tf.push_str(&format!(
            "  jdcloud {{\n    region = \"{}\"\n  }}\n  alicloud {{\n    region = \"{}\"\n  }}\n}}\n\n",
            p["jdcloud_region"].as_str().unwrap_or_default(),
            p["alicloud_region"].as_str().unwrap_or_default()
        ));
        mapping.push(format!("{address} = {address}"));
    }
    tf.push_str(&format!(
        "module \"unit\" {{\n  source    = \"../../modules/{}\"\n  providers = {{ {} }}\n\n",
        unit.module,
        mapping.join(", ")
    ));
    for (key, value) in inputs {
        tf.push_str(&format!("  {key} = {value}\n"));
    }
    tf.push_str("}\n");
    for (name, sensitive) in module_outputs(&unit.module) {
        tf.push_str(&format!(
            "\noutput \"{name}\" {{\n  value     = module.unit.{name}\n  sensitive = {sensitive}\n}}\n"
        ));
    }
    tf
}

/// Units' `terraform output -json` values once applied (unit → output → value).
#[derive(Default)]
struct Board {
    applied: Mutex<BTreeMap<String, BTreeMap<String, Value>>>,
    destroyed: Mutex<BTreeSet<String>>,
    changed: Condvar,
    failed: Mutex<bool>,
}

const WAIT: Duration = Duration::from_secs(600);

/// Calls of the default one-minute window left to the stack when it starts.
const HEADROOM: u64 = 150;

impl Board {
    fn wait_applied(&self, deps: &BTreeSet<String>) -> BTreeMap<String, BTreeMap<String, Value>> {
        let started = Instant::now();
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        while !deps.iter().all(|d| applied.contains_key(d)) {
            assert!(
                !*self.failed.lock().unwrap_or_else(|e| e.into_inner()),
                "a dependency failed"
            );
            assert!(
                started.elapsed() < WAIT,
                "dependencies {deps:?} never applied"
            );
            applied = self
                .changed
                .wait_timeout(applied, Duration::from_millis(200))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        applied.clone()
    }

    fn wait_destroyed(&self, dependents: &BTreeSet<String>) {
        let started = Instant::now();
        let mut destroyed = self.destroyed.lock().unwrap_or_else(|e| e.into_inner());
        while !dependents.iter().all(|d| destroyed.contains(d)) {
            assert!(
                !*self.failed.lock().unwrap_or_else(|e| e.into_inner()),
                "a dependent failed"
            );
            assert!(
                started.elapsed() < WAIT,
                "dependents {dependents:?} never destroyed"
            );
            destroyed = self
                .changed
                .wait_timeout(destroyed, Duration::from_millis(200))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

/// Runs `f`, marking the board failed if it panics (so waiting units give up).
fn guarded(board: &Board, f: impl FnOnce()) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    if let Err(e) = result {
        *board.failed.lock().unwrap_or_else(|e| e.into_inner()) = true;
        board.changed.notify_all();
        std::panic::resume_unwind(e);
    }
}

#[test]
fn terragrunt_layout_declares_what_the_stack_test_runs() {
    let units = units();
    assert_eq!(units.len(), 8, "{units:#?}");
    let names: BTreeSet<String> = units.iter().map(|u| u.name.clone()).collect();
    for u in &units {
        let outputs = |module: &str| -> Vec<String> {
            module_outputs(module).into_iter().map(|(n, _)| n).collect()
        };
        assert!(
            !outputs(&u.module).is_empty(),
            "{}: no module {}",
            u.name,
            u.module
        );
        for (input, (dep, output)) in &u.from_dependencies {
            assert!(
                names.contains(dep),
                "{}: depends on {dep}, not a unit",
                u.name
            );
            let dep_module = &units
                .iter()
                .find(|d| &d.name == dep)
                .map(|d| d.module.clone())
                .unwrap_or_default();
            assert!(
                outputs(dep_module).contains(output),
                "{}: {dep} has no output {output}",
                u.name
            );
            assert!(
                !u.inputs.contains_key(input),
                "{}: {input} set twice",
                u.name
            );
        }
    }
    let parsed = parse_terragrunt_hcl(
        "links/x",
        "dependency \"s\" {\n  config_path = \"../../sites/s\"\n}\n\ninputs = {\n  a = dependency.s.outputs.b\n}\n",
    );
    assert_eq!(parsed["a"], ("sites/s".to_owned(), "b".to_owned()));
}

#[test]
fn eight_terragrunt_style_roots_converge_concurrently() {
    let bins = terraform_bins();
    let units = units();
    let sb = Sandbox::start();
    // The working directories outlive the threads: the ledger reads all their states.
    let wds: Vec<TfWorkdir> = units
        .iter()
        .enumerate()
        .map(|(i, _)| TfWorkdir::new(&bins[i % bins.len()], &sb, ""))
        .collect();
    let board = Board::default();
    let version = |i: usize| terraform_version(&bins[i % bins.len()]);

    // A cloud account's call limit is shared with whatever else uses it; here other callers
    // have already spent all but HEADROOM calls of the sandbox's default one-minute window, so
    // the stack meets the limit (eight roots alone stay under it against a local sandbox) and
    // must retry until the window slides.
    let limit = u64::from(hybridnet::sandbox::DEFAULT_RATE_LIMIT_PER_MINUTE);
    thread::scope(|s| {
        for _ in 0..4 {
            let sb = &sb;
            s.spawn(move || {
                for _ in 0..(limit - HEADROOM) / 4 {
                    let (status, body) =
                        sb.jd_request("GET", "/v1/regions/cn-east-1/bgws/", "", None);
                    assert_eq!(status, 200, "filling the call window: {body}");
                }
            });
        }
    });
    let filler = (limit - HEADROOM) / 4 * 4;
    let started = Instant::now();
    // Once the stack has been refused twice (so it retried after a refusal rather than
    // failing), the sandbox's clock, which its window follows, moves on a minute so that the
    // window is clear. The provider still waits what the refusals' `Retry-After` asked (its
    // throttle gate cannot know the clock jumped): the stack resumes about a minute after the
    // filler filled the window, with a refusal or two, not one per call.
    let window_slides = || {
        while !*board.failed.lock().unwrap_or_else(|e| e.into_inner())
            && board
                .applied
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .len()
                < units.len()
        {
            if sb.requests()["rate_limit.rejected"].as_u64().unwrap_or(0) >= 2 {
                sb.advance_clock(60_000);
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
    };

    // Apply: every unit at once, each link waiting for its dependencies.
    thread::scope(|s| {
        s.spawn(window_slides);
        for (i, unit) in units.iter().enumerate() {
            let (wd, board) = (&wds[i], &board);
            s.spawn(move || {
                guarded(board, || {
                    let deps: BTreeSet<String> = unit
                        .from_dependencies
                        .values()
                        .map(|(d, _)| d.clone())
                        .collect();
                    let applied = board.wait_applied(&deps);
                    let mut inputs = unit.inputs.clone();
                    for (input, (dep, output)) in &unit.from_dependencies {
                        inputs.insert(input.clone(), applied[dep][output].clone());
                    }
                    wd.write_main(&root_config(unit, &inputs));
                    wd.apply();
                    let outputs: BTreeMap<String, Value> = wd
                        .output_json()
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), v["value"].clone()))
                        .collect();
                    board
                        .applied
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(unit.name.clone(), outputs);
                    board.changed.notify_all();
                    eprintln!(
                        "{} ({}) applied at {:?}",
                        unit.name,
                        version(i),
                        started.elapsed()
                    );
                });
            });
        }
    });
    let applied_in = started.elapsed();

    // Re-plan all at once: nothing to do anywhere.
    thread::scope(|s| {
        for (i, unit) in units.iter().enumerate() {
            let wd = &wds[i];
            s.spawn(move || {
                let plan = wd.plan_detailed_output();
                assert_eq!(
                    plan.code,
                    0,
                    "{} ({}): re-plan not empty:\n{plan}",
                    unit.name,
                    version(i)
                );
            });
        }
    });

    // Every object in the sandbox belongs to exactly one instance of one of the eight states.
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(unknown.is_empty(), "{unknown:?}");
    let mut in_state: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for wd in &wds {
        for (key, ids) in state_attributes(wd) {
            in_state.entry(key).or_default().extend(ids);
        }
    }
    let mut problems = Vec::new();
    let mut roles: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for o in &objects {
        let owned = in_state
            .get(&(o.spec.owner_type.to_owned(), o.spec.owner_attr.to_owned()))
            .is_some_and(|ids| ids.contains(&o.id));
        if !owned {
            problems.push(format!(
                "ORPHAN {}.{} {} ({})",
                o.spec.cloud, o.spec.kind, o.id, o.role
            ));
        }
        roles
            .entry((o.spec.cloud, o.spec.kind, &o.role))
            .or_default()
            .push(&o.id);
    }
    for ((cloud, kind, role), ids) in roles.iter().filter(|(_, ids)| ids.len() > 1) {
        problems.push(format!("DUPLICATE {cloud}.{kind} ({role}): {ids:?}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The three JD sites make a border gateway each, which the four links reuse; each site has
    // a connection with two tunnels, each region link one per side, each cross-cloud link one.
    assert_eq!(
        sb.jd_resources("bgws").len(),
        3,
        "the links must reuse the sites' border gateways"
    );
    assert_eq!(sb.jd_resources("vpn_connections").len(), 3 + 2 * 2 + 2);
    assert_eq!(
        sb.jd_resources("vpn_tunnels").len(),
        3 * 2 + 2 * 2 * 2 + 2 * 2
    );

    // Destroy all at once, each unit after the units depending on it.
    let replanned_in = started.elapsed();
    thread::scope(|s| {
        for (i, unit) in units.iter().enumerate() {
            let (wd, board, units) = (&wds[i], &board, &units);
            s.spawn(move || {
                guarded(board, || {
                    let dependents: BTreeSet<String> = units
                        .iter()
                        .filter(|u| u.from_dependencies.values().any(|(d, _)| d == &unit.name))
                        .map(|u| u.name.clone())
                        .collect();
                    board.wait_destroyed(&dependents);
                    wd.destroy();
                    board
                        .destroyed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(unit.name.clone());
                    board.changed.notify_all();
                });
            });
        }
    });
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(
        objects.is_empty() && unknown.is_empty(),
        "left after the destroys: {:?} {unknown:?}",
        objects
            .iter()
            .map(|o| format!("{}.{} {}", o.spec.cloud, o.spec.kind, o.id))
            .collect::<Vec<_>>()
    );

    let requests = sb.requests();
    let total: u64 = requests
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| v.as_u64())
        .sum();
    let throttled = requests["rate_limit.rejected"].as_u64().unwrap_or(0);
    eprintln!(
        "eight roots: applied in {applied_in:?}, re-planned by {replanned_in:?}, destroyed by {:?}; \
         {} requests of the stack, {throttled} refused by the rate limit and retried",
        started.elapsed(),
        total - filler - throttled,
    );
    assert!(
        throttled > 0,
        "the stack never met the rate limit, so this test showed nothing about retries: {requests}"
    );
}
