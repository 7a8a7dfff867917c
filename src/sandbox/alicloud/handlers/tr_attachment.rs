//! Transit-router binding actions (Cbn 2017-09-12 `*TransitRouterVpnAttachment*`,
//! docs/design/alicloud.md §5.1–§5.4): parse, call the backend, render.

use serde_json::{json, Value};

use super::shared::{self, FieldFilter};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::model::{Tag, TrVpnAttachment, ACCOUNT_ID, TR_ATTACHMENTS};
use crate::sandbox::alicloud::backend::seed::{self, SeedRegion, CEN_ID};
use crate::sandbox::alicloud::backend::tr_attachment::{
    self as backend, AttachmentChange, NewAttachment,
};
use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::alicloud::params::Params;
use crate::sandbox::alicloud::rules;

const CHARGE_TYPES: &[&str] = &["POSTPAY"];
const ORDER_TYPES: &[&str] = &["PayByCenOwner", "PayByResourceOwner"];

/// A ListTransitRouterVpnAttachments element (also what `/_sandbox/state` shows).
pub(super) fn render(a: &TrVpnAttachment) -> Value {
    json!({
        "TransitRouterAttachmentId": a.transit_router_attachment_id,
        "Status": a.status,
        "VpnId": a.vpn_id,
        "VpnOwnerId": a.vpn_owner_id,
        "VpnRegionId": a.vpn_region_id,
        "TransitRouterId": a.transit_router_id,
        "CenId": a.cen_id,
        "TransitRouterAttachmentName": a.transit_router_attachment_name,
        "TransitRouterAttachmentDescription": a.transit_router_attachment_description,
        "AutoPublishRouteEnabled": a.auto_publish_route_enabled,
        "ResourceType": "VPN",
        "ChargeType": a.charge_type,
        "OrderType": a.order_type,
        "CreationTime": shared::minute_time(a.creation_time),
        "Zones": a.zones.iter().map(|z| json!({"ZoneId": z})).collect::<Vec<_>>(),
        "Tags": a.tags,
    })
}

/// The transit router named by `TransitRouterId`, or by `CenId` + `RegionId` (§5.1).
fn resolve_transit_router(p: &Params) -> Result<&'static SeedRegion, AliError> {
    let cen = p.get("CenId");
    if let Some(cen) = cen {
        if cen != CEN_ID {
            return Err(AliError::not_found(
                codes::CEN_NOT_FOUND,
                format!("The specified CenId {cen} does not exist (the sandbox's is {CEN_ID})."),
            ));
        }
    }
    if let Some(tr) = p.get("TransitRouterId") {
        let region = seed::by_transit_router(tr).ok_or_else(|| {
            AliError::not_found(
                codes::TR_NOT_FOUND,
                format!("The specified TransitRouterId {tr} does not exist."),
            )
        })?;
        if let Some(asked) = p.get("RegionId") {
            if asked != region.region {
                return Err(AliError::invalid(
                    "RegionId",
                    format!("transit router {tr} is in {}, not {asked}", region.region),
                ));
            }
        }
        return Ok(region);
    }
    if cen.is_some() {
        return rules::region(p);
    }
    Err(AliError::missing("TransitRouterId").with_detail("(or CenId and RegionId)"))
}

pub(super) fn create(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let vpn_id = p.required("VpnId")?.to_owned();
    let region = resolve_transit_router(p)?;
    let name = p.string("TransitRouterAttachmentName").unwrap_or_default();
    if !name.is_empty() {
        rules::attachment_name("TransitRouterAttachmentName", &name)?;
    }
    let description = p
        .string("TransitRouterAttachmentDescription")
        .unwrap_or_default();
    if !description.is_empty() {
        rules::attachment_description("TransitRouterAttachmentDescription", &description)?;
    }
    if let Some(owner) = p.int("VpnOwnerId", 0..=i64::MAX)? {
        if owner != ACCOUNT_ID {
            return Err(AliError::invalid(
                "VpnOwnerId",
                format!(
                    "cross-account binding is not emulated; the sandbox account is {ACCOUNT_ID}"
                ),
            ));
        }
    }
    let charge_type = p
        .one_of("ChargeType", CHARGE_TYPES)?
        .unwrap_or_else(|| "POSTPAY".to_owned());
    let zones: Vec<String> = p
        .groups("Zone")?
        .values()
        .filter_map(|z| z.string("ZoneId"))
        .collect();
    let new = NewAttachment {
        vpn_id,
        region,
        name,
        description,
        charge_type,
        zones,
        tags: Tag::from_pairs(rules::tags(p, "Tag")?),
        auto_publish_route_enabled: p.bool("AutoPublishRouteEnabled")?.unwrap_or(true),
        token: shared::client_token(p)?,
        dry_run: shared::dry_run(p)?,
    };
    let attachment = backend::create(db, new)?;
    Ok(json!({"TransitRouterAttachmentId": attachment.transit_router_attachment_id}))
}

/// Not-found is an empty list, never an error (§5.2).
pub(super) fn list(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let fields: &[FieldFilter<TrVpnAttachment>] = &[
        ("TransitRouterAttachmentId", |a| {
            &a.transit_router_attachment_id
        }),
        ("TransitRouterId", |a| &a.transit_router_id),
        ("CenId", |a| &a.cen_id),
        ("RegionId", |a| &a.region_id),
    ];
    let all = db.list_all(TR_ATTACHMENTS)?;
    let matching = shared::matching(p, all, fields, Some(|a| &a.tags))?;
    shared::cbn_answer(p, &matching, "TransitRouterAttachments", render)
}

/// Stays `Attached` (§5.3).
pub(super) fn update(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let id = p.required("TransitRouterAttachmentId")?;
    db.attachment(id)?;
    if let Some(v) = p.get("TransitRouterAttachmentName") {
        rules::attachment_name("TransitRouterAttachmentName", v)?;
    }
    if let Some(v) = p.get("TransitRouterAttachmentDescription") {
        rules::attachment_description("TransitRouterAttachmentDescription", v)?;
    }
    let change = AttachmentChange {
        auto_publish_route_enabled: p.bool("AutoPublishRouteEnabled")?,
        name: p.string("TransitRouterAttachmentName"),
        description: p.string("TransitRouterAttachmentDescription"),
        order_type: p.one_of("OrderType", ORDER_TYPES)?,
        dry_run: shared::dry_run(p)?,
    };
    backend::update(db, id, change)?;
    Ok(json!({}))
}

/// `Force=false` is refused while route-table associations or propagations exist (§5.4).
pub(super) fn delete(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let id = p.required("TransitRouterAttachmentId")?;
    db.attachment(id)?;
    let force = p.bool("Force")?.unwrap_or(false);
    backend::delete(db, id, force, shared::dry_run(p)?)?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::alicloud::backend::model::status;

    #[test]
    fn list_element_shape() {
        let a = TrVpnAttachment {
            transit_router_attachment_id: "tr-attach-1".to_owned(),
            region_id: "cn-hangzhou".to_owned(),
            status: status::ATTACHED.to_owned(),
            status_since: 0,
            vpn_id: "vco-1".to_owned(),
            vpn_owner_id: ACCOUNT_ID,
            vpn_region_id: "cn-hangzhou".to_owned(),
            transit_router_id: "tr-hz-sandbox0001".to_owned(),
            cen_id: CEN_ID.to_owned(),
            transit_router_attachment_name: String::new(),
            transit_router_attachment_description: String::new(),
            auto_publish_route_enabled: true,
            charge_type: "POSTPAY".to_owned(),
            order_type: "PayByCenOwner".to_owned(),
            creation_time: 1_657_269_959_123,
            zones: vec!["cn-hangzhou-h".to_owned()],
            tags: vec![Tag {
                key: "k".to_owned(),
                value: "v".to_owned(),
            }],
            client_token: None,
        };
        let v = render(&a);
        assert_eq!(v["CreationTime"], "2022-07-08T08:45Z");
        assert_eq!(v["Zones"], json!([{"ZoneId": "cn-hangzhou-h"}]));
        assert_eq!(v["Tags"], json!([{"Key": "k", "Value": "v"}]));
        assert_eq!(v["AutoPublishRouteEnabled"], true);
        assert_eq!(v["ResourceType"], "VPN");
    }
}
