//! Fault suite: the cross-cloud, seed and cross-region examples applied and destroyed by the real
//! Terraform CLI against a sandbox that throttles, fails and drops calls
//! (`--faults {"throttle_rate":0.3,"error_rate":0.1,"reset_rate":0.05,"seed":N}`), for several
//! seeds.
//!
//! Faults may outlast the provider's retries, so a failed `apply` or `destroy` is run again (up
//! to [`ATTEMPTS`] runs in all). After every run, Terraform's state and `GET /_sandbox/state`
//! must agree:
//! * no orphan: every object in the sandbox is owned by a resource in the state (a resource
//!   created in the cloud but missing from state would be leaked for good);
//! * no duplicate: no two sandbox objects play the same role (e.g. two border gateways of the
//!   same name: a create retried after a lost response);
//! * and once `destroy` succeeded, the sandbox is empty (the seeded CEN and transit routers
//!   under `alicloud_seed` aside).
//!
//! Only the FIRST binary of `terraform_bins()` is used: the suite exercises the provider's
//! retry and recovery paths, not Terraform versions, and every extra binary would double a
//! runtime that has to stay under a few minutes on two cores.
//!
//! A run of the same seed meets the same fault sequence only as far as the request order is the
//! same; Terraform walks the graph in parallel and the provider polls on timers, so two runs of a
//! seed may differ. The sandbox log (quoted on failure) says which call got which fault.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use common::{terraform_bins, Sandbox, TfOutput, TfWorkdir};
use serde_json::Value;

/// Runs of `apply` (and of `destroy`) before giving up: the first plus up to three more.
const ATTEMPTS: usize = 4;

/// The examples seeds 1–4 apply and destroy.
const EXAMPLES: &[&str] = &["jdcloud-alicloud-vpn", "jdcloud-customer-gateway"];
/// The cycle-breaking example (two regions, customer gateway addresses set after the peer
/// exists) takes longest, so one seed of its own runs it.
const CROSS_REGION: &[&str] = &["jdcloud-cross-region-vpn"];

fn fault_plan(seed: u64) -> String {
    format!(r#"{{"throttle_rate":0.3,"error_rate":0.1,"reset_rate":0.05,"seed":{seed}}}"#)
}

/// How one kind of sandbox object maps to Terraform state: the object's id field, the resource
/// type and attribute that own it, and the fields that make its role (two objects with equal
/// role fields are duplicates).
struct KindSpec {
    cloud: &'static str,
    kind: &'static str,
    id_field: &'static str,
    owner_type: &'static str,
    owner_attr: &'static str,
    role: &'static [&'static str],
}

/// Every kind of user-created object the sandbox keeps. A kind missing here fails the suite
/// (see [`sandbox_objects`]), so a new resource cannot go unchecked.
const KINDS: &[KindSpec] = &[
    KindSpec {
        cloud: "jdcloud",
        kind: "bgws",
        id_field: "bgwId",
        owner_type: "hybridnet_jdcloud_border_gateway",
        owner_attr: "id",
        role: &["bgwName"],
    },
    KindSpec {
        cloud: "jdcloud",
        kind: "vpc_attachments",
        id_field: "vpcAttachmentId",
        owner_type: "hybridnet_jdcloud_vpc_attachment",
        owner_attr: "id",
        role: &["bgwId", "vpcId"],
    },
    KindSpec {
        cloud: "jdcloud",
        kind: "customer_gateways",
        id_field: "customerGatewayId",
        owner_type: "hybridnet_jdcloud_customer_gateway",
        owner_attr: "id",
        role: &["customerGatewayName"],
    },
    KindSpec {
        cloud: "jdcloud",
        kind: "vpn_connections",
        id_field: "vpnConnectionId",
        owner_type: "hybridnet_jdcloud_vpn_connection",
        owner_attr: "id",
        role: &["bgwId", "vpnConnectionName"],
    },
    KindSpec {
        cloud: "jdcloud",
        kind: "vpn_tunnels",
        id_field: "vpnTunnelId",
        owner_type: "hybridnet_jdcloud_vpn_tunnel",
        owner_attr: "id",
        role: &["vpnConnectionId", "cloudPublicIp"],
    },
    KindSpec {
        cloud: "jdcloud",
        kind: "bgw_routes",
        id_field: "bgwRouteId",
        owner_type: "hybridnet_jdcloud_border_gateway_route",
        owner_attr: "id",
        role: &["bgwId", "bgwRouteDestination"],
    },
    KindSpec {
        cloud: "alicloud",
        kind: "customer_gateways",
        id_field: "CustomerGatewayId",
        owner_type: "hybridnet_alicloud_customer_gateway",
        owner_attr: "id",
        role: &["RegionId", "IpAddress"],
    },
    KindSpec {
        cloud: "alicloud",
        kind: "vpn_connections",
        id_field: "VpnConnectionId",
        owner_type: "hybridnet_alicloud_ipsec_connection_cen",
        owner_attr: "id",
        role: &["RegionId", "Name"],
    },
    // One route per destination of a connection.
    KindSpec {
        cloud: "alicloud",
        kind: "vco_route_entries",
        id_field: "RouteDest",
        owner_type: "hybridnet_alicloud_ipsec_connection_route",
        owner_attr: "route_dest",
        role: &["VpnConnectionId", "RouteDest"],
    },
    // The binding, association and propagation belong to the IPsec connection resource.
    KindSpec {
        cloud: "alicloud",
        kind: "transit_router_vpn_attachments",
        id_field: "TransitRouterAttachmentId",
        owner_type: "hybridnet_alicloud_ipsec_connection_cen",
        owner_attr: "transit_router_attachment_id",
        role: &["VpnId"],
    },
    KindSpec {
        cloud: "alicloud",
        kind: "route_table_associations",
        id_field: "TransitRouterAttachmentId",
        owner_type: "hybridnet_alicloud_ipsec_connection_cen",
        owner_attr: "transit_router_attachment_id",
        role: &["TransitRouterAttachmentId"],
    },
    KindSpec {
        cloud: "alicloud",
        kind: "route_table_propagations",
        id_field: "TransitRouterAttachmentId",
        owner_type: "hybridnet_alicloud_ipsec_connection_cen",
        owner_attr: "transit_router_attachment_id",
        role: &["TransitRouterAttachmentId", "TransitRouterRouteTableId"],
    },
];

/// One object in the sandbox.
struct Object {
    spec: &'static KindSpec,
    id: String,
    role: String,
}

/// Every user-created object of both clouds in `GET /_sandbox/state`, plus the kinds
/// [`KINDS`] does not know (reported as problems).
fn sandbox_objects(state: &Value) -> (Vec<Object>, Vec<String>) {
    let mut objects = Vec::new();
    let mut unknown = Vec::new();
    for cloud in ["jdcloud", "alicloud"] {
        let kinds = state[cloud].as_object().cloned().unwrap_or_default();
        for (kind, items) in kinds {
            let items = items.as_array().cloned().unwrap_or_default();
            let Some(spec) = KINDS.iter().find(|k| k.cloud == cloud && k.kind == kind) else {
                if !items.is_empty() {
                    unknown.push(format!(
                        "{cloud}.{kind} is not in the fault suite's KINDS table: {items:?}"
                    ));
                }
                continue;
            };
            for item in items {
                let field = |name: &str| match &item[name] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                objects.push(Object {
                    spec,
                    id: field(spec.id_field),
                    role: spec
                        .role
                        .iter()
                        .map(|f| format!("{f}={}", field(f)))
                        .collect::<Vec<_>>()
                        .join(" "),
                });
            }
        }
    }
    (objects, unknown)
}

/// `(resource type, attribute) → values` of every resource instance in the state: what
/// `terraform show -json` shows, plus the raw state file's instances (tainted and deposed
/// objects count as in state whichever way Terraform presents them).
fn state_attributes(wd: &TfWorkdir) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut add = |ty: &str, attrs: &Value| {
        for (name, value) in attrs.as_object().into_iter().flatten() {
            if let Some(s) = value.as_str() {
                out.entry((ty.to_owned(), name.clone()))
                    .or_default()
                    .insert(s.to_owned());
            }
        }
    };
    let shown = wd.show_json();
    let mut modules = vec![shown["values"]["root_module"].clone()];
    while let Some(module) = modules.pop() {
        for r in module["resources"].as_array().into_iter().flatten() {
            add(r["type"].as_str().unwrap_or_default(), &r["values"]);
        }
        modules.extend(
            module["child_modules"]
                .as_array()
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    let raw = wd.state_json();
    for r in raw["resources"].as_array().into_iter().flatten() {
        let ty = r["type"].as_str().unwrap_or_default();
        for instance in r["instances"].as_array().into_iter().flatten() {
            add(ty, &instance["attributes"]);
        }
    }
    out
}

/// Orphans and duplicates after one Terraform run; `must_be_empty` after a successful destroy.
fn check(sb: &Sandbox, wd: &TfWorkdir, must_be_empty: bool) -> Vec<String> {
    let (objects, mut problems) = sandbox_objects(&sb.state());
    let in_state = state_attributes(wd);
    let owned = |o: &Object| {
        in_state
            .get(&(o.spec.owner_type.to_owned(), o.spec.owner_attr.to_owned()))
            .is_some_and(|ids| ids.contains(&o.id))
    };
    for o in objects.iter().filter(|o| !owned(o)) {
        problems.push(format!(
            "ORPHAN {}.{} {} ({}): in the sandbox, but no {}.{} in the Terraform state has it",
            o.spec.cloud, o.spec.kind, o.id, o.role, o.spec.owner_type, o.spec.owner_attr
        ));
    }
    let mut roles: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for o in &objects {
        roles
            .entry((o.spec.cloud, o.spec.kind, &o.role))
            .or_default()
            .push(&o.id);
    }
    for ((cloud, kind, role), ids) in roles.iter().filter(|(_, ids)| ids.len() > 1) {
        problems.push(format!("DUPLICATE {cloud}.{kind} ({role}): {ids:?}"));
    }
    if must_be_empty {
        for o in &objects {
            problems.push(format!(
                "LEFT AFTER DESTROY {}.{} {} ({})",
                o.spec.cloud, o.spec.kind, o.id, o.role
            ));
        }
    }
    problems
}

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("main.tf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Runs `args` until it succeeds (at most [`ATTEMPTS`] times), checking the sandbox against the
/// state after every run. Returns the number of runs it took, `None` if it never succeeded.
fn run_until_ok(
    sb: &Sandbox,
    wd: &TfWorkdir,
    args: &[&str],
    destroying: bool,
    problems: &mut Vec<String>,
) -> Option<usize> {
    let mut outputs: Vec<TfOutput> = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let out = wd.run(args);
        let ok = out.success();
        let found = check(sb, wd, destroying && ok);
        if !found.is_empty() {
            problems.push(format!(
                "after `terraform {}` attempt {attempt}/{ATTEMPTS}:\n  {}\n{out}",
                args[0],
                found.join("\n  ")
            ));
        }
        if ok {
            return Some(attempt);
        }
        // Shown with --nocapture: why a run failed (normally faults outlasting the retries).
        eprintln!(
            "`terraform {}` run {attempt} failed:\n{}",
            args[0],
            error_summary(&out)
        );
        outputs.push(out);
    }
    let mut all = String::new();
    for out in &outputs {
        let _ = writeln!(all, "{out}");
    }
    problems.push(format!(
        "`terraform {}` did not succeed in {ATTEMPTS} runs:\n{all}",
        args[0]
    ));
    None
}

/// The `Error:` paragraphs of a Terraform run.
fn error_summary(out: &TfOutput) -> String {
    let text = out.combined();
    let mut summary = Vec::new();
    let mut in_error = false;
    for line in text.lines() {
        if line.starts_with("Error:") {
            in_error = true;
        } else if line.starts_with("Warning:") || line.starts_with("---") {
            in_error = false;
        }
        if in_error && !line.trim().is_empty() {
            summary.push(format!("  {line}"));
        }
    }
    summary.join("\n")
}

/// Lines of the sandbox log naming an injected fault.
fn fault_log(sb: &Sandbox) -> String {
    sb.log()
        .lines()
        .filter(|l| l.contains("injecting fault"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_seed(seed: u64, examples: &[&str]) {
    // First binary only: see the module comment.
    let tf = terraform_bins()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no Terraform binary"));
    let plan = fault_plan(seed);
    let mut report = String::new();
    for name in examples {
        let sb = Sandbox::start_with_args(&["--faults", &plan, "--provisioning-ms", "50"]);
        let wd = TfWorkdir::new(&tf, &sb, &example(name));
        let mut problems = Vec::new();
        let applies = run_until_ok(
            &sb,
            &wd,
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            false,
            &mut problems,
        );
        let destroys = run_until_ok(
            &sb,
            &wd,
            &["destroy", "-auto-approve", "-input=false", "-no-color"],
            true,
            &mut problems,
        );
        let counters = sb.requests();
        let injected: i64 = counters
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.starts_with("faults."))
            .filter_map(|(_, v)| v.as_i64())
            .sum();
        if injected == 0 {
            problems.push(format!(
                "no fault was injected, so nothing was tested: {counters}"
            ));
        }
        // Shown with --nocapture: how hard the faults hit, for the record.
        eprintln!(
            "seed {seed}, {name}: apply runs {applies:?}, destroy runs {destroys:?}, \
             {injected} faults injected: {counters}"
        );
        if !problems.is_empty() {
            let _ = writeln!(
                report,
                "===== example {name}, faults {plan} =====\n{}\n----- injected faults (sandbox log) -----\n{}\n----- request counts -----\n{counters}\n",
                problems.join("\n\n"),
                fault_log(&sb)
            );
        }
    }
    assert!(report.is_empty(), "fault suite, seed {seed}:\n{report}");
}

#[test]
fn faults_seed_1() {
    run_seed(1, EXAMPLES);
}

#[test]
fn faults_seed_2() {
    run_seed(2, EXAMPLES);
}

#[test]
fn faults_seed_3() {
    run_seed(3, EXAMPLES);
}

#[test]
fn faults_seed_4() {
    run_seed(4, EXAMPLES);
}

#[test]
fn faults_seed_5_cross_region() {
    run_seed(5, CROSS_REGION);
}

/// The checks themselves: an object created behind Terraform's back is an orphan and, with the
/// same name as one in state, a duplicate; after destroy it is left over. No faults here.
#[test]
fn checker_reports_orphans_and_duplicates() {
    let tf = terraform_bins()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no Terraform binary"));
    let sb = Sandbox::start();
    let wd = TfWorkdir::new(&tf, &sb, &example("jdcloud-customer-gateway"));
    wd.apply();
    assert_eq!(check(&sb, &wd, false), Vec::<String>::new());
    let (status, body) = sb.jd_request(
        "POST",
        "/v1/regions/cn-north-1/customerGateways/",
        "",
        Some(&serde_json::json!({"customerGatewaySpec": {
            "customerGatewayName": "idc-beijing",
            "customerIps": ["203.0.113.10"],
            "bgpAsn": 65010
        }})),
    );
    assert_eq!(status, 200, "{body}");
    let stray = body["result"]["customerGatewayId"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {body}"))
        .to_owned();
    let found = check(&sb, &wd, false);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("ORPHAN jdcloud.customer_gateways") && found[0].contains(&stray),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("DUPLICATE jdcloud.customer_gateways"),
        "{found:#?}"
    );
    wd.destroy();
    let found = check(&sb, &wd, true);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("LEFT AFTER DESTROY") && p.contains(&stray)),
        "{found:#?}"
    );
}
