//! [`Db`]: the sandbox's transaction-and-time ([`crate::sandbox::db::Db`]) in JD Cloud's error
//! type, with the lookups and the derived fields the resources share, so that no resource file
//! needs another.

use serde::de::DeserializeOwned;

use super::model::{
    Bgw, BgwRoute, CustomerGateway, VpcAttachment, VpnConnection, VpnTunnel, BGWS, BGW_ROUTES,
    CUSTOMER_GATEWAYS, HA_NO_REDUNDANCY, HA_REDUNDANCY, STATUS_UP, VPC_ATTACHMENTS,
    VPN_CONNECTIONS, VPN_TUNNELS,
};
use crate::sandbox::jdcloud::error::{JdError, Status};
use crate::sandbox::store::Kind;

/// A transaction and its time, answering JD Cloud errors.
pub(crate) type Db<'a> = crate::sandbox::db::Db<'a, JdError>;

impl Db<'_> {
    /// The object of `kind` with this id in `region`; otherwise 404 `"<what> '<id>' not found."`.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        region: &str,
        id: &str,
        what: &str,
    ) -> Result<T, JdError> {
        self.find_in(kind, region, id)?
            .ok_or_else(|| JdError::not_found(format!("{what} '{id}' not found.")))
    }

    pub(crate) fn bgw(&self, region: &str, id: &str) -> Result<Bgw, JdError> {
        self.get(BGWS, region, id, "Bgw")
    }

    pub(crate) fn customer_gateway(
        &self,
        region: &str,
        id: &str,
    ) -> Result<CustomerGateway, JdError> {
        self.get(CUSTOMER_GATEWAYS, region, id, "CustomerGateway")
    }

    pub(crate) fn attachment(&self, region: &str, id: &str) -> Result<VpcAttachment, JdError> {
        self.get(VPC_ATTACHMENTS, region, id, "VpcAttachment")
    }

    pub(crate) fn connection(&self, region: &str, id: &str) -> Result<VpnConnection, JdError> {
        self.get(VPN_CONNECTIONS, region, id, "VpnConnection")
    }

    pub(crate) fn tunnel(&self, region: &str, id: &str) -> Result<VpnTunnel, JdError> {
        self.get(VPN_TUNNELS, region, id, "VpnTunnel")
    }

    /// The attachments of one border gateway, oldest first.
    pub(crate) fn attachments_of_bgw(
        &self,
        region: &str,
        bgw_id: &str,
    ) -> Result<Vec<VpcAttachment>, JdError> {
        let all: Vec<VpcAttachment> = self.list(VPC_ATTACHMENTS, region)?;
        Ok(all.into_iter().filter(|a| a.bgw_id == bgw_id).collect())
    }

    /// The connections of one border gateway, oldest first.
    pub(crate) fn connections_of_bgw(
        &self,
        region: &str,
        bgw_id: &str,
    ) -> Result<Vec<VpnConnection>, JdError> {
        let all: Vec<VpnConnection> = self.list(VPN_CONNECTIONS, region)?;
        Ok(all.into_iter().filter(|c| c.bgw_id == bgw_id).collect())
    }

    /// The connections using one customer gateway, oldest first.
    pub(crate) fn connections_of_customer_gateway(
        &self,
        region: &str,
        cgw_id: &str,
    ) -> Result<Vec<VpnConnection>, JdError> {
        let all: Vec<VpnConnection> = self.list(VPN_CONNECTIONS, region)?;
        Ok(all.into_iter().filter(|c| c.cgw_id == cgw_id).collect())
    }

    /// The tunnels of one connection, oldest first.
    pub(crate) fn tunnels_of_connection(
        &self,
        region: &str,
        connection_id: &str,
    ) -> Result<Vec<VpnTunnel>, JdError> {
        let all: Vec<VpnTunnel> = self.list(VPN_TUNNELS, region)?;
        Ok(all
            .into_iter()
            .filter(|t| t.vpn_connection_id == connection_id)
            .collect())
    }

    /// The static routes of one border gateway, oldest first.
    pub(crate) fn routes_of_bgw(
        &self,
        region: &str,
        bgw_id: &str,
    ) -> Result<Vec<BgwRoute>, JdError> {
        let all: Vec<BgwRoute> = self.list(BGW_ROUTES, region)?;
        Ok(all.into_iter().filter(|r| r.bgw_id == bgw_id).collect())
    }

    /// Recomputes the child id lists of gateway `bgw_id` from the stored children; every child
    /// create and delete calls it in the same transaction.
    pub(crate) fn refresh_children(&self, region: &str, bgw_id: &str) -> Result<(), JdError> {
        let mut bgw = self.bgw(region, bgw_id)?;
        let attachments: Vec<String> = self
            .attachments_of_bgw(region, bgw_id)?
            .into_iter()
            .map(|a| a.vpc_attachment_id)
            .collect();
        let connections: Vec<String> = self
            .connections_of_bgw(region, bgw_id)?
            .into_iter()
            .map(|c| c.vpn_connection_id)
            .collect();
        if attachments != bgw.vpc_attachment_ids || connections != bgw.vpn_connection_ids {
            bgw.vpc_attachment_ids = attachments;
            bgw.vpn_connection_ids = connections;
            self.update(BGWS, bgw_id, &bgw)?;
        }
        Ok(())
    }

    /// Recomputes `haStatus` of connection `id` from its tunnels: `redundancy` iff each of the
    /// two cloud addresses has at least one tunnel whose `opStatus` is `UP`
    /// (docs/design/jdcloud.md §4.4). Every tunnel change calls it.
    pub(crate) fn refresh_ha_status(&self, region: &str, id: &str) -> Result<(), JdError> {
        let mut connection = self.connection(region, id)?;
        let tunnels = self.tunnels_of_connection(region, id)?;
        let redundant = connection.cloud_public_ip.iter().all(|ip| {
            tunnels
                .iter()
                .any(|t| &t.cloud_public_ip == ip && t.op_status == STATUS_UP)
        });
        let ha_status = if redundant {
            HA_REDUNDANCY
        } else {
            HA_NO_REDUNDANCY
        };
        if connection.ha_status != ha_status {
            connection.ha_status = ha_status.to_owned();
            self.update(VPN_CONNECTIONS, id, &connection)?;
        }
        Ok(())
    }

    /// Refuses to delete `nexthop_id` (a `what`) while a static route of `bgw_id` points at it
    /// (INFERRED, docs/design/jdcloud.md §8.11).
    pub(crate) fn check_not_nexthop(
        &self,
        region: &str,
        bgw_id: &str,
        nexthop_id: &str,
        what: &str,
    ) -> Result<(), JdError> {
        let routes: Vec<String> = self
            .routes_of_bgw(region, bgw_id)?
            .into_iter()
            .filter(|r| r.bgw_route_nexthop == nexthop_id)
            .map(|r| r.bgw_route_id)
            .collect();
        if routes.is_empty() {
            Ok(())
        } else {
            Err(JdError::failed_precondition(format!(
                "{what} '{nexthop_id}' cannot be deleted while static routes {} use it as next hop",
                routes.join(", ")
            )))
        }
    }
}

/// A field a modify may resend but not change (not part of the modify spec; refusing a change
/// beats silently ignoring it).
pub(crate) fn unchanged<T: PartialEq + std::fmt::Debug>(
    field: &'static str,
    current: &T,
    requested: Option<&T>,
) -> Result<(), JdError> {
    match requested {
        Some(v) if v != current => Err(JdError::field(
            Status::InvalidArgument,
            field,
            format!("cannot be modified (is {current:?}, requested {v:?})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_fields() {
        assert!(unchanged("n", &5, Some(&5)).is_ok());
        assert!(unchanged("n", &5, None).is_ok());
        let e = unchanged("n", &5, Some(&6)).unwrap_err();
        assert_eq!(e.text(), "n cannot be modified (is 5, requested 6)");
        let e = unchanged("s", &"a".to_owned(), Some(&"b".to_owned())).unwrap_err();
        assert_eq!(e.text(), r#"s cannot be modified (is "a", requested "b")"#);
    }
}
