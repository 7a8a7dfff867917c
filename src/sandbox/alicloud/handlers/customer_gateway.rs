//! Customer gateway actions (Vpc 2016-04-28, docs/design/alicloud.md §3): parse, call the
//! backend, render.

use serde_json::{json, Value};

use super::shared::{self, FieldFilter, Page};
use crate::sandbox::alicloud::backend::customer_gateway::{
    self as backend, CustomerGatewayChange, NewCustomerGateway,
};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::model::{CustomerGateway, Tag, CUSTOMER_GATEWAYS};
use crate::sandbox::alicloud::error::AliError;
use crate::sandbox::alicloud::params::Params;
use crate::sandbox::alicloud::rules;

/// DescribeCustomerGateway(s) element: `Asn` an integer (a string in the request).
pub(super) fn render(g: &CustomerGateway) -> Value {
    let mut v = json!({
        "CustomerGatewayId": g.customer_gateway_id,
        "IpAddress": g.ip_address,
        "AuthKey": g.auth_key,
        "Name": g.name,
        "Description": g.description,
        "CreateTime": g.create_time,
        "ResourceGroupId": g.resource_group_id,
        "Tags": shared::wrapped_tags(&g.tags),
    });
    if let (Some(asn), Value::Object(map)) = (g.asn, &mut v) {
        map.insert("Asn".to_owned(), json!(asn));
    }
    v
}

/// `/_sandbox/state`: as DescribeCustomerGateway shows it, plus `RegionId`.
pub(super) fn render_state(g: &CustomerGateway) -> Value {
    let mut v = render(g);
    if let Value::Object(map) = &mut v {
        map.insert("RegionId".to_owned(), json!(g.region_id));
    }
    v
}

/// The short form CreateCustomerGateway / ModifyCustomerGatewayAttribute answer with.
fn summary(g: &CustomerGateway) -> Value {
    json!({
        "CustomerGatewayId": g.customer_gateway_id,
        "IpAddress": g.ip_address,
        "Name": g.name,
        "Description": g.description,
        "CreateTime": g.create_time,
        "ResourceGroupId": g.resource_group_id,
    })
}

pub(super) fn create(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let ip = rules::gateway_ip("IpAddress", p.required("IpAddress")?)?;
    let asn = p
        .get("Asn")
        .map(|v| rules::gateway_asn("Asn", v))
        .transpose()?;
    let auth_key = p.string("AuthKey").unwrap_or_default();
    if !auth_key.is_empty() {
        rules::auth_key("AuthKey", &auth_key)?;
    }
    let name = p.string("Name").unwrap_or_default();
    if !name.is_empty() {
        rules::name_or_description("Name", &name)?;
    }
    let description = p.string("Description").unwrap_or_default();
    if !description.is_empty() {
        rules::name_or_description("Description", &description)?;
    }
    let new = NewCustomerGateway {
        region: region.region.to_owned(),
        ip_address: ip.to_string(),
        asn,
        auth_key,
        name,
        description,
        resource_group_id: p.string("ResourceGroupId"),
        tags: Tag::from_pairs(rules::tags(p, "Tags")?),
        token: shared::client_token(p)?,
        dry_run: shared::dry_run(p)?,
    };
    Ok(summary(&backend::create(db, new)?))
}

pub(super) fn describe(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let gateway = db.customer_gateway(region.region, p.required("CustomerGatewayId")?)?;
    Ok(render(&gateway))
}

pub(super) fn describe_many(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let page = Page::parse(p)?;
    let fields: &[FieldFilter<CustomerGateway>] = &[
        ("CustomerGatewayId", |g| &g.customer_gateway_id),
        ("ResourceGroupId", |g| &g.resource_group_id),
    ];
    let all = db.list(CUSTOMER_GATEWAYS, region.region)?;
    let matching = shared::matching(p, all, fields, Some(|g| &g.tags))?;
    page.answer(&matching, ("CustomerGateways", "CustomerGateway"), |g| {
        Ok(render(g))
    })
}

/// Only `Name`, `Description` and `AuthKey` change (§3); `IpAddress` and `Asn` are not
/// members of the call and are ignored if sent.
pub(super) fn modify(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let id = p.required("CustomerGatewayId")?;
    let gateway = db.customer_gateway(region.region, id)?;
    if let Some(name) = p.get("Name") {
        rules::name_or_description("Name", name)?;
    }
    if let Some(description) = p.get("Description") {
        rules::name_or_description("Description", description)?;
    }
    if let Some(key) = p.get("AuthKey") {
        rules::auth_key("AuthKey", key)?;
    }
    let change = CustomerGatewayChange {
        name: p.string("Name"),
        description: p.string("Description"),
        auth_key: p.string("AuthKey"),
    };
    Ok(summary(&backend::modify(db, gateway, change)?))
}

/// Refused while any tunnel of any connection uses the gateway (§3).
pub(super) fn delete(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    backend::delete(db, region.region, p.required("CustomerGatewayId")?)?;
    Ok(json!({}))
}
