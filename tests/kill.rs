//! Terraform killed with SIGKILL at random moments of the cross-cloud apply
//! (`examples/jdcloud-alicloud-vpn`), ten trials: each must converge with at most the imports
//! the provider printed, no orphan and no duplicate in the cloud, and a clean destroy.
//!
//! A killed apply can leave objects the cloud made but Terraform never saved. The next apply
//! must report each of them with the `terraform import` that adopts it (never create a twin,
//! never adopt silently); running exactly those imports must converge.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::ledger::check;
use common::{
    is_alive, kill_terraform, providers_of, terraform_bins, Sandbox, TfOutput, TfWorkdir,
};
use rand::{Rng, SeedableRng};

const TRIALS: usize = 10;
/// Applies after the killed one before convergence must be reached.
const ROUNDS: usize = 4;

fn example() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/jdcloud-alicloud-vpn/main.tf"),
    )
    .unwrap()
}

/// The `(address, import id)` pairs of every "already exists" report of a failed apply, and
/// the errors that are not such reports.
fn reported_imports(out: &TfOutput) -> (Vec<(String, String)>, Vec<String>) {
    let text = out.combined();
    let mut imports = Vec::new();
    let mut others = Vec::new();
    for block in text.split("Error: ").skip(1) {
        let flat = block.split_whitespace().collect::<Vec<_>>().join(" ");
        let addr = flat
            .split_once(" with ")
            .and_then(|(_, rest)| rest.split_once(','))
            .map(|(a, _)| a.to_owned());
        let id = flat
            .split_once("terraform import '")
            .and_then(|(_, rest)| rest.split_once("' "))
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .map(str::to_owned);
        match (addr, id) {
            (Some(addr), Some(id)) => imports.push((addr, id)),
            _ => others.push(flat.chars().take(600).collect()),
        }
    }
    (imports, others)
}

/// How long an uninterrupted apply of the example takes with `tf` (it is destroyed again).
fn apply_duration(tf: &std::path::Path) -> Duration {
    let sb = Sandbox::start();
    let wd = TfWorkdir::new(tf, &sb, &example());
    let started = Instant::now();
    wd.apply();
    let took = started.elapsed();
    wd.destroy();
    took
}

fn trial(tf: &std::path::Path, seed: u64, whole: Duration) -> Result<usize, String> {
    // Anywhere from just after the start to just before the end of an apply.
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let delay = whole.mul_f64(rng.random_range(0.05..0.95));
    let sb = Sandbox::start();
    let wd = TfWorkdir::new(tf, &sb, &example());
    let mut apply = wd.spawn(
        "killed",
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    let started = Instant::now();
    let mut providers = Vec::new();
    while started.elapsed() < delay {
        providers.extend(providers_of(apply.id()).into_iter().map(|(p, _)| p));
        thread::sleep(Duration::from_millis(20));
    }
    kill_terraform(apply.id());
    apply.wait().map_err(|e| e.to_string())?;
    // The providers notice and exit on their own (tests/network.rs checks how fast).
    let killed = Instant::now();
    while providers.iter().any(|p| is_alive(*p)) && killed.elapsed() < Duration::from_secs(10) {
        thread::sleep(Duration::from_millis(100));
    }
    let mut log = format!("killed after {delay:?}\n");
    let mut imports = 0;
    for round in 1..=ROUNDS {
        let out = wd.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        if out.success() {
            let problems = check(&sb, &wd, false);
            if !problems.is_empty() {
                return Err(format!("{log}converged with problems: {problems:#?}"));
            }
            if wd.plan_detailed() != 0 {
                return Err(format!("{log}the plan after converging is not empty"));
            }
            wd.destroy();
            let problems = check(&sb, &wd, true);
            if !problems.is_empty() {
                return Err(format!("{log}after destroy: {problems:#?}"));
            }
            return Ok(imports);
        }
        let (reported, others) = reported_imports(&out);
        if !others.is_empty() || reported.is_empty() {
            return Err(format!(
                "{log}round {round}: errors other than leftovers to import:\n{others:#?}\n{out}"
            ));
        }
        for (addr, id) in reported {
            log.push_str(&format!("round {round}: terraform import {addr} {id}\n"));
            let out = wd.run(&["import", "-input=false", "-no-color", &addr, &id]);
            if !out.success() {
                return Err(format!("{log}the printed import failed:\n{out}"));
            }
            imports += 1;
        }
    }
    Err(format!("{log}no convergence in {ROUNDS} applies"))
}

#[test]
fn killed_applies_converge_with_the_printed_imports() {
    let bins = terraform_bins();
    let durations: Vec<Duration> = bins.iter().map(|tf| apply_duration(tf)).collect();
    let mut failures = Vec::new();
    let mut leftovers = 0;
    for n in 0..TRIALS {
        let (tf, whole) = (&bins[n % bins.len()], durations[n % bins.len()]);
        match trial(tf, 1000 + n as u64, whole) {
            Ok(imports) => {
                eprintln!(
                    "trial {n} ({}): converged after {imports} imports",
                    tf.display()
                );
                leftovers += usize::from(imports > 0);
            }
            Err(e) => failures.push(format!("trial {n} ({}): {e}", tf.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Killed between creates, a run leaves nothing to import; ten random kills across the
    // apply leave something at least once, or the hard case went untested.
    assert!(
        leftovers > 0,
        "no trial left an object to import (applies took {durations:?})"
    );
}
