//! Binding a connection to a transit router (Cbn 2017-09-12 `*TransitRouterVpnAttachment*`,
//! docs/design/alicloud.md §5.1–§5.4). Asynchronous: `Attaching` → `Attached`, `Detaching` → gone;
//! the connection follows (`attaching` → `attached`, `detaching` → `init`), see `lifecycle`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{codes, AliError};
use super::model::{self, ClientToken, Tag, ACCOUNT_ID};
use super::params::Params;
use super::seed::{self, SeedRegion, CEN_ID};
use super::vpn_connection::{self, state, ATTACHED_TO_CEN};
use super::{route_table, rules, Call, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(crate) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "transit_router_vpn_attachments",
    id_prefix: "tr-attach",
};

/// `Status` values (§5.2).
pub(crate) mod status {
    pub const ATTACHING: &str = "Attaching";
    pub const ATTACHED: &str = "Attached";
    pub const DETACHING: &str = "Detaching";
}

const CHARGE_TYPES: &[&str] = &["POSTPAY"];
const ORDER_TYPES: &[&str] = &["PayByCenOwner", "PayByResourceOwner"];
const DEFAULT_ORDER_TYPE: &str = "PayByCenOwner";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TrVpnAttachment {
    pub transit_router_attachment_id: String,
    pub region_id: String,
    pub status: String,
    /// When `status` was entered (epoch ms).
    pub status_since: i64,
    pub vpn_id: String,
    pub vpn_owner_id: i64,
    pub vpn_region_id: String,
    pub transit_router_id: String,
    pub cen_id: String,
    pub transit_router_attachment_name: String,
    pub transit_router_attachment_description: String,
    pub auto_publish_route_enabled: bool,
    pub charge_type: String,
    pub order_type: String,
    /// Epoch milliseconds.
    pub creation_time: i64,
    pub zones: Vec<String>,
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

impl TrVpnAttachment {
    /// A ListTransitRouterVpnAttachments element (also what `/_sandbox/state` shows).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "TransitRouterAttachmentId": self.transit_router_attachment_id,
            "Status": self.status,
            "VpnId": self.vpn_id,
            "VpnOwnerId": self.vpn_owner_id,
            "VpnRegionId": self.vpn_region_id,
            "TransitRouterId": self.transit_router_id,
            "CenId": self.cen_id,
            "TransitRouterAttachmentName": self.transit_router_attachment_name,
            "TransitRouterAttachmentDescription": self.transit_router_attachment_description,
            "AutoPublishRouteEnabled": self.auto_publish_route_enabled,
            "ResourceType": "VPN",
            "ChargeType": self.charge_type,
            "OrderType": self.order_type,
            "CreationTime": model::minute_time(self.creation_time),
            "Zones": self.zones.iter().map(|z| json!({"ZoneId": z})).collect::<Vec<_>>(),
            "Tags": self.tags,
        })
    }
}

/// The attachment `id`; otherwise 404.
pub(crate) fn get(tx: &Tx<'_>, id: &str) -> Result<TrVpnAttachment, AliError> {
    tx.get::<TrVpnAttachment>(KIND, id)?
        .map(|s| s.body)
        .ok_or_else(|| {
            AliError::not_found(
                codes::TR_ATTACHMENT_NOT_FOUND,
                format!("The specified TransitRouterAttachmentId {id} does not exist."),
            )
        })
}

pub(crate) fn save(tx: &Tx<'_>, a: &TrVpnAttachment) -> Result<(), AliError> {
    tx.update(KIND, &a.transit_router_attachment_id, a)?;
    Ok(())
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

pub(crate) fn create(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let vpn_id = p.required("VpnId")?;
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
    let tags = Tag::from_pairs(rules::tags(p, "Tag")?);
    let auto_publish = p.bool("AutoPublishRouteEnabled")?.unwrap_or(true);
    let token = ClientToken::of(rules::client_token(p)?, p);

    let Some(mut connection) = vpn_connection::find(tx, vpn_id)? else {
        return Err(AliError::not_found(
            codes::VPN_ID_NOT_FOUND,
            format!("The specified VpnId {vpn_id} does not exist."),
        ));
    };
    if connection.region_id != region.region {
        return Err(AliError::invalid(
            "VpnId",
            format!(
                "the connection is in {}, the transit router in {}; they must be in one region",
                connection.region_id, region.region
            ),
        ));
    }
    let existing: Vec<TrVpnAttachment> = tx.list_all(KIND)?;
    if let Some(same) = model::replay(&existing, token.as_ref(), call.now_ms, |a| {
        (a.client_token.as_ref(), a.creation_time)
    })? {
        return Ok(json!({"TransitRouterAttachmentId": same.transit_router_attachment_id}));
    }
    if connection.state != state::INIT && connection.state != state::ATTACHED {
        return Err(AliError::incorrect_status(
            &format!("vpn connection {vpn_id}"),
            &connection.state,
        ));
    }
    if let Some(bound) = &connection.transit_router_attachment_id {
        return Err(AliError::bad(
            codes::VCO_BOUND,
            format!("The vpn connection {vpn_id} is already bound by {bound}."),
        ));
    }
    p.dry_run_check()?;

    let attachment = TrVpnAttachment {
        transit_router_attachment_id: ids::resource_id(tx, KIND)?,
        region_id: region.region.to_owned(),
        status: status::ATTACHING.to_owned(),
        status_since: call.now_ms,
        vpn_id: vpn_id.to_owned(),
        vpn_owner_id: ACCOUNT_ID,
        vpn_region_id: connection.region_id.clone(),
        transit_router_id: region.transit_router_id(),
        cen_id: CEN_ID.to_owned(),
        transit_router_attachment_name: name,
        transit_router_attachment_description: description,
        auto_publish_route_enabled: auto_publish,
        charge_type,
        order_type: DEFAULT_ORDER_TYPE.to_owned(),
        creation_time: call.now_ms,
        zones,
        tags,
        client_token: token,
    };
    tx.insert(
        KIND,
        region.region,
        &attachment.transit_router_attachment_id,
        &attachment,
    )?;
    connection.state = state::ATTACHING.to_owned();
    connection.state_since = call.now_ms;
    connection.attach_type = ATTACHED_TO_CEN.to_owned();
    connection.transit_router_id = Some(attachment.transit_router_id.clone());
    connection.attach_instance_id = Some(CEN_ID.to_owned());
    connection.transit_router_attachment_id = Some(attachment.transit_router_attachment_id.clone());
    vpn_connection::save(tx, &connection)?;
    Ok(json!({"TransitRouterAttachmentId": attachment.transit_router_attachment_id}))
}

/// Not-found is an empty list, never an error (§5.2).
pub(crate) fn list(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let id = p.get("TransitRouterAttachmentId");
    let tr = p.get("TransitRouterId");
    let cen = p.get("CenId");
    let region = p.get("RegionId");
    let tag_filter = rules::tags(p, "Tag")?;
    let matching: Vec<TrVpnAttachment> = tx
        .list_all::<TrVpnAttachment>(KIND)?
        .into_iter()
        .filter(|a| id.is_none_or(|id| a.transit_router_attachment_id == id))
        .filter(|a| tr.is_none_or(|tr| a.transit_router_id == tr))
        .filter(|a| cen.is_none_or(|cen| a.cen_id == cen))
        .filter(|a| region.is_none_or(|r| a.region_id == r))
        .filter(|a| model::tags_match(&a.tags, &tag_filter))
        .collect();
    let (page, max, next) = model::cbn_page(p, &matching)?;
    Ok(json!({
        "TotalCount": matching.len(),
        "MaxResults": max,
        "NextToken": next,
        "TransitRouterAttachments": page.iter().map(TrVpnAttachment::to_json).collect::<Vec<_>>(),
    }))
}

fn attached(a: &TrVpnAttachment) -> Result<(), AliError> {
    if a.status == status::ATTACHED {
        Ok(())
    } else {
        Err(AliError::incorrect_status(
            &format!(
                "transit router attachment {}",
                a.transit_router_attachment_id
            ),
            &a.status,
        ))
    }
}

/// Stays `Attached` (§5.3).
pub(crate) fn update(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let mut a = get(tx, p.required("TransitRouterAttachmentId")?)?;
    attached(&a)?;
    if let Some(v) = p.bool("AutoPublishRouteEnabled")? {
        a.auto_publish_route_enabled = v;
    }
    if let Some(v) = p.get("TransitRouterAttachmentName") {
        rules::attachment_name("TransitRouterAttachmentName", v)?;
        a.transit_router_attachment_name = v.to_owned();
    }
    if let Some(v) = p.get("TransitRouterAttachmentDescription") {
        rules::attachment_description("TransitRouterAttachmentDescription", v)?;
        a.transit_router_attachment_description = v.to_owned();
    }
    if let Some(v) = p.one_of("OrderType", ORDER_TYPES)? {
        a.order_type = v;
    }
    p.dry_run_check()?;
    save(tx, &a)?;
    Ok(json!({}))
}

/// `Force=false` is refused while route-table associations or propagations exist; `Force=true`
/// removes them (§5.4). Then `Detaching` → gone.
pub(crate) fn delete(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let mut a = get(tx, p.required("TransitRouterAttachmentId")?)?;
    let force = p.bool("Force")?.unwrap_or(false);
    attached(&a)?;
    let mut connection = vpn_connection::find(tx, &a.vpn_id)?;
    if let Some(c) = &connection {
        if c.state != state::ATTACHED {
            return Err(AliError::incorrect_status(
                &format!("vpn connection {}", c.vpn_connection_id),
                &c.state,
            ));
        }
    }
    let links = route_table::links_of(tx, &a.transit_router_attachment_id)?;
    if let Some(busy) = links.iter().find(|l| l.is_pending()) {
        return Err(AliError::blocking(format_args!(
            "route table {} is {} for {}",
            busy.transit_router_route_table_id, busy.status, a.transit_router_attachment_id
        )));
    }
    if !links.is_empty() && !force {
        return Err(AliError::bad(
            codes::ATTACHMENT_HAS_DEPENDENCIES,
            format!(
                "The attachment {} still has route table associations or propagations; remove \
                 them or delete with Force=true.",
                a.transit_router_attachment_id
            ),
        ));
    }
    p.dry_run_check()?;
    for link in &links {
        route_table::remove(tx, link)?;
    }
    a.status = status::DETACHING.to_owned();
    a.status_since = call.now_ms;
    save(tx, &a)?;
    if let Some(c) = &mut connection {
        c.state = state::DETACHING.to_owned();
        c.state_since = call.now_ms;
        vpn_connection::save(tx, c)?;
    }
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            order_type: DEFAULT_ORDER_TYPE.to_owned(),
            creation_time: 1_657_269_959_123,
            zones: vec!["cn-hangzhou-h".to_owned()],
            tags: vec![Tag {
                key: "k".to_owned(),
                value: "v".to_owned(),
            }],
            client_token: None,
        };
        let v = a.to_json();
        assert_eq!(v["CreationTime"], "2022-07-08T08:45Z");
        assert_eq!(v["Zones"], json!([{"ZoneId": "cn-hangzhou-h"}]));
        assert_eq!(v["Tags"], json!([{"Key": "k", "Value": "v"}]));
        assert_eq!(v["AutoPublishRouteEnabled"], true);
        assert_eq!(v["ResourceType"], "VPN");
    }
}
