//! What `/_sandbox/state` shows of Alibaba Cloud: every user-created object as its describe or
//! list call shows it (plus `RegionId` where that call has none), after bringing pending
//! operations up to date; and the seeded CEN, transit routers and route tables.

use serde_json::{json, Map, Value};

use super::{customer_gateway, route_table, tr_attachment, vco_route, vpn_connection};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::lifecycle;
use crate::sandbox::alicloud::backend::model::{
    ASSOCIATIONS, CUSTOMER_GATEWAYS, PROPAGATIONS, TR_ATTACHMENTS, VCO_ROUTES, VPN_CONNECTIONS,
};
use crate::sandbox::alicloud::backend::seed::{self, SeedRegion};
use crate::sandbox::alicloud::error::AliError;

/// `alicloud`: by kind (`customer_gateways`, `vpn_connections`, `vco_route_entries`,
/// `transit_router_vpn_attachments`, `route_table_associations`, `route_table_propagations`),
/// oldest first. Bookkeeping (client tokens, state timestamps) is left out.
pub(crate) fn user_objects(db: &Db<'_>, provisioning_ms: i64) -> Result<Value, AliError> {
    lifecycle::settle(db, provisioning_ms)?;
    let all = db.snapshot()?;
    let mut out = Map::new();
    let mut put = |kind: &str, items: Vec<Value>| {
        out.insert(kind.to_owned(), Value::Array(items));
    };
    put(
        CUSTOMER_GATEWAYS.name,
        all.gateways
            .iter()
            .map(customer_gateway::render_state)
            .collect(),
    );
    put(
        VPN_CONNECTIONS.name,
        all.connections
            .iter()
            .map(|c| vpn_connection::render_state(c, &all.gateways))
            .collect(),
    );
    put(
        VCO_ROUTES.name,
        all.routes.iter().map(vco_route::render_state).collect(),
    );
    put(
        TR_ATTACHMENTS.name,
        all.attachments.iter().map(tr_attachment::render).collect(),
    );
    put(
        ASSOCIATIONS.name,
        all.associations
            .iter()
            .map(route_table::render_link)
            .collect(),
    );
    put(
        PROPAGATIONS.name,
        all.propagations
            .iter()
            .map(route_table::render_link)
            .collect(),
    );
    Ok(Value::Object(out))
}

fn transit_router(r: &SeedRegion) -> Value {
    json!({
        "TransitRouterId": r.transit_router_id(),
        "TransitRouterName": r.transit_router_name(),
        "TransitRouterDescription": "",
        "CenId": seed::CEN_ID,
        "RegionId": r.region,
        "Type": "Enterprise",
        "Status": "Active",
        "CreationTime": seed::SEED_CREATION_TIME,
    })
}

/// `alicloud_seed`: the seeded CEN, transit routers and route tables.
pub(crate) fn seeded() -> Value {
    json!({
        "cen_instances": [{
            "CenId": seed::CEN_ID,
            "Name": seed::CEN_NAME,
            "Status": "Active",
            "ProtectionLevel": "REDUCED",
            "CreationTime": seed::SEED_CREATION_TIME,
            "RegionIds": seed::REGIONS.iter().map(|r| r.region).collect::<Vec<_>>(),
        }],
        "transit_routers": seed::REGIONS.iter().map(transit_router).collect::<Vec<_>>(),
        "route_tables": seed::REGIONS.iter().map(route_table::render_table).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_shape() {
        let s = seeded();
        assert_eq!(
            s["transit_routers"].as_array().unwrap().len(),
            seed::REGIONS.len()
        );
        assert_eq!(s["cen_instances"][0]["CenId"], seed::CEN_ID);
        assert_eq!(
            s["route_tables"][0]["TransitRouterRouteTableType"],
            "System"
        );
    }
}
