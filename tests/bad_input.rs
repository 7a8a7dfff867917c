//! Bad input catalogue: one table of invalid resource configurations, each of which
//! `terraform validate` must reject, pointing at the offending attribute, without a single
//! request reaching the cloud (the sandbox).
//!
//! Every case is its own configuration (one resource, named `x`), so each error is attributed
//! to exactly one input. A case expects exactly one error, and says where it must point:
//!
//! - [`at`]: an attribute path as Terraform shows it (`psk`, `tunnel[0].psk`,
//!   `customer_ips[1]`, `timeouts.create`, `traffic_selector[10]`). Terraform quotes that
//!   path's own source line (`  14:     psk = "a b"`), which the test finds in the rendered
//!   `main.tf` (block index included), and a nested path must also appear in the detail.
//! - [`at_saying`]: the same source line, plus a detail text, for errors whose detail does not
//!   repeat the path (Terraform's own schema checks, the provider's cross-attribute rules).
//! - [`saying`]: the offending attribute is absent, so Terraform can only quote the resource:
//!   the detail says what is missing.
//!
//! [`GOOD`] holds one valid configuration per resource type, with boundary values, so the
//! table cannot pass because everything is rejected.
//!
//! Here stays one case per kind of check that needs Terraform to be trusted: where an error
//! points (attribute, list element, block argument, one-line block, `timeouts`, no attribute),
//! what Terraform sends that the provider must read (null literals and elements, huge numbers,
//! escapes), what is only known at plan (variables, a sensitive value that must not be echoed),
//! and Terraform's own checks of our schema (required arguments, block counts, types). Every
//! other case of the catalogue is a rule of the provider's own validation, which gives the same
//! error wherever it runs: those run without Terraform, in a second or less, in
//! `src/resources/tests_bad_input.rs`, which reads them from
//! `tests/fixtures/bad_input_catalogue.tf` (each with the path and text it must report):
//!
//! | cases moved there                                 | fixture line | cases |
//! |---------------------------------------------------|--------------|-------|
//! | `hybridnet_jdcloud_border_gateway`                |           15 |    10 |
//! | `hybridnet_jdcloud_border_gateway_route`          |           76 |     9 |
//! | `hybridnet_jdcloud_customer_gateway`              |          156 |    17 |
//! | `hybridnet_jdcloud_customer_gateway_addresses`    |          279 |     9 |
//! | `hybridnet_jdcloud_vpc_attachment`                |          338 |    11 |
//! | `hybridnet_jdcloud_vpn_connection`                |          429 |    12 |
//! | `hybridnet_jdcloud_vpn_tunnel`                    |          545 |    42 |
//! | `hybridnet_alicloud_customer_gateway`             |          931 |    19 |
//! | `hybridnet_alicloud_ipsec_connection_cen`         |         1043 |    47 |
//! | `hybridnet_alicloud_ipsec_connection_route`       |         1521 |    11 |
//! | issue 12 (timeouts, nulls, numbers, regions, ids, control characters) | 1596 | 33 |
//! | `hybridnet_psk` (the managed resource)            |         1910 |     6 |
//!
//! Six "The argument … is required" cases are there as `required:` (the schema's flag, from which
//! Terraform's message follows, and the provider's own refusal of a null); the GOOD
//! configurations are validated there too.
//!
//! Rules of docs/design/jdcloud.md §6 and docs/design/alicloud.md §8 that the provider does not
//! enforce at validate would be listed at the end of this file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use common::{provider_preamble, terraform_bins, Sandbox, TfOutput, TfWorkdir};
use serde_json::json;

const BGW: &str = "hybridnet_jdcloud_border_gateway";
const ROUTE: &str = "hybridnet_jdcloud_border_gateway_route";
const JD_CGW: &str = "hybridnet_jdcloud_customer_gateway";
const CGW_ADDRS: &str = "hybridnet_jdcloud_customer_gateway_addresses";
const VPCA: &str = "hybridnet_jdcloud_vpc_attachment";
const CONN: &str = "hybridnet_jdcloud_vpn_connection";
const TUNNEL: &str = "hybridnet_jdcloud_vpn_tunnel";
const ALI_CGW: &str = "hybridnet_alicloud_customer_gateway";
const IPSEC: &str = "hybridnet_alicloud_ipsec_connection_cen";
const VCO_ROUTE: &str = "hybridnet_alicloud_ipsec_connection_route";
const PSK: &str = "hybridnet_psk";

/// `terraform validate` processes run at once against one sandbox (each in its own workdir).
const PARALLEL: usize = 4;

/// Where the single error of a case must point.
#[derive(Debug, Clone, Copy)]
enum Expect {
    At(&'static str),
    AtSaying(&'static str, &'static str),
    Saying(&'static str),
}

/// The Terraform command a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    /// `terraform validate`: variables are unknown, so only literals are checked.
    Validate,
    /// `terraform plan` of the new resource: variables have their values (a null, a secret),
    /// and the provider is configured, yet still no request reaches the cloud.
    Plan,
}

#[derive(Debug)]
struct Case {
    /// Resource type; the resource is always named `x`.
    ty: &'static str,
    /// The resource body; its common indentation is removed when rendered.
    body: &'static str,
    expect: Expect,
    cmd: Cmd,
    /// Top-level configuration after the resource (variables), so line numbers do not move.
    top: &'static str,
    /// A value that must not appear anywhere in Terraform's output (a sensitive variable's).
    hidden: &'static str,
}

const fn case(ty: &'static str, body: &'static str, expect: Expect) -> Case {
    Case {
        ty,
        body,
        expect,
        cmd: Cmd::Validate,
        top: "",
        hidden: "",
    }
}

const fn at(ty: &'static str, path: &'static str, body: &'static str) -> Case {
    case(ty, body, Expect::At(path))
}

const fn at_saying(
    ty: &'static str,
    path: &'static str,
    detail: &'static str,
    body: &'static str,
) -> Case {
    case(ty, body, Expect::AtSaying(path, detail))
}

const fn saying(ty: &'static str, detail: &'static str, body: &'static str) -> Case {
    case(ty, body, Expect::Saying(detail))
}

impl Case {
    /// Checked by `terraform plan`, with `top` (variable declarations) in the configuration.
    const fn planned(self, top: &'static str) -> Case {
        Case {
            cmd: Cmd::Plan,
            top,
            ..self
        }
    }
    /// `secret` must not appear in the output.
    const fn hiding(self, secret: &'static str) -> Case {
        Case {
            hidden: secret,
            ..self
        }
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ----- Where an error points: one case per kind of path --------------------------------------
    // A top-level argument; an element of a list argument; an argument of a block written over
    // several lines, and of a one-line block; the `timeouts` block; a rule across arguments that
    // points at none (Terraform can only quote the resource).
    at(BGW, "name", r#"name = "has space""#),
    at(JD_CGW, "customer_ips[1]", r#"
        name         = "idc"
        customer_ips = ["203.0.113.10", "203.0.113.10"]
        bgp_asn      = 65010
    "#),
    at(CONN, "traffic_selector[0].description", r#"
        name                = "idc"
        border_gateway_id   = "bgw-1"
        customer_gateway_id = "cgw-1"
        traffic_selector {
          local_subnet = "10.0.0.0/16"
          description  = "a\rb"
        }
    "#),
    at(IPSEC, "tunnel[0].customer_gateway_id", r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "" }
        tunnel { customer_gateway_id = "cgw-2" }
    "#),
    at(BGW, "timeouts.create", r#"
        name = "bgw-main"
        timeouts { create = "ten" }
    "#),
    saying(BGW, "`az` is required when `az_type` is \"edge\".", r#"
        name    = "bgw-main"
        az_type = "edge"
    "#),

    // ----- What Terraform sends that the provider must read: null literals and elements, numbers
    // of any size, escapes in strings (the last case above: `\r`).
    at(BGW, "name", r#"name = null"#),
    at(JD_CGW, "customer_ips[0]", r#"
        name         = "idc"
        customer_ips = [null]
        bgp_asn      = 65010
    "#),
    at(JD_CGW, "bgp_asn", r#"
        name         = "idc"
        customer_ips = ["203.0.113.10"]
        bgp_asn      = 1e400
    "#),

    // ----- Checked at plan, where variables have their values: nulls through variables, and a
    // sensitive value, refused by rule and path, that appears nowhere in the output.
    at(BGW, "name", r#"name = var.n"#).planned(r#"
        variable "n" {
          type    = string
          default = null
        }
    "#),
    at(JD_CGW, "bgp_asn", r#"
        name         = "idc"
        customer_ips = ["203.0.113.10"]
        bgp_asn      = var.asn
    "#).planned(r#"
        variable "asn" {
          type    = number
          default = null
        }
    "#),
    at_saying(TUNNEL, "psk", "must be 1 to 20 letters, digits, `_` or `-`", r#"
        vpn_connection_id = "vpnc-1"
        cloud_public_ip   = "116.196.0.10"
        customer_ip       = "203.0.113.10"
        psk               = var.psk
    "#).planned(r#"
        variable "psk" {
          type      = string
          sensitive = true
          default   = "MyRealSecret 2024"
        }
    "#).hiding("MyRealSecret"),
    at_saying(IPSEC, "tunnel[1].psk", "tunnel[1].psk must be 1 to 100 letters", r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "cgw-1" }
        tunnel {
          customer_gateway_id = "cgw-2"
          psk                 = var.psk
        }
    "#).planned(r#"
        variable "psk" {
          type      = string
          sensitive = true
          default   = "MyRealSecret 2024"
        }
    "#).hiding("MyRealSecret"),

    // ----- Terraform's own checks of the schema the provider declares: a missing required
    // argument, block counts, types.
    saying(ROUTE, "The argument \"next_hop_id\" is required", r#"
        border_gateway_id = "bgw-1"
        destination       = "192.168.0.0/16"
        next_hop_type     = "vpn_connection"
    "#),
    saying(IPSEC, "At least 2 \"tunnel\" blocks are required", r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "cgw-1" }
    "#),
    at_saying(IPSEC, "tunnel[2]", "No more than 2 \"tunnel\" blocks are allowed", r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "cgw-1" }
        tunnel { customer_gateway_id = "cgw-2" }
        tunnel { customer_gateway_id = "cgw-3" }
    "#),
    at_saying(CONN, "traffic_selector[10]", "No more than 10 \"traffic_selector\" blocks are allowed", r#"
        name                = "idc"
        border_gateway_id   = "bgw-1"
        customer_gateway_id = "cgw-1"
        traffic_selector { local_subnet = "10.0.0.0/24" }
        traffic_selector { local_subnet = "10.0.1.0/24" }
        traffic_selector { local_subnet = "10.0.2.0/24" }
        traffic_selector { local_subnet = "10.0.3.0/24" }
        traffic_selector { local_subnet = "10.0.4.0/24" }
        traffic_selector { local_subnet = "10.0.5.0/24" }
        traffic_selector { local_subnet = "10.0.6.0/24" }
        traffic_selector { local_subnet = "10.0.7.0/24" }
        traffic_selector { local_subnet = "10.0.8.0/24" }
        traffic_selector { local_subnet = "10.0.9.0/24" }
        traffic_selector { local_subnet = "10.0.10.0/24" }
    "#),
    at(CONN, "bgp_enabled", r#"
        name                = "idc"
        border_gateway_id   = "bgw-1"
        customer_gateway_id = "cgw-1"
        bgp_enabled         = "maybe"
    "#),
    at_saying(IPSEC, "tunnel[1].enable_dpd", "Inappropriate value for attribute \"enable_dpd\": a bool is required", r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "cgw-1" }
        tunnel {
          customer_gateway_id = "cgw-2"
          enable_dpd          = "yes"
        }
    "#),
];

/// One valid configuration per resource type, using boundary values (limits are inclusive).
#[rustfmt::skip]
const GOOD: &[(&str, &str)] = &[
    (BGW, r#"
        name        = "边界网关_main-1"
        region      = "cn-south-1"
        description = format("%0256d", 0)
        az_type     = "edge"
        az          = "cn-north-1-edge-a"
        timeouts {
          create = "1h30m"
          read   = "1s"
          update = "24h"
          delete = "90s"
        }
    "#),
    (ROUTE, r#"
        border_gateway_id = "bgw-1"
        destination       = "0.0.0.0/0"
        next_hop_type     = "vpc_attachment"
        next_hop_id       = "vpca-1"
        description       = "default route"
    "#),
    (JD_CGW, r#"
        name         = "abcdefghijklmnopqrstuvwxyz012345"
        customer_ips = ["203.0.113.10", "203.0.113.11", "198.51.100.1", "8.8.8.8"]
        bgp_asn      = 65499
    "#),
    (CGW_ADDRS, r#"
        customer_gateway_id = "cgw-1"
        customer_ips        = ["203.0.113.10", "203.0.113.11"]
    "#),
    (VPCA, r#"
        name              = "app"
        border_gateway_id = "bgw-1"
        vpc_id            = "vpc-app00001"
        propagate_type    = "partial"
        subnet_ids        = ["subnet-web00001", "subnet-db000001"]
    "#),
    (CONN, r#"
        name                = "idc"
        border_gateway_id   = "bgw-1"
        customer_gateway_id = "cgw-1"
        bgp_enabled         = false
        local_asn           = 64512
        traffic_selector {
          local_subnet   = "10.0.0.0/16"
          remote_subnets = ["192.168.0.0/16", "172.16.0.0/12"]
          description    = "data centre"
        }
        traffic_selector {
          local_subnet = "10.1.0.0/16"
        }
    "#),
    (TUNNEL, r#"
        vpn_connection_id  = "vpnc-1"
        cloud_public_ip    = "116.196.0.10"
        customer_ip        = "203.0.113.10"
        psk                = "Key_1-abcdefghijklmn"
        tunnel_ip          = "10.0.0.4/30"
        local_tunnel_ip    = "10.0.0.6"
        ike_version        = "v1"
        ike_mode           = "aggressive"
        ike_key_exchange   = "modp2048"
        ike_cipher         = "3des"
        ike_auth           = "sha384"
        ike_dpd_sec        = 0
        ike_sa_life_sec    = 60
        ipsec_cipher       = "aes256"
        ipsec_auth         = "sha1"
        ipsec_key_exchange = "ecp384"
        ipsec_sa_life_sec  = 86400
        ipsec_sa_lifepkt   = 100000000
        ipsec_sa_lifebyte  = 107374182400
        bandwidth_mbps     = 1500
        admin_status       = "DOWN"
    "#),
    (ALI_CGW, r#"
        ip_address  = "10.0.0.1"
        region      = "ap-southeast-1"
        asn         = 4294967295
        name        = format("%0100d", 0)
        description = "Hangzhou data centre, router 1 – 杭州"
    "#), // a private address: private connections need one

    (IPSEC, r#"
        name                          = "idc-dual-tunnel"
        region                        = "cn-shanghai"
        cen_id                        = "cen-1"
        transit_router_id             = "tr-sh-sandbox0001"
        network_type                  = "private"
        routing_mode                  = "protected_data_flows"
        local_subnets                 = ["10.0.0.0/16", "10.1.0.0/16"]
        remote_subnets                = ["192.168.0.0/16"]
        bgp_enabled                   = true
        associate_default_route_table = true
        propagate_default_route_table = true
        tunnel {
          customer_gateway_id = "cgw-1"
          psk                 = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?aZ9"
          ike_lifetime        = 0
          ipsec_pfs           = "disabled"
          local_id            = "idc.example.com"
          bgp_tunnel_cidr     = "169.254.7.0/30"
          bgp_local_ip        = "169.254.7.2"
          bgp_local_asn       = 4294967295
        }
        tunnel {
          customer_gateway_id = "cgw-2"
          psk                 = format("%0100d", 0)
          bgp_tunnel_cidr     = "169.254.169.248/30"
        }
    "#),
    (VCO_ROUTE, r#"
        region            = "cn-shanghai"
        vpn_connection_id = "vco-1"
        route_dest        = "100.128.0.0/32"
        next_hop          = "vco-1"
        weight            = 0
        overlay_mode      = "Ipsec"
    "#),
    (PSK, r#"
        length  = 20
        clouds  = ["jdcloud", "alicloud"]
        keepers = { rotation = "1" }
    "#),
];

// ---------------------------------------------------------------------------------------------
// Rendering and locating source lines
// ---------------------------------------------------------------------------------------------

/// A case's `main.tf`: the provider preamble, then `resource "<ty>" "x" { <body> }`.
struct Rendered {
    main_tf: String,
    /// The body lines, dedented and indented by two spaces, as written to the file.
    body: Vec<String>,
    /// 1-based line number of `body[0]` in `main.tf`.
    first_line: usize,
}

fn render(ty: &str, body: &str) -> Rendered {
    render_with(ty, body, "")
}

/// `top` (dedented) follows the resource, so it does not move the body's line numbers.
fn render_with(ty: &str, body: &str, top: &str) -> Rendered {
    let body: Vec<String> = dedent(body).iter().map(|l| format!("  {l}")).collect();
    let preamble = provider_preamble();
    let top: String = dedent(top).join("\n");
    let main_tf = format!(
        "{preamble}\nresource \"{ty}\" \"x\" {{\n{}\n}}\n{top}\n",
        body.join("\n")
    );
    // The preamble's lines, the blank line, then the `resource` line.
    let first_line = preamble.lines().count() + 3;
    Rendered {
        main_tf,
        body,
        first_line,
    }
}

/// The non-blank span of `text`'s lines, without their common indentation.
fn dedent(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    let lines = &lines[start..end];
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end().to_owned())
        .collect()
}

impl Rendered {
    /// The `main.tf` line number and text Terraform quotes for `path`.
    fn line_of(&self, path: &str) -> Result<(usize, &str), String> {
        let i = locate(&self.body, path)
            .ok_or_else(|| format!("the case's body has no source line for {path:?}"))?;
        Ok((self.first_line + i, self.body[i].as_str()))
    }
}

/// Brace depth change of one HCL line, ignoring braces inside strings.
fn brace_delta(line: &str) -> i32 {
    let (mut delta, mut in_string, mut escaped) = (0, false, false);
    for c in line.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '{' => delta += 1,
                '}' => delta -= 1,
                _ => {}
            }
        }
    }
    delta
}

/// `name` or `name[3]`.
fn split_step(step: &str) -> (&str, Option<usize>) {
    match step.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (step, None),
    }
}

/// Index of the body line holding `path` (`tunnel[1].psk`, `customer_ips[0]`, `timeouts.create`,
/// `traffic_selector[10]`): blocks are followed by index, an attribute's element index is on the
/// attribute's own line, and anything inside a one-line block is on that line.
fn locate(body: &[String], path: &str) -> Option<usize> {
    let mut depth_before = Vec::with_capacity(body.len());
    let mut depth = 0;
    for line in body {
        depth_before.push(depth);
        depth += brace_delta(line);
    }
    // The text after `name` when the line starts an entry (`name = …`, `name {`) called `name`.
    let entry = |line: &'_ str, name: &str| -> Option<String> {
        let rest = line.trim_start().strip_prefix(name)?;
        rest.starts_with([' ', '=', '{'])
            .then(|| rest.trim_start().to_owned())
    };
    let (mut from, mut to, mut level) = (0, body.len(), 0);
    let steps: Vec<&str> = path.split('.').collect();
    for (k, step) in steps.iter().enumerate() {
        let (name, index) = split_step(step);
        let hits: Vec<(usize, String)> = (from..to)
            .filter(|&i| depth_before[i] == level)
            .filter_map(|i| entry(&body[i], name).map(|rest| (i, rest)))
            .collect();
        let (first, rest) = hits.first()?;
        if !rest.starts_with('{') {
            // An attribute: an element index (`customer_ips[1]`) is on the same line.
            return (k + 1 == steps.len()).then_some(*first);
        }
        let (line, rest) = hits.get(index.unwrap_or(0))?;
        if k + 1 == steps.len() {
            return Some(*line);
        }
        if brace_delta(&body[*line]) == 0 {
            // A one-line block (`tunnel { customer_gateway_id = "cgw-1" }`) holds one attribute.
            let (inner, _) = split_step(steps[k + 1]);
            let inner_rest = entry(rest.trim_start_matches('{'), inner)?;
            return (k + 2 == steps.len() && !inner_rest.starts_with('{')).then_some(*line);
        }
        // The block's lines run until the line that brings the depth back to this level.
        from = line + 1;
        to = (from..body.len())
            .find(|&i| depth_before[i] == level + 1 && brace_delta(&body[i]) < 0)
            .unwrap_or(body.len());
        level += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Checking Terraform's output
// ---------------------------------------------------------------------------------------------

/// The output with every run of whitespace (Terraform wraps details at ~78 columns) as one space.
fn collapse(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

fn strip_gutter(line: &str) -> &str {
    line.trim_start_matches(['│', ' '])
}

/// Whether Terraform quotes source line `n` of main.tf (`  14:     psk = "a b"`) with this text.
fn quotes_line(text: &str, n: usize, source: &str) -> bool {
    text.lines().any(|l| {
        strip_gutter(l).split_once(':').is_some_and(|(num, rest)| {
            !num.is_empty()
                && num.chars().all(|c| c.is_ascii_digit())
                && num.parse() == Ok(n)
                && rest.trim() == source.trim()
        })
    })
}

fn check_rejected(case: &Case, r: &Rendered, out: &TfOutput) -> Result<(), String> {
    if out.timed_out || out.code != 1 {
        return Err("`terraform validate` must fail with exit code 1".into());
    }
    let text = out.combined();
    let errors = text
        .lines()
        .filter(|l| strip_gutter(l).starts_with("Error: "))
        .count();
    if errors != 1 {
        return Err(format!("expected exactly one error, got {errors}"));
    }
    let resource = format!("in resource \"{}\" \"x\"", case.ty);
    if !text.contains(&resource) {
        return Err(format!("the error does not say {resource:?}"));
    }
    if !case.hidden.is_empty() && text.contains(case.hidden) {
        return Err(format!("the output shows the secret {:?}", case.hidden));
    }
    let flat = collapse(&text);
    let must_say = |needle: &str| {
        if flat.contains(&collapse(needle)) {
            Ok(())
        } else {
            Err(format!("the output does not say {needle:?}"))
        }
    };
    match case.expect {
        Expect::At(path) | Expect::AtSaying(path, _) => {
            let (n, source) = r.line_of(path)?;
            if !text.contains(&format!("on main.tf line {n},")) || !quotes_line(&text, n, source) {
                return Err(format!(
                    "Terraform does not point at line {n} of main.tf ({}), where {path} is",
                    source.trim()
                ));
            }
        }
        Expect::Saying(_) => {}
    }
    match case.expect {
        // A nested path is only visible in full in the detail.
        Expect::At(path) if path.contains(['.', '[']) => must_say(path),
        Expect::At(_) => Ok(()),
        Expect::AtSaying(_, detail) | Expect::Saying(detail) => must_say(detail),
    }
}

fn check_accepted(out: &TfOutput) -> Result<(), String> {
    if out.success() && !out.combined().contains("Error") {
        Ok(())
    } else {
        Err("`terraform validate` must accept this configuration".into())
    }
}

/// One configuration to check: a bad case, or a good configuration (`case` = None).
struct Job<'a> {
    ty: &'a str,
    body: &'a str,
    case: Option<&'a Case>,
}

impl Job<'_> {
    fn args(&self) -> &'static [&'static str] {
        match self.case.map_or(Cmd::Validate, |c| c.cmd) {
            Cmd::Validate => &["validate", "-no-color"],
            Cmd::Plan => &["plan", "-no-color", "-input=false", "-lock=false"],
        }
    }
    fn render(&self) -> Rendered {
        render_with(self.ty, self.body, self.case.map_or("", |c| c.top))
    }
}

fn jobs() -> Vec<Job<'static>> {
    let bad = CASES.iter().map(|c| Job {
        ty: c.ty,
        body: c.body,
        case: Some(c),
    });
    let good = GOOD.iter().map(|(ty, body)| Job {
        ty,
        body,
        case: None,
    });
    bad.chain(good).collect()
}

/// Validates every job with `tf` against `sb`, `PARALLEL` at a time; returns the failures.
fn run_all(tf: &Path, sb: &Sandbox, jobs: &[Job]) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = job.render();
                let wd = TfWorkdir::new(tf, sb, &r.main_tf);
                let out = wd.run(job.args());
                let verdict = match job.case {
                    Some(case) => check_rejected(case, &r, &out),
                    None => check_accepted(&out),
                };
                if let Err(problem) = verdict {
                    let what = match job.case {
                        Some(case) => format!("bad case #{i} ({:?})", case.expect),
                        None => "good configuration".to_owned(),
                    };
                    let numbered: Vec<String> = r
                        .body
                        .iter()
                        .enumerate()
                        .map(|(k, l)| format!("{:>4}: {l}", r.first_line + k))
                        .collect();
                    failures.lock().unwrap().push(format!(
                        "{} {} {what}: {problem}\n{}\n{out}",
                        wd.terraform_version(),
                        job.ty,
                        numbered.join("\n")
                    ));
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

#[test]
fn bad_inputs_are_rejected_at_validate_without_reaching_the_cloud() {
    let jobs = jobs();
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let started = Instant::now();
        let failures = run_all(&tf, &sb, &jobs);
        eprintln!(
            "bad_input: {} bad cases and {} good configurations with {} in {:.1?}",
            CASES.len(),
            GOOD.len(),
            common::terraform_version(&tf),
            started.elapsed()
        );
        assert!(
            failures.is_empty(),
            "{} of {} configurations failed:\n\n{}",
            failures.len(),
            jobs.len(),
            failures.join("\n\n")
        );
        assert_eq!(sb.requests(), json!({}), "validation must not call the API");
    }
}

/// A bad provider setting: in the `provider` block (refused by `terraform validate`, pointing at
/// the line) or in the environment (refused at Configure, by `terraform plan`, naming the
/// variable).
struct ProviderCase {
    /// The `provider "hybridnet"` block's body.
    block: &'static str,
    env: &'static [(&'static str, &'static str)],
    cmd: Cmd,
    /// Text the (collapsed) detail must hold: the setting's path, and the variable if any.
    saying: &'static str,
    /// The source line Terraform must quote (block cases).
    line: Option<&'static str>,
}

#[rustfmt::skip]
const PROVIDER_CASES: &[ProviderCase] = &[
    ProviderCase { block: "jdcloud {\n    endpoint = \"https://bgw.example.com/v1\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "jdcloud.endpoint must be `http://` or `https://`, a host and an optional port", line: Some("endpoint = \"https://bgw.example.com/v1\"") },
    ProviderCase { block: "jdcloud {\n    endpoint = \"bgw.example.com\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "jdcloud.endpoint must be", line: Some("endpoint = \"bgw.example.com\"") },
    ProviderCase { block: "alicloud {\n    endpoint = \"https://ak:sk@vpc.example.com\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "alicloud.endpoint must be", line: Some("endpoint = \"https://ak:sk@vpc.example.com\"") },
    ProviderCase { block: "alicloud {\n    endpoint = \"http://127.0.0.1:8080/?x=1\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "it has a query or a fragment", line: Some("endpoint = \"http://127.0.0.1:8080/?x=1\"") },
    ProviderCase { block: "jdcloud {\n    region = \"mars-1\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "jdcloud.region must be a JD Cloud region ID", line: Some("region = \"mars-1\"") },
    ProviderCase { block: "alicloud {\n    region = \"cn-north-1\"\n  }", env: &[], cmd: Cmd::Validate,
        saying: "alicloud.region must be an Alibaba Cloud region ID", line: Some("region = \"cn-north-1\"") },
    ProviderCase { block: "", env: &[("HYBRIDNET_JDCLOUD_ENDPOINT", "http://127.0.0.1:1/v1")], cmd: Cmd::Plan,
        saying: "jdcloud.endpoint, taken from the HYBRIDNET_JDCLOUD_ENDPOINT environment variable, must be", line: None },
    ProviderCase { block: "", env: &[("ALICLOUD_REGION", "a/../b")], cmd: Cmd::Plan,
        saying: "alicloud.region, taken from the ALICLOUD_REGION environment variable, must be", line: None },
];

fn check_provider_case(c: &ProviderCase, main_tf: &str, out: &TfOutput) -> Result<(), String> {
    if out.timed_out || out.code != 1 {
        return Err("terraform must fail with exit code 1".into());
    }
    let text = out.combined();
    let errors = text
        .lines()
        .filter(|l| strip_gutter(l).starts_with("Error: "))
        .count();
    if errors != 1 {
        return Err(format!("expected exactly one error, got {errors}"));
    }
    if !collapse(&text).contains(&collapse(c.saying)) {
        return Err(format!("the output does not say {:?}", c.saying));
    }
    if let Some(line) = c.line {
        let n = main_tf
            .lines()
            .position(|l| l.trim() == line)
            .map(|i| i + 1)
            .ok_or("the case's line is not in main.tf")?;
        if !text.contains("in provider \"hybridnet\"") || !quotes_line(&text, n, line) {
            return Err(format!("Terraform does not point at line {n} ({line})"));
        }
    }
    Ok(())
}

#[test]
fn bad_provider_settings_are_refused_naming_the_setting() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let mut failures = Vec::new();
        for c in PROVIDER_CASES {
            let main_tf = format!(
                "terraform {{\n  required_providers {{\n    hybridnet = {{\n      source = \"{}\"\n    }}\n  }}\n}}\n\nprovider \"hybridnet\" {{\n  {}\n}}\n\nresource \"{BGW}\" \"x\" {{\n  name = \"bgw-main\"\n}}\n",
                common::PROVIDER_SOURCE,
                c.block
            );
            let mut wd = TfWorkdir::new(&tf, &sb, &main_tf);
            for (k, v) in c.env {
                wd.env(k, v);
            }
            let args: &[&str] = match c.cmd {
                Cmd::Validate => &["validate", "-no-color"],
                Cmd::Plan => &["plan", "-no-color", "-input=false", "-lock=false"],
            };
            let out = wd.run(args);
            if let Err(problem) = check_provider_case(c, &main_tf, &out) {
                failures.push(format!(
                    "{} {:?}: {problem}\n{main_tf}\n{out}",
                    wd.terraform_version(),
                    c.saying
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        assert_eq!(
            sb.requests(),
            json!({}),
            "provider checks must not call the API"
        );
    }
}

/// The catalogue (this table and the fixture run without Terraform) covers every resource the
/// docs describe (docs/resources/*.md are generated from the provider's schemas), with bad
/// cases and a good configuration, and every case's path here has a source line. No Terraform
/// needed.
#[test]
fn catalogue_covers_every_resource_type() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/resources");
    let documented: BTreeSet<String> = std::fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| format!("hybridnet_{}", p.file_stem().unwrap().to_string_lossy()))
        .collect();
    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    // The cases run without Terraform count too (src/resources/tests_bad_input.rs).
    let fixture = include_str!("fixtures/bad_input_catalogue.tf");
    let mut accepted = false;
    for line in fixture.lines() {
        if line == "# accepted" {
            accepted = true;
        } else if let Some(rest) = line.strip_prefix("resource \"") {
            if !accepted {
                *per_type.entry(rest.split('"').next().unwrap()).or_default() += 1;
            }
            accepted = false;
        }
    }
    for case in CASES {
        *per_type.entry(case.ty).or_default() += 1;
        if let Expect::At(path) | Expect::AtSaying(path, _) = case.expect {
            let r = render(case.ty, case.body);
            r.line_of(path).unwrap_or_else(|e| panic!("{e}: {case:?}"));
        }
    }
    let good: BTreeSet<String> = GOOD.iter().map(|(ty, _)| ty.to_string()).collect();
    let covered: BTreeSet<String> = per_type.keys().map(|t| t.to_string()).collect();
    assert_eq!(covered, documented, "resource types with bad cases");
    assert_eq!(good, documented, "resource types with a good configuration");
    let total: usize = per_type.values().sum();
    assert!(total >= 200, "only {total} cases");
    eprintln!("bad_input cases per resource type: {per_type:#?}");
}

#[test]
fn locate_finds_nested_and_indexed_paths() {
    let r = render(
        IPSEC,
        r#"
        cen_id = "cen-1"
        tunnel { customer_gateway_id = "cgw-1" }
        tunnel {
          customer_gateway_id = "cgw-2"
          psk = "}{"
          bgp_tunnel_cidr = "169.254.40.0/30"
        }
        tunnel { customer_gateway_id = "cgw-3" }
        timeouts {
          create = "1m"
        }
    "#,
    );
    let at = |path: &str| r.line_of(path).map(|(_, l)| l.trim().to_owned());
    assert_eq!(r.body[0], "  cen_id = \"cen-1\"");
    assert_eq!(at("cen_id").unwrap(), "cen_id = \"cen-1\"");
    assert_eq!(
        at("tunnel[0].customer_gateway_id").unwrap(),
        "tunnel { customer_gateway_id = \"cgw-1\" }"
    );
    assert!(at("tunnel[0].psk").is_err());
    assert_eq!(at("tunnel[1].psk").unwrap(), "psk = \"}{\"");
    assert_eq!(
        at("tunnel[1].bgp_tunnel_cidr").unwrap(),
        "bgp_tunnel_cidr = \"169.254.40.0/30\""
    );
    assert_eq!(
        at("tunnel[2]").unwrap(),
        "tunnel { customer_gateway_id = \"cgw-3\" }"
    );
    assert_eq!(at("timeouts.create").unwrap(), "create = \"1m\"");
    assert!(at("tunnel[3]").is_err());
    assert!(at("tunnel[1].ike_version").is_err());
    assert!(at("name").is_err());
    // Line numbers: the body starts right after `resource "…" "x" {`.
    let header = r
        .main_tf
        .lines()
        .position(|l| l.starts_with("resource "))
        .unwrap();
    assert_eq!(r.first_line, header + 2);
    assert_eq!(
        r.main_tf.lines().nth(r.first_line - 1),
        Some(r.body[0].as_str())
    );
}

// Every documented rule the provider checks at `terraform validate` is in the catalogue (this
// table or tests/fixtures/bad_input_catalogue.tf).
//
// Deliberate deviations, also left out: the JD Cloud `customer_ips` rule ("public routable IPv4",
// docs/design/jdcloud.md §6) lets the RFC 5737 documentation ranges through, since examples use
// them as stand-ins for public addresses (`NON_PUBLIC_IPV4` in src/framework/validate.rs).
