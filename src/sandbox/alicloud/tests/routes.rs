//! Destination routes of a connection (Vpc `*VcoRouteEntr*`) and their publication into the
//! transit router's route table (Cbn `ListTransitRouterRouteEntries`).

use super::cbn::{bind, link_ok};
use super::*;

/// A route call's parameters: connection, destination, next hop, then `extra`.
fn route<'a>(vco: &'a str, dest: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("RegionId", REGION),
        ("VpnConnectionId", vco),
        ("RouteDest", dest),
        ("NextHop", vco),
    ];
    p.extend_from_slice(extra);
    p
}

/// The connection's routes as DescribeVcoRouteEntries lists them.
async fn routes(app: &Router, vco: &str) -> Vec<Value> {
    let body = ok(
        app,
        DESCRIBE_ROUTES,
        &[
            ("RegionId", REGION),
            ("VpnConnectionId", vco),
            ("PageSize", "50"),
        ],
    )
    .await;
    assert_eq!(
        body["TotalCount"].as_u64(),
        body["VcoRouteEntries"].as_array().map(|a| a.len() as u64),
        "{body}"
    );
    body["VcoRouteEntries"].as_array().unwrap().clone()
}

/// `(destination, next hop id)` of every route of the seeded route table.
async fn table(app: &Router) -> Vec<(String, String)> {
    let body = ok(app, LIST_TR_ROUTES, &[("TransitRouterRouteTableId", VTB)]).await;
    body["TransitRouterRouteEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["TransitRouterRouteEntryDestinationCidrBlock"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                e["TransitRouterRouteEntryNextHopId"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn routes_are_published_while_bound_and_propagating() {
    let app = new_app(0);
    let (vco, _, _) = create_vco(&app).await;
    let dest = "10.20.0.0/16";
    let create = route(&vco, dest, &[("Weight", "100"), ("ClientToken", "t-1")]);
    // The connection must be bound to a transit router first.
    fails(
        &app,
        CREATE_ROUTE,
        &create,
        (400, "IncorrectStatus.VpnConnectionNotAttached"),
    )
    .await;
    let att = bind(&app, &vco).await;
    let body = ok(&app, CREATE_ROUTE, &create).await;
    assert_eq!(body["RouteDest"], dest);
    assert_eq!(body["NextHop"], vco.as_str());
    assert_eq!(body["Weight"], 100);
    assert_eq!(body["OverlayMode"], "Ipsec");
    assert_eq!(body["State"], "published");
    assert!(body["CreateTime"].is_i64(), "{body}");

    let listed = routes(&app, &vco).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["RouteDest"], dest);
    assert_eq!(listed[0]["VpnConnectionId"], vco.as_str());
    assert_eq!(listed[0]["RouteEntryType"], "custom");
    assert_eq!(listed[0]["CreateTime"], body["CreateTime"]);
    let state = admin(&app, "GET", "/_sandbox/state").await;
    let shown = &state["alicloud"]["vco_route_entries"];
    assert_eq!(shown.as_array().map(Vec::len), Some(1), "{state}");
    assert_eq!(shown[0]["RegionId"], REGION);

    // Only a propagating binding puts it in the route table.
    assert!(table(&app).await.is_empty());
    link_ok(&app, "EnableTransitRouterRouteTablePropagation", &att).await;
    assert_eq!(table(&app).await, [(dest.to_owned(), att.clone())]);
    let body = ok(
        &app,
        LIST_TR_ROUTES,
        &[
            ("TransitRouterRouteTableId", VTB),
            ("TransitRouterRouteEntryOriginResourceId", vco.as_str()),
        ],
    )
    .await;
    let entry = &body["TransitRouterRouteEntries"][0];
    assert_eq!(entry["TransitRouterRouteEntryType"], "Propagated");
    assert_eq!(entry["TransitRouterRouteEntryStatus"], "Active");
    assert_eq!(entry["TransitRouterRouteEntryNextHopType"], "Attachment");
    assert_eq!(entry["TransitRouterRouteEntryOriginResourceType"], "VPN");
    let other = ok(
        &app,
        LIST_TR_ROUTES,
        &[
            ("TransitRouterRouteTableId", VTB),
            (
                "TransitRouterRouteEntryDestinationCidrBlock",
                "10.99.0.0/16",
            ),
        ],
    )
    .await;
    assert_eq!(other["TotalCount"], 0);

    // One route per destination; the same token replays the answer, changed parameters under
    // it are refused. A weight change names the route by its current weight.
    let again = ok(&app, CREATE_ROUTE, &create).await;
    assert_eq!(again["CreateTime"], listed[0]["CreateTime"]);
    let r = |extra| route(&vco, dest, extra);
    all_fail(&app, cases! {
        vpc(CREATE_ROUTE.0, &r(&[("Weight", "0")])) => (400, "VcoRouteEntry.AlreadyExists"),
        vpc(CREATE_ROUTE.0, &r(&[("Weight", "0"), ("ClientToken", "t-1")])) => TOKEN_MISMATCH,
        vpc(MODIFY_ROUTE_WEIGHT.0, &r(&[("Weight", "0"), ("NewWeight", "100")])) => ROUTE_NOT_FOUND,
    })
    .await;
    assert_eq!(routes(&app, &vco).await.len(), 1);
    ok(
        &app,
        MODIFY_ROUTE_WEIGHT,
        &r(&[("Weight", "100"), ("NewWeight", "0")]),
    )
    .await;
    assert_eq!(routes(&app, &vco).await[0]["Weight"], 0);

    // Disabling the propagation takes it out of the table, enabling brings it back.
    link_ok(&app, "DisableTransitRouterRouteTablePropagation", &att).await;
    assert!(table(&app).await.is_empty());
    link_ok(&app, "EnableTransitRouterRouteTablePropagation", &att).await;
    assert_eq!(table(&app).await.len(), 1);

    // Deleting names the route by its current weight too.
    fails(
        &app,
        DELETE_ROUTE,
        &route(&vco, dest, &[("Weight", "100")]),
        ROUTE_NOT_FOUND,
    )
    .await;
    ok(&app, DELETE_ROUTE, &route(&vco, dest, &[("Weight", "0")])).await;
    assert!(routes(&app, &vco).await.is_empty());
    assert!(table(&app).await.is_empty());

    // Unbinding unpublishes the routes but the connection keeps them; deleting the connection
    // deletes them.
    ok(
        &app,
        CREATE_ROUTE,
        &route(&vco, "10.21.0.0/16", &[("Weight", "100")]),
    )
    .await;
    assert_eq!(table(&app).await.len(), 1);
    ok(
        &app,
        DELETE_ATT,
        &[
            ("TransitRouterAttachmentId", att.as_str()),
            ("Force", "true"),
        ],
    )
    .await;
    assert!(table(&app).await.is_empty());
    assert_eq!(routes(&app, &vco).await.len(), 1);
    ok(
        &app,
        DELETE_VCO,
        &[("RegionId", REGION), ("VpnConnectionId", vco.as_str())],
    )
    .await;
    let state = admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(
        state["alicloud"]["vco_route_entries"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn route_parameters_are_checked() {
    let app = new_app(0);
    let (vco, _, _) = create_vco(&app).await;
    bind(&app, &vco).await;
    let w = [("Weight", "100")];
    for (params, code) in cases! {
        route(&vco, "10.0.0.1/16", &w) => "InvalidRouteDest",
        route(&vco, "0.0.0.0/0", &w) => "InvalidRouteDest",
        route(&vco, "10.0.0.0/33", &w) => "InvalidRouteDest",
        route(&vco, "10.0.0.0/16", &[("Weight", "50")]) => "InvalidWeight",
        route(&vco, "10.0.0.0/16", &[]) => "MissingWeight",
        route(&vco, "10.0.0.0/16", &[("Weight", "0"), ("OverlayMode", "Gre")])
            => "InvalidOverlayMode",
        vec![
            ("RegionId", REGION),
            ("VpnConnectionId", vco.as_str()),
            ("RouteDest", "10.0.0.0/16"),
            ("NextHop", "vco-someoneelse"),
            ("Weight", "0"),
        ] => "InvalidNextHop",
        route(&vco, "10.0.0.0/16", &[("Weight", "0"), ("DryRun", "true")]) => "DryRunOperation",
    } {
        fails(&app, CREATE_ROUTE, &params, (400, code)).await;
    }
    let missing_vco = route("vco-missing", "10.0.0.0/16", &w);
    all_fail(
        &app,
        cases! {
            vpc("CreateVcoRouteEntry", &missing_vco) => VCO_NOT_FOUND,
            vpc("DescribeVcoRouteEntries", &vco_of("vco-missing"))
                => VCO_NOT_FOUND,
            cbn("ListTransitRouterRouteEntries", &[("TransitRouterRouteTableId", "vtb-nope")])
                => (404, "InvalidTransitRouterRouteTableId.NotFound"),
        },
    )
    .await;
    // Nothing was made by the refused or dry-run calls.
    assert!(routes(&app, &vco).await.is_empty());
    ok(&app, CREATE_ROUTE, &route(&vco, "10.0.0.0/16", &w)).await;
    let bgp = ok(
        &app,
        DESCRIBE_ROUTES,
        &[
            ("RegionId", REGION),
            ("VpnConnectionId", vco.as_str()),
            ("RouteEntryType", "bgp"),
        ],
    )
    .await;
    assert_eq!(bgp["TotalCount"], 0, "no BGP in the sandbox: {bgp}");
    assert_eq!(routes(&app, &vco).await.len(), 1);
}

#[tokio::test]
async fn one_route_change_at_a_time() {
    let app = new_app(400);
    let settle = || advance(&app, 500);
    let (vco, _, _) = create_vco(&app).await;
    bind(&app, &vco).await;
    let early = route(&vco, "10.30.0.0/16", &[("Weight", "100")]);
    // Still attaching: busy.
    fails(&app, CREATE_ROUTE, &early, VCO_CONFIGURING).await;
    settle().await;
    let first = route(
        &vco,
        "10.30.0.0/16",
        &[("Weight", "100"), ("ClientToken", "a")],
    );
    ok(&app, CREATE_ROUTE, &first).await;
    // Being created: the connection is updating and the route not listed yet.
    assert_eq!(describe_vco(&app, &vco).await["State"], "updating");
    assert!(routes(&app, &vco).await.is_empty());
    fails(
        &app,
        CREATE_ROUTE,
        &route(&vco, "10.31.0.0/16", &[("Weight", "100")]),
        VCO_CONFIGURING,
    )
    .await;
    // A resent create (same token) is answered, not refused as busy or duplicate.
    let (status, body) = call(&app, CREATE_ROUTE, &first).await;
    assert_eq!(status, 200, "{body}");
    settle().await;
    assert_eq!(describe_vco(&app, &vco).await["State"], "attached");
    assert_eq!(routes(&app, &vco).await.len(), 1);

    ok(
        &app,
        DELETE_ROUTE,
        &route(&vco, "10.30.0.0/16", &[("Weight", "100")]),
    )
    .await;
    // Being deleted: still listed until the connection's update ends.
    assert_eq!(routes(&app, &vco).await.len(), 1);
    fails(
        &app,
        MODIFY_ROUTE_WEIGHT,
        &route(
            &vco,
            "10.30.0.0/16",
            &[("Weight", "100"), ("NewWeight", "0")],
        ),
        VCO_CONFIGURING,
    )
    .await;
    settle().await;
    assert!(routes(&app, &vco).await.is_empty());
}
