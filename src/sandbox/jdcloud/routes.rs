//! Every JD Cloud operation the sandbox serves, in ONE table.
//!
//! Only two `bgw` operations are published (jdcloud.md §0.2); every path below is INFERRED from JD
//! Cloud's generator conventions (§3): collections end with `/`, items are `/{collection}/{id}`,
//! modify is PATCH (PUT also accepted, §3 "route both PATCH and PUT"). Correct them here.

use percent_encoding::percent_decode_str;

/// A JD Cloud operation. `name()` is the operation id used in logs, the
/// `x-jdcloud-operationid` header and `/_sandbox/requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    CreateCustomerGateway,
    DescribeCustomerGateways,
    DescribeCustomerGateway,
    ModifyCustomerGateway,
    DeleteCustomerGateway,
}

impl Op {
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::CreateCustomerGateway => "createCustomerGateway",
            Op::DescribeCustomerGateways => "describeCustomerGateways",
            Op::DescribeCustomerGateway => "describeCustomerGateway",
            Op::ModifyCustomerGateway => "modifyCustomerGateway",
            Op::DeleteCustomerGateway => "deleteCustomerGateway",
        }
    }
}

pub(super) struct Route {
    method: &'static str,
    /// `/`-separated; a segment `{name}` (optionally followed by a literal suffix such as
    /// `:adminStatus`) captures a path parameter.
    template: &'static str,
    op: Op,
}

const fn route(method: &'static str, template: &'static str, op: Op) -> Route {
    Route {
        method,
        template,
        op,
    }
}

pub(super) static ROUTES: &[Route] = &[
    // Customer gateways (jdcloud.md §3, §4.3) — all INFERRED.
    route(
        "POST",
        "/v1/regions/{regionId}/customerGateways/",
        Op::CreateCustomerGateway,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/customerGateways/",
        Op::DescribeCustomerGateways,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
        Op::DescribeCustomerGateway,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
        Op::ModifyCustomerGateway,
    ),
    route(
        "PUT",
        "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
        Op::ModifyCustomerGateway,
    ),
    route(
        "DELETE",
        "/v1/regions/{regionId}/customerGateways/{customerGatewayId}",
        Op::DeleteCustomerGateway,
    ),
];

/// Path parameters captured by a route, percent-decoded.
#[derive(Debug, Default)]
pub(super) struct PathParams(Vec<(&'static str, String)>);

impl PathParams {
    /// The value of a parameter the matched template declares (empty if it declares none).
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The operation for a method and a raw (still percent-encoded) path.
pub(super) fn find(method: &str, raw_path: &str) -> Option<(Op, PathParams)> {
    // Decode per segment so an encoded `/` cannot split a segment, while `%3A` still matches `:`.
    let segments: Vec<String> = raw_path
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    ROUTES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| match_template(r.template, &segments).map(|p| (r.op, p)))
}

fn match_template(template: &'static str, segments: &[String]) -> Option<PathParams> {
    let parts: Vec<&'static str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = PathParams::default();
    for (tpl, seg) in parts.into_iter().zip(segments) {
        match tpl.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
            Some((name, suffix)) => {
                let value = seg.strip_suffix(suffix).filter(|v| !v.is_empty())?;
                params.0.push((name, value.to_owned()));
            }
            None if tpl == seg => {}
            None => return None,
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_collection_and_item() {
        let (op, p) = find("POST", "/v1/regions/cn-north-1/customerGateways/").unwrap();
        assert_eq!(op, Op::CreateCustomerGateway);
        assert_eq!(p.get("regionId"), "cn-north-1");
        let (op, p) = find("PUT", "/v1/regions/r/customerGateways/cgw-1").unwrap();
        assert_eq!(op, Op::ModifyCustomerGateway);
        assert_eq!(p.get("customerGatewayId"), "cgw-1");
        // Trailing slash is significant; methods must match.
        assert!(find("POST", "/v1/regions/r/customerGateways").is_none());
        assert!(find("POST", "/v1/regions/r/customerGateways/cgw-1").is_none());
        assert!(find("GET", "/v1/regions//customerGateways/").is_none());
    }

    #[test]
    fn suffix_segments_and_decoding() {
        let segs: Vec<String> = "/v1/t-1:adminStatus"
            .split('/')
            .map(str::to_owned)
            .collect();
        let p = match_template("/v1/{vpnTunnelId}:adminStatus", &segs).unwrap();
        assert_eq!(p.get("vpnTunnelId"), "t-1");
        assert!(match_template(
            "/v1/{vpnTunnelId}:adminStatus",
            &["".into(), "v1".into(), ":adminStatus".into()]
        )
        .is_none());
        let (_, p) = find("GET", "/v1/regions/cn%2Dnorth-1/customerGateways/cgw%3Ax").unwrap();
        assert_eq!(p.get("regionId"), "cn-north-1");
        assert_eq!(p.get("customerGatewayId"), "cgw:x");
    }

    #[test]
    fn every_op_is_routed() {
        for op in [
            Op::CreateCustomerGateway,
            Op::DescribeCustomerGateways,
            Op::DescribeCustomerGateway,
            Op::ModifyCustomerGateway,
            Op::DeleteCustomerGateway,
        ] {
            assert!(
                ROUTES.iter().any(|r| r.op == op),
                "{} has no route",
                op.name()
            );
        }
    }
}
