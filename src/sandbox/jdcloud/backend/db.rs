//! [`Db`]: the sandbox's transaction-and-time ([`crate::sandbox::db::Db`]) in JD Cloud's error
//! type, with the lookups and the derived fields the resources share, so that no resource file
//! needs another.

use std::ops::Deref;

use time::OffsetDateTime;

use super::model::{
    ids, Bgw, BgwRoute, Object, Quota, VpcAttachment, VpnConnection, VpnTunnel, HA_NO_REDUNDANCY,
    HA_REDUNDANCY, STATUS_UP,
};
use crate::sandbox::jdcloud::error::{JdError, Status};
use crate::sandbox::store::Tx;

/// A transaction and its time, answering JD Cloud errors, in the request's region: every JD
/// Cloud operation acts in the one region its path names, and objects reference each other only
/// within it, so the lookups take no region.
pub(crate) struct Db<'a> {
    base: crate::sandbox::db::Db<'a, JdError>,
    region: &'a str,
}

impl<'a> Deref for Db<'a> {
    type Target = crate::sandbox::db::Db<'a, JdError>;
    fn deref(&self) -> &Self::Target {
        &self.base
    }
}

impl<'a> Db<'a> {
    pub(crate) fn new(tx: &'a Tx<'a>, now: OffsetDateTime, region: &'a str) -> Self {
        let base = crate::sandbox::db::Db::new(tx, now);
        Self { base, region }
    }

    /// The same transaction with quotas enforced or not (`--no-quotas`).
    pub(crate) fn with_quotas(self, quotas: bool) -> Self {
        Self {
            base: self.base.with_quotas(quotas),
            ..self
        }
    }

    /// The request's region.
    pub(crate) fn region(&self) -> &'a str {
        self.region
    }

    /// The `T` with this id in the request's region; otherwise 404 `"<What> '<id>' not found."`.
    pub(crate) fn get<T: Object>(&self, id: &str) -> Result<T, JdError> {
        self.find_in(T::KIND, self.region, id)?
            .ok_or_else(|| JdError::not_found(format!("{} '{id}' not found.", T::WHAT)))
    }

    /// Every `T` in the request's region, oldest first.
    pub(crate) fn all<T: Object>(&self) -> Result<Vec<T>, JdError> {
        self.list(T::KIND, self.region)
    }

    /// The `T`s in the request's region that `keep` selects (the children of one parent), oldest first.
    pub(crate) fn all_where<T: Object>(
        &self,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, JdError> {
        let mut all = self.all()?;
        all.retain(keep);
        Ok(all)
    }

    /// Refuses to delete `object` while any `C` of the region `uses` it: the refusal names them
    /// (`why` gets their ids, comma-separated).
    pub(crate) fn check_unused<T: Object, C: Object>(
        &self,
        object: &T,
        uses: impl Fn(&C) -> bool,
        why: impl FnOnce(String) -> String,
    ) -> Result<(), JdError> {
        let users = self.all_where(uses)?;
        if users.is_empty() {
            return Ok(());
        }
        Err(undeletable(object, why(ids(&users))))
    }

    /// The ids of [`Db::all_where`]'s answer.
    pub(crate) fn child_ids<T: Object>(
        &self,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<String>, JdError> {
        let children = self.all_where(keep)?;
        Ok(children.iter().map(|c| c.id().to_owned()).collect())
    }

    /// Stores a new `T`.
    pub(crate) fn add<T: Object>(&self, object: &T) -> Result<(), JdError> {
        self.insert(T::KIND, self.region, object.id(), object)
    }

    /// Stores a changed `T`.
    pub(crate) fn save<T: Object>(&self, object: &T) -> Result<(), JdError> {
        self.update(T::KIND, object.id(), object)
    }

    /// Removes a stored `T`.
    pub(crate) fn remove<T: Object>(&self, object: &T) -> Result<(), JdError> {
        self.delete(T::KIND, object.id())
    }

    /// A modify of the `T` with this id in the request's region: `change` is applied (refusing what may not
    /// change), and the object saved with its update time only if something changed.
    pub(crate) fn modify<C: Change>(&self, id: &str, change: C) -> Result<(), JdError> {
        let mut object = self.get::<C::Target>(id)?;
        if change.apply(self, &mut object)? {
            object.touch(self.timestamp());
            self.save(&object)?;
        }
        Ok(())
    }

    /// Refuses a create once the region fills `T`'s quota (a kind counted per region).
    pub(crate) fn check_quota<T: Object>(&self) -> Result<(), JdError> {
        self.check_count::<T>(self.count(T::KIND, self.region)?)
    }

    /// Refuses a create when `count` `T`s (of the region, or of one border gateway, as `T`'s
    /// quota counts) already fill the quota, unless quotas are off: 400 `QUOTA_EXCEEDED`,
    /// `"<What> quota limit exceeded (<limit> <per>)."`.
    pub(crate) fn check_count<T: Object>(&self, count: usize) -> Result<(), JdError> {
        let Some(Quota { limit, per }) = T::QUOTA else {
            return Ok(());
        };
        if count < limit || !self.quotas() {
            return Ok(());
        }
        Err(JdError::quota_exceeded(format!(
            "{} quota limit exceeded ({limit} {per}).",
            T::WHAT
        )))
    }

    /// Recomputes the child id lists of gateway `bgw_id` from the stored children; every child
    /// create and delete calls it in the same transaction.
    pub(crate) fn refresh_children(&self, bgw_id: &str) -> Result<(), JdError> {
        let mut bgw = self.get::<Bgw>(bgw_id)?;
        let attachments = self.child_ids(|a: &VpcAttachment| a.bgw_id == bgw_id)?;
        let connections = self.child_ids(|c: &VpnConnection| c.bgw_id == bgw_id)?;
        if attachments != bgw.vpc_attachment_ids || connections != bgw.vpn_connection_ids {
            bgw.vpc_attachment_ids = attachments;
            bgw.vpn_connection_ids = connections;
            self.save(&bgw)?;
        }
        Ok(())
    }

    /// Recomputes `haStatus` of connection `id` from its tunnels: `redundancy` iff each of the
    /// two cloud addresses has at least one tunnel whose `opStatus` is `UP`
    /// (docs/design/jdcloud.md §4.4). Every tunnel change calls it.
    pub(crate) fn refresh_ha_status(&self, id: &str) -> Result<(), JdError> {
        let mut connection = self.get::<VpnConnection>(id)?;
        let tunnels = self.all_where(|t: &VpnTunnel| t.vpn_connection_id == id)?;
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
            self.save(&connection)?;
        }
        Ok(())
    }

    /// Refuses to delete `nexthop` while a static route of `bgw_id` points at it (INFERRED,
    /// docs/design/jdcloud.md §8.11).
    pub(crate) fn check_not_nexthop<T: Object>(
        &self,
        bgw_id: &str,
        nexthop: &T,
    ) -> Result<(), JdError> {
        let nexthop_id = nexthop.id();
        let routes =
            self.all_where(|r: &BgwRoute| r.bgw_id == bgw_id && r.bgw_route_nexthop == nexthop_id)?;
        if routes.is_empty() {
            Ok(())
        } else {
            Err(undeletable(
                nexthop,
                format_args!("static routes {} use it as next hop", ids(&routes)),
            ))
        }
    }
}

/// What a modify request asks of one kind: applied to the stored object, it refuses what may
/// not change and says whether anything did.
pub(crate) trait Change {
    type Target: Object;
    fn apply(self, db: &Db<'_>, target: &mut Self::Target) -> Result<bool, JdError>;
}

/// Refuses to delete `object`: `"<What> '<id>' cannot be deleted while <why>"`.
pub(crate) fn undeletable<T: Object>(object: &T, why: impl std::fmt::Display) -> JdError {
    JdError::failed_precondition(format!(
        "{} '{}' cannot be deleted while {why}",
        T::WHAT,
        object.id()
    ))
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
