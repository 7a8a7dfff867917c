//! Every JD Cloud `bgw` operation the provider calls: method, path template
//! and body wrapper, in one table.
//!
//! INFERRED: apart from `modifyAdminStatus`, JD Cloud publishes no method,
//! path or body wrapper for bgw operations (see research jdcloud.md §3,
//! §3.1). These follow the generator conventions of JD's sibling `vpc`
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

pub const CREATE_CUSTOMER_GATEWAY: Operation = op(
    "createCustomerGateway",
    Method::POST,
    "/v1/regions/{regionId}/customerGateways/",
    Some("customerGatewaySpec"),
);
pub const DESCRIBE_CUSTOMER_GATEWAYS: Operation = op(
    "describeCustomerGateways",
    Method::GET,
    "/v1/regions/{regionId}/customerGateways/",
    None,
);
pub const DESCRIBE_CUSTOMER_GATEWAY: Operation = op(
    "describeCustomerGateway",
    Method::GET,
    "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
    None,
);
pub const MODIFY_CUSTOMER_GATEWAY: Operation = op(
    "modifyCustomerGateway",
    Method::PATCH,
    "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
    Some("modifyCustomerGatewaySpec"),
);
pub const DELETE_CUSTOMER_GATEWAY: Operation = op(
    "deleteCustomerGateway",
    Method::DELETE,
    "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
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
            render_path(DESCRIBE_CUSTOMER_GATEWAY.path, "cn-north-1", &["cgw-1"]),
            "/v1/regions/cn-north-1/customerGateways/cgw-1"
        );
        assert_eq!(
            render_path(CREATE_CUSTOMER_GATEWAY.path, "cn-north-1", &[]),
            "/v1/regions/cn-north-1/customerGateways/"
        );
        assert_eq!(
            render_path(
                "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}:adminStatus",
                "r",
                &["t 1"]
            ),
            "/v1/regions/r/vpnTunnels/t%201:adminStatus"
        );
    }
}
