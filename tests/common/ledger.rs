//! The ledger of the reliability tests: every object in the sandbox must be owned by exactly one
//! resource instance in Terraform's state. Orphans (in the cloud, in no state), duplicates (two
//! objects in one role), instances sharing one object, and leftovers after a destroy are
//! reported as problems.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Sandbox, TfWorkdir};

/// How one kind of sandbox object maps to Terraform state: the object's id field, the resource
/// type and attribute that own it, and the fields that make its role (two objects with equal
/// role fields are duplicates).
pub struct KindSpec {
    pub cloud: &'static str,
    pub kind: &'static str,
    pub id_field: &'static str,
    pub owner_type: &'static str,
    pub owner_attr: &'static str,
    pub role: &'static [&'static str],
}

/// Every kind of user-created object the sandbox keeps. A kind missing here fails the suite
/// (see [`sandbox_objects`]), so a new resource cannot go unchecked.
pub const KINDS: &[KindSpec] = &[
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
pub struct Object {
    pub spec: &'static KindSpec,
    pub id: String,
    pub role: String,
}

/// Every user-created object of both clouds in `GET /_sandbox/state`, plus the kinds
/// [`KINDS`] does not know (reported as problems).
pub fn sandbox_objects(state: &Value) -> (Vec<Object>, Vec<String>) {
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
pub fn state_attributes(wd: &TfWorkdir) -> BTreeMap<(String, String), BTreeSet<String>> {
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
pub fn check(sb: &Sandbox, wd: &TfWorkdir, must_be_empty: bool) -> Vec<String> {
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

/// `(address, type, id)` of every resource instance in the state file, tainted ones included.
pub fn instance_ids(wd: &TfWorkdir) -> Vec<(String, String, String)> {
    let raw = wd.state_json();
    let mut out = Vec::new();
    for r in raw["resources"].as_array().into_iter().flatten() {
        let ty = r["type"].as_str().unwrap_or_default().to_owned();
        let name = r["name"].as_str().unwrap_or_default();
        for instance in r["instances"].as_array().into_iter().flatten() {
            let addr = match &instance["index_key"] {
                Value::Null => format!("{ty}.{name}"),
                k => format!("{ty}.{name}[{k}]"),
            };
            if let Some(id) = instance["attributes"]["id"].as_str() {
                out.push((addr, ty.clone(), id.to_owned()));
            }
        }
    }
    out
}

/// Orphans and instances sharing one object, after one run.
pub fn check_identical(sb: &Sandbox, wd: &TfWorkdir, must_be_empty: bool) -> Vec<String> {
    let mut problems: Vec<String> = check(sb, wd, must_be_empty)
        .into_iter()
        // Identical settings make identical roles: what counts is that every object is owned
        // by exactly one instance.
        .filter(|p| !p.starts_with("DUPLICATE"))
        .collect();
    let mut by_id: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (addr, ty, id) in instance_ids(wd) {
        by_id.entry((ty, id)).or_default().push(addr);
    }
    for ((ty, id), addrs) in by_id.iter().filter(|(_, a)| a.len() > 1) {
        problems.push(format!("MERGED {ty} {id} is in the state of {addrs:?}"));
    }
    problems
}
