//! Cbn 2017-09-12: binding connections to the seeded transit routers, route-table association
//! and propagation, and tearing them down (the fixtures here serve `cbn_states.rs` too).

use std::collections::BTreeSet;

use super::*;

pub(super) async fn bind(app: &Router, vco: &str) -> String {
    let body = ok(
        app,
        CREATE_ATT,
        &[
            ("RegionId", REGION),
            ("TransitRouterId", TR),
            ("VpnId", vco),
        ],
    )
    .await;
    let id = body["TransitRouterAttachmentId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.starts_with("tr-attach-"), "{id}");
    id
}

/// The attachment as ListTransitRouterVpnAttachments shows it, `Null` when gone.
pub(super) async fn attachment(app: &Router, id: &str) -> Value {
    let body = ok(
        app,
        LIST_ATTS,
        &[("RegionId", REGION), ("TransitRouterAttachmentId", id)],
    )
    .await;
    let list = body["TransitRouterAttachments"].as_array().unwrap();
    assert!(list.len() <= 1, "{body}");
    list.first().cloned().unwrap_or(Value::Null)
}

pub(super) fn link(att: &str) -> Vec<(&str, &str)> {
    vec![
        ("TransitRouterAttachmentId", att),
        ("TransitRouterRouteTableId", VTB),
    ]
}

/// A link call (associate, propagate, or their undo) on `att` and the seeded table that must
/// succeed.
pub(super) async fn link_ok(app: &Router, action: &str, att: &str) {
    ok(app, (action, CBN), &link(att)).await;
}

/// A link call on `att` and the seeded table that must fail with `http` and `code`.
pub(super) async fn link_fails(app: &Router, action: &str, att: &str, http: u16, code: &str) {
    fails(app, (action, CBN), &link(att), (http, code)).await;
}

/// Statuses of the attachment's links, as the list calls show them.
pub(super) async fn links(app: &Router, list_action: &str, key: &str, att: &str) -> Vec<String> {
    let body = ok(
        app,
        (list_action, CBN),
        &[
            ("TransitRouterRouteTableId", VTB),
            ("TransitRouterAttachmentId", att),
        ],
    )
    .await;
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["Status"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) async fn associations(app: &Router, att: &str) -> Vec<String> {
    links(
        app,
        "ListTransitRouterRouteTableAssociations",
        "TransitRouterAssociations",
        att,
    )
    .await
}

pub(super) async fn propagations(app: &Router, att: &str) -> Vec<String> {
    links(
        app,
        "ListTransitRouterRouteTablePropagations",
        "TransitRouterPropagations",
        att,
    )
    .await
}

#[tokio::test]
async fn bind_associate_propagate_and_tear_down() {
    let app = new_app(0);
    let (vco, _, _) = create_vco(&app).await;
    let att = bind(&app, &vco).await;

    // Provisioning 0: settled by the next call.
    let a = attachment(&app, &att).await;
    assert_eq!(a["Status"], "Attached");
    assert_eq!(a["VpnId"], vco.as_str());
    assert_eq!(a["TransitRouterId"], TR);
    assert_eq!(a["CenId"], CEN);
    assert_eq!(a["VpnRegionId"], REGION);
    assert_eq!(a["ResourceType"], "VPN");
    assert_eq!(a["AutoPublishRouteEnabled"], true);
    assert_eq!(a["ChargeType"], "POSTPAY");
    assert!(a["VpnOwnerId"].is_i64());
    assert_eq!(a["Zones"], json!([]));
    assert_eq!(a["Tags"], json!([]));
    let created = a["CreationTime"].as_str().unwrap();
    assert!(
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$")
            .unwrap()
            .is_match(created),
        "{created}"
    );

    let v = describe_vco(&app, &vco).await;
    assert_eq!(v["State"], "attached");
    assert_eq!(v["AttachType"], "CEN");
    assert_eq!(v["AttachInstanceId"], CEN);
    assert_eq!(v["TransitRouterId"], TR);
    assert_eq!(v["TransitRouterName"], "sandbox-tr-cn-hangzhou");
    let tunnels = v["TunnelOptionsSpecification"]["TunnelOptions"]
        .as_array()
        .unwrap();
    let ips: Vec<&str> = tunnels
        .iter()
        .map(|t| t["InternetIp"].as_str().unwrap())
        .collect();
    assert!(ips.iter().all(|ip| ip.starts_with("203.0.113.")), "{ips:?}");
    assert_ne!(ips[0], ips[1]);
    assert_eq!(
        tunnels[0]["TunnelIkeConfig"]["LocalId"], ips[0],
        "LocalId defaults to the address"
    );
    // `/_sandbox/state` shows the same objects in their API shape.
    let state = admin(&app, "GET", "/_sandbox/state").await;
    let ali = &state["alicloud"];
    let shown = &ali["vpn_connections"][0];
    assert_eq!(shown["RegionId"], REGION);
    assert_eq!(shown["State"], "attached");
    assert_eq!(
        shown["TunnelOptionsSpecification"],
        v["TunnelOptionsSpecification"]
    );
    assert_eq!(ali["transit_router_vpn_attachments"][0], a);

    // The default route table, then associate and propagate.
    let tables = ok(
        &app,
        LIST_TABLES,
        &[
            ("TransitRouterId", TR),
            ("TransitRouterRouteTableType", "System"),
        ],
    )
    .await;
    assert_eq!(tables["TotalCount"], 1);
    let table = &tables["TransitRouterRouteTables"][0];
    assert_eq!(table["TransitRouterRouteTableId"], VTB);
    assert_eq!(table["TransitRouterRouteTableStatus"], "Active");
    assert_eq!(table["TransitRouterRouteTableType"], "System");

    link_ok(&app, "AssociateTransitRouterAttachmentWithRouteTable", &att).await;
    assert_eq!(associations(&app, &att).await, ["Active"]);
    let listed = ok(
        &app,
        LIST_ASSOCIATIONS,
        &[("TransitRouterRouteTableId", VTB)],
    )
    .await;
    assert_eq!(
        listed["TransitRouterAssociations"][0],
        json!({"TransitRouterAttachmentId": att, "TransitRouterRouteTableId": VTB,
               "ResourceId": vco, "ResourceType": "VPN", "Status": "Active"})
    );
    // One route table per attachment.
    link_fails(
        &app,
        "AssociateTransitRouterAttachmentWithRouteTable",
        &att,
        400,
        "Forbidden.AttachmentAlreadyAssociated",
    )
    .await;
    link_ok(&app, "EnableTransitRouterRouteTablePropagation", &att).await;
    assert_eq!(propagations(&app, &att).await, ["Active"]);
    link_fails(
        &app,
        "EnableTransitRouterRouteTablePropagation",
        &att,
        400,
        "Forbidden.PropagationAlreadyEnabled",
    )
    .await;

    ok(
        &app,
        UPDATE_ATT,
        &[
            ("TransitRouterAttachmentId", &att),
            ("AutoPublishRouteEnabled", "False"),
            ("TransitRouterAttachmentName", "vpn-att"),
            ("TransitRouterAttachmentDescription", "Bound by tests"),
        ],
    )
    .await;
    let a = attachment(&app, &att).await;
    assert_eq!(a["Status"], "Attached");
    assert_eq!(a["AutoPublishRouteEnabled"], false);
    assert_eq!(a["TransitRouterAttachmentName"], "vpn-att");

    // Bound: the connection cannot be deleted; the attachment not without Force.
    all_fail(
        &app,
        cases! {
            vpc("DeleteVpnAttachment", &vco_of(&vco))
                => (400, "DependencyViolation.TransitRouterVpnAttachment"),
            cbn("DeleteTransitRouterVpnAttachment", &att_of(&att))
                => (400, "DependencyViolation.RouteTableAssociationOrPropagation"),
        },
    )
    .await;

    // Teardown in reverse.
    link_ok(&app, "DisableTransitRouterRouteTablePropagation", &att).await;
    assert!(propagations(&app, &att).await.is_empty());
    link_ok(
        &app,
        "DissociateTransitRouterAttachmentFromRouteTable",
        &att,
    )
    .await;
    assert!(associations(&app, &att).await.is_empty());
    link_fails(
        &app,
        "DissociateTransitRouterAttachmentFromRouteTable",
        &att,
        404,
        "InvalidAssociation.NotFound",
    )
    .await;
    ok(&app, DELETE_ATT, &att_of(&att)).await;
    assert!(attachment(&app, &att).await.is_null(), "gone = empty list");
    let v = describe_vco(&app, &vco).await;
    assert_eq!(v["State"], "init");
    assert_eq!(v["AttachType"], "NO_ASSOCIATED");
    assert!(v.get("TransitRouterId").is_none());
    assert!(v["TunnelOptionsSpecification"]["TunnelOptions"][0]
        .get("InternetIp")
        .is_none());
    fails(
        &app,
        DELETE_ATT,
        &att_of(&att),
        (404, "InvalidTransitRouterAttachmentId.NotFound"),
    )
    .await;
    ok(&app, DELETE_VCO, &vco_of(&vco)).await;

    assert_counts(
        &app,
        cases! {
            "alicloud.CreateTransitRouterVpnAttachment" => 1,
            "alicloud.ListTransitRouterVpnAttachments" => 3,
        },
    )
    .await;
}

#[tokio::test]
async fn force_delete_removes_links_and_addresses_stay_unique() {
    let app = new_app(0);
    let (vco1, _, _) = create_vco(&app).await;
    let (vco2, _, _) = create_vco(&app).await;
    let att1 = bind(&app, &vco1).await;
    let att2 = bind(&app, &vco2).await;
    let mut all = BTreeSet::new();
    for vco in [&vco1, &vco2] {
        let v = describe_vco(&app, vco).await;
        for t in v["TunnelOptionsSpecification"]["TunnelOptions"]
            .as_array()
            .unwrap()
        {
            all.insert(t["InternetIp"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(all.len(), 4, "{all:?}");

    // Filters and paging.
    for (filter, value, n) in [
        ("TransitRouterId", TR, 2),
        ("TransitRouterId", "tr-sh-sandbox0001", 0),
        ("CenId", CEN, 2),
        ("TransitRouterAttachmentId", "tr-attach-missing", 0),
    ] {
        let body = ok(&app, LIST_ATTS, &[(filter, value)]).await;
        assert_eq!(body["TotalCount"], n, "{filter}={value}: {body}");
        assert_eq!(
            body["TransitRouterAttachments"].as_array().unwrap().len(),
            n
        );
    }
    let first = ok(&app, LIST_ATTS, &[("MaxResults", "1")]).await;
    assert_eq!(first["MaxResults"], 1);
    let token = first["NextToken"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    let second = ok(
        &app,
        LIST_ATTS,
        &[("MaxResults", "1"), ("NextToken", &token)],
    )
    .await;
    assert_eq!(second["NextToken"], "");
    assert_ne!(
        first["TransitRouterAttachments"][0]["TransitRouterAttachmentId"],
        second["TransitRouterAttachments"][0]["TransitRouterAttachmentId"]
    );

    link_ok(
        &app,
        "AssociateTransitRouterAttachmentWithRouteTable",
        &att1,
    )
    .await;
    link_ok(&app, "EnableTransitRouterRouteTablePropagation", &att1).await;
    ok(
        &app,
        DELETE_ATT,
        &[("TransitRouterAttachmentId", &att1), ("Force", "true")],
    )
    .await;
    assert!(associations(&app, &att1).await.is_empty());
    assert!(propagations(&app, &att1).await.is_empty());
    assert!(attachment(&app, &att1).await.is_null());
    assert_eq!(attachment(&app, &att2).await["Status"], "Attached");
    assert_eq!(
        stored(&app, "transit_router_vpn_attachments").await.len(),
        1
    );
    assert!(stored(&app, "route_table_associations").await.is_empty());
}
