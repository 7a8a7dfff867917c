//! [`Db`]: the sandbox's transaction-and-time ([`crate::sandbox::db::Db`]) in Alibaba Cloud's
//! error type, with the lookups several resources share, so that no resource file needs
//! another.

use super::model::{
    CustomerGateway, Link, Stored, TrVpnAttachment, VcoRoute, VpnConnection, ASSOCIATIONS,
    CUSTOMER_GATEWAYS, PROPAGATIONS, TR_ATTACHMENTS, VCO_ROUTES, VPN_CONNECTIONS,
};
use crate::sandbox::alicloud::error::{codes, AliError};

/// A transaction and its time, answering Alibaba Cloud errors.
pub(crate) type Db<'a> = crate::sandbox::db::Db<'a, AliError>;

/// Every user-created object, oldest first (`/_sandbox/state`).
pub(crate) struct Snapshot {
    pub gateways: Vec<CustomerGateway>,
    pub connections: Vec<VpnConnection>,
    pub routes: Vec<VcoRoute>,
    pub attachments: Vec<TrVpnAttachment>,
    pub associations: Vec<Link>,
    pub propagations: Vec<Link>,
}

impl Db<'_> {
    /// Stores a new object in its region.
    pub(crate) fn add<T: Stored>(&self, object: &T) -> Result<(), AliError> {
        self.insert(T::KIND, object.region(), object.id(), object)
    }

    /// Stores a changed object.
    pub(crate) fn save<T: Stored>(&self, object: &T) -> Result<(), AliError> {
        self.update(T::KIND, object.id(), object)
    }

    /// Removes an object.
    pub(crate) fn remove<T: Stored>(&self, object: &T) -> Result<(), AliError> {
        self.delete(T::KIND, object.id())
    }

    /// The gateway `id` in `region`; otherwise 404 `InvalidCustomerGatewayInstanceId.NotFound`.
    pub(crate) fn customer_gateway(
        &self,
        region: &str,
        id: &str,
    ) -> Result<CustomerGateway, AliError> {
        self.find_in(CUSTOMER_GATEWAYS, region, id)?
            .ok_or_else(|| AliError::cgw_not_found(id))
    }

    /// The connection `id` in `region`; otherwise 404 `InvalidVpnConnectionInstanceId.NotFound`.
    pub(crate) fn connection(&self, region: &str, id: &str) -> Result<VpnConnection, AliError> {
        self.find_in(VPN_CONNECTIONS, region, id)?
            .ok_or_else(|| AliError::vco_not_found(id))
    }

    /// The connection `id` in whatever region (Cbn calls carry no Vpc region).
    pub(crate) fn find_connection(&self, id: &str) -> Result<Option<VpnConnection>, AliError> {
        self.find(VPN_CONNECTIONS, id)
    }

    /// Ids of the connections with a tunnel on customer gateway `cgw`.
    pub(crate) fn connections_using_customer_gateway(
        &self,
        region: &str,
        cgw: &str,
    ) -> Result<Vec<String>, AliError> {
        Ok(self
            .list::<VpnConnection>(VPN_CONNECTIONS, region)?
            .into_iter()
            .filter(|c| c.tunnels.iter().any(|t| t.customer_gateway_id == cgw))
            .map(|c| c.vpn_connection_id)
            .collect())
    }

    /// The attachment `id`; otherwise 404.
    pub(crate) fn attachment(&self, id: &str) -> Result<TrVpnAttachment, AliError> {
        self.find::<TrVpnAttachment>(TR_ATTACHMENTS, id)?
            .ok_or_else(|| {
                AliError::not_found(
                    codes::TR_ATTACHMENT_NOT_FOUND,
                    format!("The specified TransitRouterAttachmentId {id} does not exist."),
                )
            })
    }

    /// Every association and propagation of an attachment.
    pub(crate) fn links_of(&self, attachment: &str) -> Result<Vec<Link>, AliError> {
        let mut out = Vec::new();
        for kind in [ASSOCIATIONS, PROPAGATIONS] {
            out.extend(
                self.list_all::<Link>(kind)?
                    .into_iter()
                    .filter(|l| l.transit_router_attachment_id == attachment),
            );
        }
        Ok(out)
    }

    pub(crate) fn save_link(&self, link: &Link) -> Result<(), AliError> {
        let (kind, id) = link.key();
        self.update(kind, &id, link)
    }

    /// Removes a link at once (forced attachment delete, or a finished removal).
    pub(crate) fn remove_link(&self, link: &Link) -> Result<(), AliError> {
        let (kind, id) = link.key();
        self.delete(kind, &id)
    }

    /// Every route of a connection, pending ones included, oldest first.
    pub(crate) fn routes_of(&self, c: &VpnConnection) -> Result<Vec<VcoRoute>, AliError> {
        Ok(self
            .list::<VcoRoute>(VCO_ROUTES, &c.region_id)?
            .into_iter()
            .filter(|r| r.vpn_connection_id == c.vpn_connection_id)
            .collect())
    }

    /// Deletes every route of connection `vco` at once (the connection is being deleted).
    pub(crate) fn remove_routes_of(&self, vco: &str) -> Result<(), AliError> {
        for r in self.list_all::<VcoRoute>(VCO_ROUTES)? {
            if r.vpn_connection_id == vco {
                self.delete(VCO_ROUTES, &r.key())?;
            }
        }
        Ok(())
    }

    /// Every user-created object.
    pub(crate) fn snapshot(&self) -> Result<Snapshot, AliError> {
        Ok(Snapshot {
            gateways: self.list_all(CUSTOMER_GATEWAYS)?,
            connections: self.list_all(VPN_CONNECTIONS)?,
            routes: self.list_all(VCO_ROUTES)?,
            attachments: self.list_all(TR_ATTACHMENTS)?,
            associations: self.list_all(ASSOCIATIONS)?,
            propagations: self.list_all(PROPAGATIONS)?,
        })
    }
}
