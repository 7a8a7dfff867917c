//! VPC attachments (VPC接口, docs/design/jdcloud.md §4.2): one per (border gateway, VPC), quota,
//! the subnets they propagate, and the routes that block a delete.
//!
//! The sandbox does not emulate the `vpc` service: every well-formed VPC and subnet id is taken
//! to exist, and `propagateCidrInfos` is fabricated deterministically from the ids (see
//! [`subnet_cidr`]).
//!
//! INFERRED here (docs/design/jdcloud.md §8.10, §8.11, §8.15): the status of the one-per-(bgw,
//! vpc) rule (`FAILED_PRECONDITION`, might be 409); refusing a delete while a static route
//! points at it.

use sha2::{Digest, Sha256};

use super::db::{unchanged, Change, Db};
use super::model::{
    Bgw, PropagateCidrInfo, VpcAttachment, PROPAGATE_ALL, PROPAGATE_PARTIAL, VPC_ATTACHMENTS,
};
use crate::sandbox::change::{inputs, set};
use crate::sandbox::jdcloud::error::JdError;

/// "创建vpc接口的状态:active" — the only documented value.
const STATUS_ACTIVE: &str = "active";
/// How many subnets a fabricated VPC has (what `all` propagates).
const FABRICATED_SUBNETS_PER_VPC: u32 = 2;

/// `vpcId` + `propagateType` + `subnetIds`, already checked (subnets only with `partial`).
pub(crate) struct Propagation {
    pub vpc_id: String,
    pub propagate_type: String,
    pub subnet_ids: Vec<String>,
}

impl Propagation {
    fn cidr_infos(&self) -> Vec<PropagateCidrInfo> {
        let subnets: Vec<String> = match self.propagate_type.as_str() {
            PROPAGATE_ALL => (1..=FABRICATED_SUBNETS_PER_VPC)
                .map(|n| fabricated_subnet_id(&self.vpc_id, n))
                .collect(),
            PROPAGATE_PARTIAL => self.subnet_ids.clone(),
            _ => Vec::new(),
        };
        subnets
            .into_iter()
            .map(|subnet_id| PropagateCidrInfo {
                subnet_cidr: subnet_cidr(&subnet_id),
                subnet_id,
            })
            .collect()
    }
}

/// The `n`th subnet of a VPC the sandbox pretends exists: `subnet-<8 hex of sha256(vpc#n)>`.
fn fabricated_subnet_id(vpc_id: &str, n: u32) -> String {
    let digest = Sha256::digest(format!("{vpc_id}#{n}").as_bytes());
    format!("subnet-{}", hex::encode(&digest[..4]))
}

/// A stable `10.x.y.0/24` for a subnet id, from its hash.
fn subnet_cidr(subnet_id: &str) -> String {
    let digest = Sha256::digest(subnet_id.as_bytes());
    format!("10.{}.{}.0/24", digest[0], digest[1])
}

inputs! {
    /// A create, its fields already checked.
    NewVpcAttachment /
    /// A modify: the name and/or the whole propagation ("全量更新"); "modification for Border
    /// Gateway of VPC Attachment is not supported", so `bgw_id` may only be resent.
    VpcAttachmentChange {
        name: String,
        bgw_id: String,
        propagation: Propagation,
    }
}

pub(crate) fn create(db: &Db<'_>, new: NewVpcAttachment) -> Result<VpcAttachment, JdError> {
    db.get::<Bgw>(&new.bgw_id)?;
    let siblings = db.all_where(|a: &VpcAttachment| a.bgw_id == new.bgw_id)?;
    check_unique(&siblings, &new.bgw_id, &new.propagation.vpc_id, None)?;
    db.check_count::<VpcAttachment>(siblings.len())?;
    let attachment = VpcAttachment {
        vpc_attachment_id: db.new_id(VPC_ATTACHMENTS)?,
        vpc_attachment_name: new.name,
        bgw_id: new.bgw_id,
        propagate_cidr_infos: new.propagation.cidr_infos(),
        vpc_id: new.propagation.vpc_id,
        propagate_type: new.propagation.propagate_type,
        status: STATUS_ACTIVE.to_owned(),
        created_time: db.timestamp(),
    };
    db.add(&attachment)?;
    db.refresh_children(&attachment.bgw_id)?;
    Ok(attachment)
}

impl Change for VpcAttachmentChange {
    type Target = VpcAttachment;
    fn apply(self, db: &Db<'_>, attachment: &mut VpcAttachment) -> Result<bool, JdError> {
        unchanged("bgwId", &attachment.bgw_id, self.bgw_id.as_ref())?;
        let mut changed = set(&mut attachment.vpc_attachment_name, self.name);
        if let Some(propagation) = self.propagation {
            let siblings = db.all_where(|a: &VpcAttachment| a.bgw_id == attachment.bgw_id)?;
            check_unique(
                &siblings,
                &attachment.bgw_id,
                &propagation.vpc_id,
                Some(&attachment.vpc_attachment_id),
            )?;
            let infos = propagation.cidr_infos();
            changed |= set(&mut attachment.vpc_id, Some(propagation.vpc_id))
                | set(
                    &mut attachment.propagate_type,
                    Some(propagation.propagate_type),
                )
                | set(&mut attachment.propagate_cidr_infos, Some(infos));
        }
        Ok(changed)
    }
}

pub(crate) fn delete(db: &Db<'_>, id: &str) -> Result<(), JdError> {
    let attachment = db.get::<VpcAttachment>(id)?;
    db.check_not_nexthop(&attachment.bgw_id, &attachment)?;
    db.remove(&attachment)?;
    db.refresh_children(&attachment.bgw_id)
}

/// "Number of VPC Attachments creatable between the same pair of VPC and Border Gateway: 1".
fn check_unique(
    siblings: &[VpcAttachment],
    bgw_id: &str,
    vpc_id: &str,
    except: Option<&str>,
) -> Result<(), JdError> {
    match siblings
        .iter()
        .find(|a| a.vpc_id == vpc_id && Some(a.vpc_attachment_id.as_str()) != except)
    {
        Some(other) => Err(JdError::failed_precondition(format!(
            "VPC '{vpc_id}' is already attached to Bgw '{bgw_id}' by VpcAttachment '{}'",
            other.vpc_attachment_id
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabricated_subnets_are_stable() {
        let a = fabricated_subnet_id("vpc-abcd", 1);
        assert_eq!(a, fabricated_subnet_id("vpc-abcd", 1));
        assert_ne!(a, fabricated_subnet_id("vpc-abcd", 2));
        let hex = a.strip_prefix("subnet-").unwrap();
        assert!(
            hex.len() == 8
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{a}"
        );
        let cidr = subnet_cidr(&a);
        assert_eq!(cidr, subnet_cidr(&a));
        let net: ipnet::Ipv4Net = cidr.parse().unwrap();
        assert_eq!(net.trunc().to_string(), cidr);
        assert!(cidr.starts_with("10.") && cidr.ends_with(".0/24"), "{cidr}");
    }
}
