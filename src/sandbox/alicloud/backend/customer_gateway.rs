//! Customer gateways (Vpc 2016-04-28, docs/design/alicloud.md §3): idempotent creates, what a
//! modify may change, and the connections that block a delete.

use super::db::Db;
use super::model::{
    dry_run_check, replay, ClientToken, CustomerGateway, Tag, CUSTOMER_GATEWAYS,
    DEFAULT_RESOURCE_GROUP,
};
use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::change::{inputs, set};

inputs! {
    /// A create, its parameters already checked.
    NewCustomerGateway /
    /// Only `Name`, `Description` and `AuthKey` change (§3).
    CustomerGatewayChange {
        name: String,
        description: String,
        auth_key: String,
    }
    create_only {
        region: String,
        ip_address: String,
        asn: Option<i64>,
        resource_group_id: Option<String>,
        tags: Vec<Tag>,
        token: Option<ClientToken>,
        dry_run: bool,
    }
}

/// Creates the gateway, or answers the one a retry with the same `ClientToken` made.
pub(crate) fn create(db: &Db<'_>, new: NewCustomerGateway) -> Result<CustomerGateway, AliError> {
    dry_run_check(new.dry_run)?;
    let existing: Vec<CustomerGateway> = db.list(CUSTOMER_GATEWAYS, &new.region)?;
    if let Some(same) = replay(&existing, new.token.as_ref(), db.now_ms())? {
        return Ok(same);
    }
    let gateway = CustomerGateway {
        customer_gateway_id: db.new_id(CUSTOMER_GATEWAYS)?,
        region_id: new.region,
        ip_address: new.ip_address,
        asn: new.asn,
        auth_key: new.auth_key.into(),
        name: new.name,
        description: new.description,
        create_time: db.now_ms(),
        resource_group_id: new
            .resource_group_id
            .unwrap_or_else(|| DEFAULT_RESOURCE_GROUP.to_owned()),
        tags: new.tags,
        client_token: new.token,
    };
    db.add(&gateway)?;
    Ok(gateway)
}

/// `gateway` as stored (the handler looked it up before checking the parameters).
pub(crate) fn modify(
    db: &Db<'_>,
    mut gateway: CustomerGateway,
    change: CustomerGatewayChange,
) -> Result<CustomerGateway, AliError> {
    // Saved even when nothing changed: Alibaba objects keep no update time.
    set(&mut gateway.name, change.name);
    set(&mut gateway.description, change.description);
    set(&mut gateway.auth_key, change.auth_key.map(Into::into));
    db.save(&gateway)?;
    Ok(gateway)
}

/// Refused while any tunnel of any connection uses the gateway (§3).
pub(crate) fn delete(db: &Db<'_>, region: &str, id: &str) -> Result<(), AliError> {
    let gateway = db.customer_gateway(region, id)?;
    let users = db.connections_using_customer_gateway(region, &gateway.customer_gateway_id)?;
    if !users.is_empty() {
        return Err(AliError::bad(
            codes::CGW_IN_USE,
            format!(
                "The customer gateway {} is used by the IPsec connections {}; delete them first.",
                gateway.customer_gateway_id,
                users.join(", ")
            ),
        ));
    }
    db.remove(&gateway)
}
