//! Cbn 2017-09-12: the asynchronous states and their conflicts, what a binding needs, and the
//! route-table calls.

use super::cbn::{associations, attachment, bind, link, link_ok, propagations};
use super::*;

#[tokio::test]
async fn pending_states_and_conflicts() {
    let app = new_app(400);
    let settle = || advance(&app, 500);
    let (vco, _, _) = create_vco(&app).await;
    let att = bind(&app, &vco).await;

    assert_eq!(attachment(&app, &att).await["Status"], "Attaching");
    let v = describe_vco(&app, &vco).await;
    assert_eq!(v["State"], "attaching");
    assert_eq!(v["AttachType"], "CEN");
    assert!(v["TunnelOptionsSpecification"]["TunnelOptions"][0]
        .get("InternetIp")
        .is_none());
    let modify = [
        ("RegionId", REGION),
        ("VpnConnectionId", vco.as_str()),
        ("Name", "x"),
    ];
    all_fail(&app, cases! {
        vpc("ModifyVpnAttachmentAttribute", &modify) => VCO_CONFIGURING,
        vpc("DeleteVpnAttachment", &vco_of(&vco)) => VCO_CONFIGURING,
        cbn("AssociateTransitRouterAttachmentWithRouteTable", &link(&att))
            => (400, "IncorrectStatus.Status"),
        cbn("DeleteTransitRouterVpnAttachment", &att_of(&att)) => (400, "IncorrectStatus.Status"),
        cbn("UpdateTransitRouterVpnAttachmentAttribute", &[
            ("TransitRouterAttachmentId", &att),
            ("AutoPublishRouteEnabled", "false"),
        ]) => (400, "IncorrectStatus.Status"),
        cbn("CreateTransitRouterVpnAttachment", &[
            ("RegionId", REGION),
            ("TransitRouterId", TR),
            ("VpnId", &vco),
        ]) => (400, "IncorrectStatus.Status"),
    })
    .await;

    settle().await;
    assert_eq!(attachment(&app, &att).await["Status"], "Attached");
    assert_eq!(describe_vco(&app, &vco).await["State"], "attached");
    // Bound and stable: a second binding is refused for good.
    fails(
        &app,
        CREATE_ATT,
        &[
            ("RegionId", REGION),
            ("TransitRouterId", TR),
            ("VpnId", &vco),
        ],
        (400, "DependencyViolation.TransitRouterVpnAttachment"),
    )
    .await;

    link_ok(&app, "AssociateTransitRouterAttachmentWithRouteTable", &att).await;
    assert_eq!(associations(&app, &att).await, ["Associating"]);
    // While a link is pending, no other link operation on the attachment.
    all_fail(&app, cases! {
        cbn("EnableTransitRouterRouteTablePropagation", &link(&att)) => (400, "Operation.Blocking"),
        cbn("DissociateTransitRouterAttachmentFromRouteTable", &link(&att))
            => (400, "Operation.Blocking"),
        cbn("DeleteTransitRouterVpnAttachment", &[
            ("TransitRouterAttachmentId", &att),
            ("Force", "True"),
        ]) => (400, "Operation.Blocking"),
    })
    .await;
    settle().await;
    assert_eq!(associations(&app, &att).await, ["Active"]);
    link_ok(&app, "EnableTransitRouterRouteTablePropagation", &att).await;
    assert_eq!(propagations(&app, &att).await, ["Enabling"]);
    settle().await;
    assert_eq!(propagations(&app, &att).await, ["Active"]);
    link_ok(&app, "DisableTransitRouterRouteTablePropagation", &att).await;
    assert_eq!(propagations(&app, &att).await, ["Disabling"]);
    settle().await;
    assert!(propagations(&app, &att).await.is_empty());

    // A bound connection's modify ends in `attached`; the TR side waits for it.
    ok(&app, MODIFY_VCO, &modify).await;
    assert_eq!(describe_vco(&app, &vco).await["State"], "updating");
    fails(
        &app,
        DELETE_ATT,
        &[("TransitRouterAttachmentId", &att), ("Force", "true")],
        (400, "IncorrectStatus.Status"),
    )
    .await;
    settle().await;
    assert_eq!(describe_vco(&app, &vco).await["State"], "attached");

    ok(
        &app,
        DELETE_ATT,
        &[("TransitRouterAttachmentId", &att), ("Force", "true")],
    )
    .await;
    assert_eq!(attachment(&app, &att).await["Status"], "Detaching");
    assert_eq!(describe_vco(&app, &vco).await["State"], "detaching");
    assert!(
        associations(&app, &att).await.is_empty(),
        "Force removed the association"
    );
    fails(&app, DELETE_VCO, &vco_of(&vco), VCO_CONFIGURING).await;
    settle().await;
    assert!(attachment(&app, &att).await.is_null());
    let v = describe_vco(&app, &vco).await;
    assert_eq!(v["State"], "init");
    assert_eq!(v["AttachType"], "NO_ASSOCIATED");
}

#[tokio::test]
async fn create_attachment_rules() {
    let app = new_app(0);
    let (vco, _, _) = create_vco(&app).await;
    let create = "CreateTransitRouterVpnAttachment";
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = vec![("VpnId", vco.as_str())];
        p.extend_from_slice(extra);
        p
    };
    for (params, (http, code)) in cases! {
        vec![("TransitRouterId", TR)] => (400, "MissingVpnId"),
        with(&[]) => (400, "MissingTransitRouterId"),
        with(&[("TransitRouterId", "tr-nope")]) => (404, "InvalidTransitRouterId.NotFound"),
        with(&[("CenId", "cen-nope"), ("RegionId", REGION)]) => (404, "InvalidCenId.NotFound"),
        with(&[("CenId", CEN)]) => (400, "MissingRegionId"),
        with(&[("TransitRouterId", TR), ("RegionId", "cn-beijing")]) => (400, "InvalidRegionId"),
        with(&[("TransitRouterId", "tr-sh-sandbox0001")]) => (400, "InvalidVpnId"),
        with(&[("TransitRouterId", TR), ("TransitRouterAttachmentName", "1x")])
            => (400, "InvalidTransitRouterAttachmentName"),
        with(&[("TransitRouterId", TR), ("TransitRouterAttachmentDescription", "http://x")])
            => (400, "InvalidTransitRouterAttachmentDescription"),
        with(&[("TransitRouterId", TR), ("ChargeType", "PREPAY")]) => (400, "InvalidChargeType"),
        with(&[("TransitRouterId", TR), ("VpnOwnerId", "42")]) => (400, "InvalidVpnOwnerId"),
        with(&[("TransitRouterId", TR), ("AutoPublishRouteEnabled", "on")])
            => (400, "InvalidAutoPublishRouteEnabled"),
        with(&[("TransitRouterId", TR), ("DryRun", "true")]) => DRY_RUN,
        vec![("TransitRouterId", TR), ("VpnId", "vco-missing")] => (404, "InvalidVpnId.NotFound"),
    } {
        let (status, body) = call(&app, (create, CBN), &params).await;
        assert_eq!(status.as_u16(), http, "{params:?}: {body}");
        assert_eq!(body["Code"], code, "{params:?}: {body}");
    }
    assert_eq!(
        describe_vco(&app, &vco).await["State"],
        "init",
        "nothing was bound"
    );

    // CenId + RegionId resolve to the region's transit router; the token makes it idempotent.
    let params = with(&[
        ("CenId", CEN),
        ("RegionId", REGION),
        ("ClientToken", "bind-once"),
        ("AutoPublishRouteEnabled", "false"),
        ("Zone.1.ZoneId", "cn-hangzhou-h"),
        ("Tag.1.Key", "team"),
        ("Tag.1.Value", "net"),
    ]);
    let a = ok(&app, (create, CBN), &params).await;
    let b = ok(&app, (create, CBN), &params).await;
    assert_eq!(
        a["TransitRouterAttachmentId"],
        b["TransitRouterAttachmentId"]
    );
    let listed = attachment(&app, a["TransitRouterAttachmentId"].as_str().unwrap()).await;
    assert_eq!(listed["TransitRouterId"], TR);
    assert_eq!(listed["AutoPublishRouteEnabled"], false);
    assert_eq!(listed["Zones"], json!([{"ZoneId": "cn-hangzhou-h"}]));
    assert_eq!(listed["Tags"], json!([{"Key": "team", "Value": "net"}]));
    let tagged = ok(
        &app,
        LIST_ATTS,
        &[("Tag.1.Key", "team"), ("Tag.1.Value", "other")],
    )
    .await;
    assert_eq!(tagged["TotalCount"], 0);
}

#[tokio::test]
async fn route_table_calls() {
    let app = new_app(0);
    let (vco, _, _) = create_vco(&app).await;
    let att = bind(&app, &vco).await;
    for (params, n) in [
        (vec![("TransitRouterId", TR)], 1),
        (
            vec![
                ("TransitRouterId", TR),
                ("TransitRouterRouteTableType", "Custom"),
            ],
            0,
        ),
        (
            vec![
                ("TransitRouterId", TR),
                ("TransitRouterRouteTableIds.1", VTB),
            ],
            1,
        ),
        (
            vec![
                ("TransitRouterId", TR),
                ("TransitRouterRouteTableIds.1", "vtb-other"),
            ],
            0,
        ),
        (vec![("TransitRouterId", "tr-nope")], 0),
        (vec![("TransitRouterId", "tr-bj-sandbox0001")], 1),
    ] {
        let body = ok(&app, LIST_TABLES, &params).await;
        assert_eq!(body["TotalCount"], n, "{params:?}: {body}");
    }
    // Without a transit router: every seeded table.
    let all = ok(&app, LIST_TABLES, &[]).await;
    assert_eq!(all["TotalCount"], 4);
    all_fail(
        &app,
        cases! {
            cbn("AssociateTransitRouterAttachmentWithRouteTable", &[
                ("TransitRouterAttachmentId", &att),
                ("TransitRouterRouteTableId", "vtb-sh-sandbox0001"),
            ]) => (400, "InvalidTransitRouterRouteTableId.Mismatch"),
            cbn("AssociateTransitRouterAttachmentWithRouteTable", &[
                ("TransitRouterAttachmentId", &att),
                ("TransitRouterRouteTableId", "vtb-nope"),
            ]) => (404, "InvalidTransitRouterRouteTableId.NotFound"),
            cbn("EnableTransitRouterRouteTablePropagation", &link("tr-attach-nope"))
                => (404, "InvalidTransitRouterAttachmentId.NotFound"),
            cbn("DisableTransitRouterRouteTablePropagation", &link(&att))
                => (404, "InvalidPropagation.NotFound"),
            cbn("ListTransitRouterRouteTablePropagations", &[])
                => (400, "MissingTransitRouterRouteTableId"),
        },
    )
    .await;
    let mut dry = link(&att);
    dry.push(("DryRun", "true"));
    fails(&app, ASSOCIATE_TABLE, &dry, DRY_RUN).await;
    assert!(associations(&app, &att).await.is_empty());
    // A retried associate with the same ClientToken succeeds without a second association.
    let mut tokened = link(&att);
    tokened.push(("ClientToken", "assoc-1"));
    for _ in 0..2 {
        ok(&app, ASSOCIATE_TABLE, &tokened).await;
    }
    assert_eq!(associations(&app, &att).await, ["Active"]);
    let by_resource = ok(
        &app,
        LIST_ASSOCIATIONS,
        &[
            ("TransitRouterRouteTableId", VTB),
            ("TransitRouterAttachmentResourceId", &vco),
            ("TransitRouterAttachmentResourceType", "VPN"),
            ("Status", "Active"),
        ],
    )
    .await;
    assert_eq!(by_resource["TotalCount"], 1);
    // Associations can be listed by attachment alone (no route table id).
    let by_attachment = ok(&app, LIST_ASSOCIATIONS, &att_of(&att)).await;
    assert_eq!(by_attachment["TotalCount"], 1);
}
