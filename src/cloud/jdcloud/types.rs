//! JD Cloud `bgw` request and response bodies (camelCase, as documented in
//! JD's published models; research jdcloud.md §4).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGateway {
    pub customer_gateway_id: String,
    #[serde(default)]
    pub customer_gateway_name: String,
    #[serde(default)]
    pub customer_ips: Vec<String>,
    #[serde(default)]
    pub bgp_asn: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
    #[serde(default)]
    pub updated_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGatewaySpec {
    pub customer_gateway_name: String,
    pub customer_ips: Vec<String>,
    pub bgp_asn: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Only the fields present are changed. `bgpAsn` cannot be modified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyCustomerGatewaySpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_gateway_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_ips: Option<Vec<String>>,
}

impl ModifyCustomerGatewaySpec {
    pub fn is_empty(&self) -> bool {
        *self == ModifyCustomerGatewaySpec::default()
    }
}
