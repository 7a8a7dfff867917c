//! Every JD Cloud operation the sandbox serves, in ONE table.
//!
//! Only two `bgw` operations are published (docs/design/jdcloud.md §3); every path below except
//! `modifyAdminStatus` is INFERRED from JD Cloud's generator conventions (§8.1): collections end
//! with `/`, items are `/{collection}/{id}`, modify is PATCH (PUT also accepted, in case it is
//! PUT). Correct them here.

use percent_encoding::percent_decode_str;

/// A JD Cloud operation. `name()` is the operation id used in logs, the
/// `x-jdcloud-operationid` header and `/_sandbox/requests` (ChangeLog spelling where it has one:
/// the route operations are `createBgwRoutes` etc.; `createBgw`/`modifyBgw`/`deleteBgw` and
/// `describeBgwRoute` are our own, docs/design/jdcloud.md §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    CreateBgw,
    DescribeBgws,
    DescribeBgw,
    ModifyBgw,
    DeleteBgw,
    CreateVpcAttachment,
    DescribeVpcAttachments,
    DescribeVpcAttachment,
    ModifyVpcAttachment,
    DeleteVpcAttachment,
    CreateCustomerGateway,
    DescribeCustomerGateways,
    DescribeCustomerGateway,
    ModifyCustomerGateway,
    DeleteCustomerGateway,
    CreateVpnConnection,
    DescribeVpnConnections,
    DescribeVpnConnection,
    ModifyVpnConnection,
    DeleteVpnConnection,
    CreateVpnTunnel,
    DescribeVpnTunnels,
    DescribeVpnTunnel,
    ModifyVpnTunnel,
    DeleteVpnTunnel,
    ModifyAdminStatus,
    CreateBgwRoute,
    DescribeBgwRoutes,
    DescribeBgwRoute,
    ModifyBgwRoute,
    DeleteBgwRoute,
}

impl Op {
    /// Every operation, for tests and documentation.
    #[cfg(test)]
    pub(super) const ALL: &'static [Op] = &[
        Op::CreateBgw,
        Op::DescribeBgws,
        Op::DescribeBgw,
        Op::ModifyBgw,
        Op::DeleteBgw,
        Op::CreateVpcAttachment,
        Op::DescribeVpcAttachments,
        Op::DescribeVpcAttachment,
        Op::ModifyVpcAttachment,
        Op::DeleteVpcAttachment,
        Op::CreateCustomerGateway,
        Op::DescribeCustomerGateways,
        Op::DescribeCustomerGateway,
        Op::ModifyCustomerGateway,
        Op::DeleteCustomerGateway,
        Op::CreateVpnConnection,
        Op::DescribeVpnConnections,
        Op::DescribeVpnConnection,
        Op::ModifyVpnConnection,
        Op::DeleteVpnConnection,
        Op::CreateVpnTunnel,
        Op::DescribeVpnTunnels,
        Op::DescribeVpnTunnel,
        Op::ModifyVpnTunnel,
        Op::DeleteVpnTunnel,
        Op::ModifyAdminStatus,
        Op::CreateBgwRoute,
        Op::DescribeBgwRoutes,
        Op::DescribeBgwRoute,
        Op::ModifyBgwRoute,
        Op::DeleteBgwRoute,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Op::CreateBgw => "createBgw",
            Op::DescribeBgws => "describeBgws",
            Op::DescribeBgw => "describeBgw",
            Op::ModifyBgw => "modifyBgw",
            Op::DeleteBgw => "deleteBgw",
            Op::CreateVpcAttachment => "createVpcAttachment",
            Op::DescribeVpcAttachments => "describeVpcAttachments",
            Op::DescribeVpcAttachment => "describeVpcAttachment",
            Op::ModifyVpcAttachment => "modifyVpcAttachment",
            Op::DeleteVpcAttachment => "deleteVpcAttachment",
            Op::CreateCustomerGateway => "createCustomerGateway",
            Op::DescribeCustomerGateways => "describeCustomerGateways",
            Op::DescribeCustomerGateway => "describeCustomerGateway",
            Op::ModifyCustomerGateway => "modifyCustomerGateway",
            Op::DeleteCustomerGateway => "deleteCustomerGateway",
            Op::CreateVpnConnection => "createVpnConnection",
            Op::DescribeVpnConnections => "describeVpnConnections",
            Op::DescribeVpnConnection => "describeVpnConnection",
            Op::ModifyVpnConnection => "modifyVpnConnection",
            Op::DeleteVpnConnection => "deleteVpnConnection",
            Op::CreateVpnTunnel => "createVpnTunnel",
            Op::DescribeVpnTunnels => "describeVpnTunnels",
            Op::DescribeVpnTunnel => "describeVpnTunnel",
            Op::ModifyVpnTunnel => "modifyVpnTunnel",
            Op::DeleteVpnTunnel => "deleteVpnTunnel",
            Op::ModifyAdminStatus => "modifyAdminStatus",
            Op::CreateBgwRoute => "createBgwRoutes",
            Op::DescribeBgwRoutes => "describeBgwRoutes",
            Op::DescribeBgwRoute => "describeBgwRoute",
            Op::ModifyBgwRoute => "modifyBgwRoutes",
            Op::DeleteBgwRoute => "deleteBgwRoutes",
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
    // Border gateways (docs/design/jdcloud.md §4.1).
    route("POST", "/v1/regions/{regionId}/bgws/", Op::CreateBgw),
    route("GET", "/v1/regions/{regionId}/bgws/", Op::DescribeBgws),
    route(
        "GET",
        "/v1/regions/{regionId}/bgws/{bgwId}",
        Op::DescribeBgw,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/bgws/{bgwId}",
        Op::ModifyBgw,
    ),
    route("PUT", "/v1/regions/{regionId}/bgws/{bgwId}", Op::ModifyBgw),
    route(
        "DELETE",
        "/v1/regions/{regionId}/bgws/{bgwId}",
        Op::DeleteBgw,
    ),
    // VPC attachments (§4.2).
    route(
        "POST",
        "/v1/regions/{regionId}/vpcAttachments/",
        Op::CreateVpcAttachment,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpcAttachments/",
        Op::DescribeVpcAttachments,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpcAttachments/{vpcAttachmentId}",
        Op::DescribeVpcAttachment,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/vpcAttachments/{vpcAttachmentId}",
        Op::ModifyVpcAttachment,
    ),
    route(
        "PUT",
        "/v1/regions/{regionId}/vpcAttachments/{vpcAttachmentId}",
        Op::ModifyVpcAttachment,
    ),
    route(
        "DELETE",
        "/v1/regions/{regionId}/vpcAttachments/{vpcAttachmentId}",
        Op::DeleteVpcAttachment,
    ),
    // Customer gateways (§4.3).
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
    // VPN connections (§4.4).
    route(
        "POST",
        "/v1/regions/{regionId}/vpnConnections/",
        Op::CreateVpnConnection,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpnConnections/",
        Op::DescribeVpnConnections,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpnConnections/{vpnConnectionId}",
        Op::DescribeVpnConnection,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/vpnConnections/{vpnConnectionId}",
        Op::ModifyVpnConnection,
    ),
    route(
        "PUT",
        "/v1/regions/{regionId}/vpnConnections/{vpnConnectionId}",
        Op::ModifyVpnConnection,
    ),
    route(
        "DELETE",
        "/v1/regions/{regionId}/vpnConnections/{vpnConnectionId}",
        Op::DeleteVpnConnection,
    ),
    // VPN tunnels (§4.5); `modifyAdminStatus` confirms the collection name.
    route(
        "POST",
        "/v1/regions/{regionId}/vpnTunnels/",
        Op::CreateVpnTunnel,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpnTunnels/",
        Op::DescribeVpnTunnels,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}",
        Op::DescribeVpnTunnel,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}",
        Op::ModifyVpnTunnel,
    ),
    route(
        "PUT",
        "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}",
        Op::ModifyVpnTunnel,
    ),
    route(
        "DELETE",
        "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}",
        Op::DeleteVpnTunnel,
    ),
    // VERIFIED (Go `services/bgw/apis/ModifyAdminStatus.go`). Matched on the decoded segment, so
    // both a raw `:` and `%3A` arrive here.
    route(
        "POST",
        "/v1/regions/{regionId}/vpnTunnels/{vpnTunnelId}:adminStatus",
        Op::ModifyAdminStatus,
    ),
    // Border-gateway static routes (§4.6): the least certain paths (nested under the
    // gateway; the other candidate is custom actions such as `…/bgws/{bgwId}:createBgwRoutes`).
    route(
        "POST",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/",
        Op::CreateBgwRoute,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/",
        Op::DescribeBgwRoutes,
    ),
    route(
        "GET",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/{bgwRouteId}",
        Op::DescribeBgwRoute,
    ),
    route(
        "PATCH",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/{bgwRouteId}",
        Op::ModifyBgwRoute,
    ),
    route(
        "PUT",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/{bgwRouteId}",
        Op::ModifyBgwRoute,
    ),
    route(
        "DELETE",
        "/v1/regions/{regionId}/bgws/{bgwId}/bgwRoutes/{bgwRouteId}",
        Op::DeleteBgwRoute,
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
        for op in Op::ALL {
            assert!(
                ROUTES.iter().any(|r| r.op == *op),
                "{} has no route",
                op.name()
            );
        }
        // No two rows claim the same method and template.
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[..i] {
                assert!(
                    a.method != b.method || a.template != b.template,
                    "{} {}",
                    a.method,
                    a.template
                );
            }
        }
    }

    #[test]
    fn admin_status_and_nested_routes() {
        for path in [
            "/v1/regions/r/vpnTunnels/vpnt-1:adminStatus",
            "/v1/regions/r/vpnTunnels/vpnt-1%3AadminStatus",
            "/v1/regions/r/vpnTunnels/vpnt-1%3aadminStatus",
        ] {
            let (op, p) = find("POST", path).unwrap();
            assert_eq!(op, Op::ModifyAdminStatus, "{path}");
            assert_eq!(p.get("vpnTunnelId"), "vpnt-1");
        }
        assert!(find("POST", "/v1/regions/r/vpnTunnels/vpnt-1:other").is_none());
        assert_eq!(
            find("POST", "/v1/regions/r/vpnTunnels/").unwrap().0,
            Op::CreateVpnTunnel
        );
        let (op, p) = find("DELETE", "/v1/regions/r/bgws/bgw-1/bgwRoutes/bgwr-2").unwrap();
        assert_eq!(op, Op::DeleteBgwRoute);
        assert_eq!((p.get("bgwId"), p.get("bgwRouteId")), ("bgw-1", "bgwr-2"));
        assert_eq!(
            find("GET", "/v1/regions/r/bgws/bgw-1/bgwRoutes/")
                .unwrap()
                .0,
            Op::DescribeBgwRoutes
        );
        assert_eq!(
            find("GET", "/v1/regions/r/bgws/bgw-1").unwrap().0,
            Op::DescribeBgw
        );
    }
}
