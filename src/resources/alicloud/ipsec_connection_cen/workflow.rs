//! The bind → associate → propagate workflow, and unbinding: the objects
//! the resource makes around the connection.

use crate::cloud::alicloud::{actions, client_token, types as api, Params};
use crate::framework::Diagnostics;
use crate::resources::common::api_error_id;
use crate::resources::wait::wait_for;

use super::find::{link_status, list_binding, wait_binding, wait_connection, Link, Switch};
use super::schema::{State, WHAT};
use crate::resources::alicloud::On;

pub struct Binding {
    pub attachment_id: String,
    pub transit_router_id: String,
}

/// Binds the connection to the CEN's transit router and waits until the
/// binding and the connection are both ready.
pub async fn bind(on: &On<'_>, plan: &State) -> Result<Binding, Diagnostics> {
    let (client, region, id) = (on.client, on.at.region.as_str(), on.at.id());
    let params = Params::new()
        .set("RegionId", region)
        .set("VpnId", id)
        .set("ClientToken", client_token())
        .opt("CenId", plan.cen_id.as_ref())
        .opt("TransitRouterId", plan.transit_router_id.as_ref())
        .set(
            "AutoPublishRouteEnabled",
            plan.auto_publish_routes.unwrap_or(true),
        );
    let r: api::CreateTrVpnAttachmentResponse = client
        .call(&actions::CREATE_TR_VPN_ATTACHMENT, region, params)
        .await
        .map_err(|e| api_error_id("binding to the transit router", WHAT, id, &e))?;
    let attachment = r.transit_router_attachment_id;
    let bound = wait_binding(on, &attachment).await?;
    wait_connection(on, "to be attached").await?;
    Ok(Binding {
        attachment_id: attachment,
        transit_router_id: bound.transit_router_id.unwrap_or_default(),
    })
}

/// Turns an association or propagation on or off and waits for the result.
pub async fn set_link(
    on: &On<'_>,
    link: Link,
    attachment: &str,
    table: &str,
    want: Switch,
) -> Result<(), Diagnostics> {
    let (client, region) = (on.client, on.at.region.as_str());
    let action = match (link, want) {
        (Link::Association, Switch::On) => &actions::ASSOCIATE_ROUTE_TABLE,
        (Link::Association, Switch::Off) => &actions::DISSOCIATE_ROUTE_TABLE,
        (Link::Propagation, Switch::On) => &actions::ENABLE_PROPAGATION,
        (Link::Propagation, Switch::Off) => &actions::DISABLE_PROPAGATION,
    };
    let params = Params::new()
        .set("TransitRouterAttachmentId", attachment)
        .set("TransitRouterRouteTableId", table);
    if let Err(e) = client
        .call::<serde_json::Value>(action, region, params)
        .await
    {
        // A retried call whose first attempt went through is refused as
        // "already done": that is success. Anything else is an error.
        let done = match link_status(client, region, link, attachment, table).await {
            Ok(status) => status.is_some() == (want == Switch::On),
            Err(_) => false,
        };
        if !done {
            return Err(api_error_id(
                &format!("{} ({link:?})", action.name),
                "transit router binding",
                attachment,
                &e,
            ));
        }
    }
    wait_for(
        on.ctx,
        &format!(
            "route table {link:?} of {attachment} to become {}",
            if want == Switch::On {
                "Active"
            } else {
                "absent"
            }
        ),
        || async {
            let status = link_status(client, region, link, attachment, table).await?;
            Ok(match (want, status) {
                (Switch::On, Some((s, _))) if s == "Active" => Some(()),
                (Switch::Off, None) => Some(()),
                _ => None,
            })
        },
    )
    .await
}

/// Unbinds the connection (forcing the route-table links away with the
/// binding) and waits until the binding is gone: a bound connection cannot
/// be deleted.
pub async fn unbind(on: &On<'_>, binding: &api::TrVpnAttachment) -> Result<(), Diagnostics> {
    let (client, region, id) = (on.client, on.at.region.as_str(), on.at.id());
    let attachment = binding.transit_router_attachment_id.clone();
    let params = Params::new()
        .set("TransitRouterAttachmentId", &attachment)
        .set("Force", true);
    match client
        .call::<serde_json::Value>(&actions::DELETE_TR_VPN_ATTACHMENT, region, params)
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(api_error_id("unbinding", WHAT, id, &e)),
    }
    wait_for(on.ctx, &format!("{WHAT} ({id}) to be unbound"), || async {
        Ok(list_binding(client, region, &attachment)
            .await?
            .is_none()
            .then_some(()))
    })
    .await
}
