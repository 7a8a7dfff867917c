//! Every JD Cloud `bgw` operation the provider calls: method, path template
//! and body wrapper, in one table.
//!
//! INFERRED (docs/design/jdcloud.md §8.1–§8.3): apart from
//! `modifyAdminStatus`, JD Cloud publishes no method, path, body wrapper or
//! result key for bgw operations; border-gateway route paths are not even
//! hinted at. These follow the generator conventions of JD's sibling `vpc`
//! service. Correct them here, and only here, once verified.

use reqwest::Method;

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation name as JD Cloud spells it (used in logs and errors).
    pub name: &'static str,
    pub method: Method,
    /// Path template; `{regionId}` and then each other `{..}` placeholder
    /// are filled in order.
    pub path: &'static str,
    /// Key the JSON body is wrapped in (`{"customerGatewaySpec": {..}}`), or
    /// `None` for a flat body.
    pub body_wrapper: Option<&'static str>,
}

/// The five operations of one kind of object, and the JSON keys its
/// results use.
#[derive(Debug, Clone)]
pub struct Kind {
    /// Key of one object in describe/create results, e.g. `customerGateway`.
    pub singular: &'static str,
    /// Key of the list in describe-many results, e.g. `customerGateways`.
    pub plural: &'static str,
    /// The object's id field, e.g. `customerGatewayId`.
    pub id_field: &'static str,
    pub create: Operation,
    pub describe: Operation,
    pub list: Operation,
    pub modify: Operation,
    pub delete: Operation,
}

/// The product's service name in the signing scope.
pub const SERVICE: &str = "bgw";
/// Public endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://bgw.jdcloud-api.com";

const fn op(
    name: &'static str,
    method: Method,
    path: &'static str,
    body_wrapper: Option<&'static str>,
) -> Operation {
    Operation {
        name,
        method,
        path,
        body_wrapper,
    }
}

/// Builds a kind from JD's generator conventions: `POST|GET collection/`,
/// `GET|PATCH|DELETE collection/{id}`, `<x>Spec` and `modify<X>Spec` bodies.
macro_rules! kind {
    ($singular:literal, $plural:literal, $id:literal, $collection:literal, $item:literal,
     $create:literal, $describe:literal, $list:literal, $modify:literal, $delete:literal,
     $create_wrapper:literal, $modify_wrapper:literal) => {
        Kind {
            singular: $singular,
            plural: $plural,
            id_field: $id,
            create: op($create, Method::POST, $collection, Some($create_wrapper)),
            describe: op($describe, Method::GET, $item, None),
            list: op($list, Method::GET, $collection, None),
            modify: op($modify, Method::PATCH, $item, Some($modify_wrapper)),
            delete: op($delete, Method::DELETE, $item, None),
        }
    };
}

pub const CUSTOMER_GATEWAY: Kind = kind!(
    "customerGateway",
    "customerGateways",
    "customerGatewayId",
    "/v1/regions/{regionId}/customerGateways/",
    "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
    "createCustomerGateway",
    "describeCustomerGateway",
    "describeCustomerGateways",
    "modifyCustomerGateway",
    "deleteCustomerGateway",
    "customerGatewaySpec",
    "modifyCustomerGatewaySpec"
);

pub const BORDER_GATEWAY: Kind = kind!(
    "bgw",
    "bgws",
    "bgwId",
    "/v1/regions/{regionId}/bgws/",
    "/v1/regions/{regionId}/bgws/{bgwId}",
    "createBgw",
    "describeBgw",
    "describeBgws",
    "modifyBgw",
    "deleteBgw",
    "bgwSpec",
    "modifyBgwSpec"
);

pub const VPC_ATTACHMENT: Kind = kind!(
    "vpcAttachment",
    "vpcAttachments",
    "vpcAttachmentId",
    "/v1/regions/{regionId}/vpcAttachments/",
    "/v1/regions/{regionId}/vpcAttachments/{vpcAttachmentId}",
    "createVpcAttachment",
    "describeVpcAttachment",
    "describeVpcAttachments",
    "modifyVpcAttachment",
    "deleteVpcAttachment",
    "vpcAttachmentSpec",
    "modifyVpcAttachmentSpec"
);

pub const VPN_CONNECTION: Kind = kind!(
    "vpnConnection",
    "vpnConnections",
    "vpnConnectionId",
    "/v1/regions/{regionId}/vpnConnections/",
    "/v1/regions/{regionId}/vpnConnections/{vpnConnectionId}",
    "createVpnConnection",
    "describeVpnConnection",
    "describeVpnConnections",
    "modifyVpnConnection",
    "deleteVpnConnection",
    "vpnConnectionSpec",
    "modifyVpnConnectionSpec"
);

pub const VPN_TUNNEL: Kind = kind!(
    "vpnTunnel",
    "vpnTunnels",
    "vpnTunnelId",
    "/v1/regions/{regionId}/vpnTunnels/",
    "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}",
    "createVpnTunnel",
    "describeVpnTunnel",
    "describeVpnTunnels",
    "modifyVpnTunnel",
    "deleteVpnTunnel",
    "vpnTunnelSpec",
    "vpnTunnelModifySpec"
);

/// Routes live under their border gateway: ids are `[bgwId, bgwRouteId]`.
pub const BGW_ROUTE: Kind = kind!(
    "bgwRoute",
    "bgwRoutes",
    "bgwRouteId",
    "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/",
    "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/{bgwRouteId}",
    "createBgwRoutes",
    "describeBgwRoute",
    "describeBgwRoutes",
    "modifyBgwRoutes",
    "deleteBgwRoutes",
    "bgwRouteSpec",
    "modifyBgwRouteSpec"
);

/// VERIFIED (the one bgw write operation every official SDK publishes).
pub const MODIFY_ADMIN_STATUS: Operation = op(
    "modifyAdminStatus",
    Method::POST,
    "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}:adminStatus",
    None,
);

/// Everything but RFC 3986 unreserved characters is escaped: the signer's
/// canonical form of such text is the text itself.
pub const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Fills a path template: the region first, then `ids` in order.
pub fn render_path(template: &str, region: &str, ids: &[&str]) -> String {
    let seg = |s: &str| percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string();
    let mut out = String::with_capacity(template.len() + 32);
    let mut ids = ids.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        if name == "regionId" {
            out.push_str(&seg(region));
        } else if let Some(id) = ids.next() {
            out.push_str(&seg(id));
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths() {
        assert_eq!(
            render_path(CUSTOMER_GATEWAY.describe.path, "cn-north-1", &["cgw-1"]),
            "/v1/regions/cn-north-1/customerGateways/cgw-1"
        );
        assert_eq!(
            render_path(CUSTOMER_GATEWAY.create.path, "cn-north-1", &[]),
            "/v1/regions/cn-north-1/customerGateways/"
        );
        assert_eq!(
            render_path(MODIFY_ADMIN_STATUS.path, "r", &["t 1"]),
            "/v1/regions/r/vpnTunnels/t%201:adminStatus"
        );
        assert_eq!(
            render_path(BGW_ROUTE.describe.path, "r", &["bgw-1", "bgwr-2"]),
            "/v1/regions/r/bgws/bgw-1/bgwRoutes/bgwr-2"
        );
    }
}
