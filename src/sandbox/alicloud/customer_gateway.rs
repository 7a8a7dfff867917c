//! Customer gateway (Vpc 2016-04-28, docs/design/alicloud.md §3): model, rules and the five
//! actions.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{codes, AliError};
use super::model::{self, ClientToken, Page, Tag, DEFAULT_RESOURCE_GROUP};
use super::{rules, vpn_connection, Call, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(crate) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "customer_gateways",
    id_prefix: "cgw",
};

/// A customer gateway as stored (PascalCase like the API; `ClientToken` is bookkeeping).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CustomerGateway {
    pub customer_gateway_id: String,
    pub region_id: String,
    pub ip_address: String,
    /// Absent when none was given (BGP then cannot be used with this gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<i64>,
    /// BGP MD5 key, returned in plaintext by DescribeCustomerGateway.
    pub auth_key: String,
    pub name: String,
    pub description: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub resource_group_id: String,
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

impl fmt::Debug for CustomerGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerGateway")
            .field("customer_gateway_id", &self.customer_gateway_id)
            .field("ip_address", &self.ip_address)
            .field("asn", &self.asn)
            .field("auth_key", &"** redacted **")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CustomerGateway {
    /// DescribeCustomerGateway(s) element: `Asn` an integer (a string in the request).
    fn to_json(&self) -> Value {
        let mut v = json!({
            "CustomerGatewayId": self.customer_gateway_id,
            "IpAddress": self.ip_address,
            "AuthKey": self.auth_key,
            "Name": self.name,
            "Description": self.description,
            "CreateTime": self.create_time,
            "ResourceGroupId": self.resource_group_id,
            "Tags": model::wrapped_tags(&self.tags),
        });
        if let (Some(asn), Value::Object(map)) = (self.asn, &mut v) {
            map.insert("Asn".to_owned(), json!(asn));
        }
        v
    }

    /// `/_sandbox/state`: as DescribeCustomerGateway shows it, plus `RegionId`.
    pub(crate) fn state_json(&self) -> Value {
        let mut v = self.to_json();
        if let Value::Object(map) = &mut v {
            map.insert("RegionId".to_owned(), json!(self.region_id));
        }
        v
    }

    /// The short form CreateCustomerGateway / ModifyCustomerGatewayAttribute answer with.
    fn summary(&self) -> Value {
        json!({
            "CustomerGatewayId": self.customer_gateway_id,
            "IpAddress": self.ip_address,
            "Name": self.name,
            "Description": self.description,
            "CreateTime": self.create_time,
            "ResourceGroupId": self.resource_group_id,
        })
    }
}

/// The gateway `id` in `region`; otherwise 404 `InvalidCustomerGatewayInstanceId.NotFound`.
pub(crate) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<CustomerGateway, AliError> {
    match tx.get::<CustomerGateway>(KIND, id)? {
        Some(stored) if stored.region == region => Ok(stored.body),
        _ => Err(AliError::cgw_not_found(id)),
    }
}

pub(crate) fn create(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
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
    let tags = Tag::from_pairs(rules::tags(p, "Tags")?);
    let token = ClientToken::of(rules::client_token(p)?, p);
    p.dry_run_check()?;

    let existing: Vec<CustomerGateway> = tx.list(KIND, region.region)?;
    if let Some(same) = model::replay(&existing, token.as_ref(), call.now_ms, |g| {
        (g.client_token.as_ref(), g.create_time)
    })? {
        return Ok(same.summary());
    }
    let gateway = CustomerGateway {
        customer_gateway_id: ids::resource_id(tx, KIND)?,
        region_id: region.region.to_owned(),
        ip_address: ip.to_string(),
        asn,
        auth_key,
        name,
        description,
        create_time: call.now_ms,
        resource_group_id: p
            .string("ResourceGroupId")
            .unwrap_or_else(|| DEFAULT_RESOURCE_GROUP.to_owned()),
        tags,
        client_token: token,
    };
    tx.insert(KIND, region.region, &gateway.customer_gateway_id, &gateway)?;
    Ok(gateway.summary())
}

pub(crate) fn describe(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let gateway = get(tx, region.region, p.required("CustomerGatewayId")?)?;
    Ok(gateway.to_json())
}

pub(crate) fn describe_many(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let page = Page::parse(p)?;
    let id = p.get("CustomerGatewayId");
    let group = p.get("ResourceGroupId");
    let tag_filter = rules::tags(p, "Tag")?;
    let matching: Vec<CustomerGateway> = tx
        .list::<CustomerGateway>(KIND, region.region)?
        .into_iter()
        .filter(|g| id.is_none_or(|id| g.customer_gateway_id == id))
        .filter(|g| group.is_none_or(|rg| g.resource_group_id == rg))
        .filter(|g| model::tags_match(&g.tags, &tag_filter))
        .collect();
    let items: Vec<Value> = page
        .slice(&matching)
        .iter()
        .map(CustomerGateway::to_json)
        .collect();
    Ok(json!({
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": matching.len(),
        "CustomerGateways": {"CustomerGateway": items},
    }))
}

/// Only `Name`, `Description` and `AuthKey` change (§3); `IpAddress` and `Asn` are not
/// members of the call and are ignored if sent.
pub(crate) fn modify(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let mut gateway = get(tx, region.region, p.required("CustomerGatewayId")?)?;
    if let Some(name) = p.get("Name") {
        rules::name_or_description("Name", name)?;
        gateway.name = name.to_owned();
    }
    if let Some(description) = p.get("Description") {
        rules::name_or_description("Description", description)?;
        gateway.description = description.to_owned();
    }
    if let Some(key) = p.get("AuthKey") {
        rules::auth_key("AuthKey", key)?;
        gateway.auth_key = key.to_owned();
    }
    tx.update(KIND, &gateway.customer_gateway_id, &gateway)?;
    Ok(gateway.summary())
}

/// Refused while any tunnel of any connection uses the gateway (§3).
pub(crate) fn delete(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let gateway = get(tx, region.region, p.required("CustomerGatewayId")?)?;
    let users =
        vpn_connection::using_customer_gateway(tx, region.region, &gateway.customer_gateway_id)?;
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
    tx.delete(KIND, &gateway.customer_gateway_id)?;
    Ok(json!({}))
}
