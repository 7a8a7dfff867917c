//! What every JD Cloud kind shares on the wire: the names of its path parameter, body wrappers
//! and results, its filter table, the create and describe answers built from them, the two
//! describe operations, and the request steps every create, modify and delete takes. A handler
//! file keeps only what its kind parses and checks.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::Object;
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::wire::{
    apply_filters, FilterField, ListParams, OpRequest, Query, Reply, Spec,
};

/// How one kind appears on the wire (INFERRED, docs/design/jdcloud.md §3.1, §3.2, §8.2–§8.4):
/// the field naming its id (the path parameter, and the id in a create's result), the body
/// wrappers of create and modify, the result field of one object and of a list, and the
/// filters a list accepts.
pub(super) struct Wire<T: 'static> {
    pub id: &'static str,
    pub create: &'static str,
    pub modify: &'static str,
    pub one: &'static str,
    pub many: &'static str,
    pub filters: &'static [FilterField<T>],
}

/// A kind's filter table: `"filterName" => field` rows, the filter matching the object's
/// string `field`.
macro_rules! filters {
    ($($name:literal => $field:ident),+ $(,)?) => {
        &[$(crate::sandbox::jdcloud::wire::FilterField {
            name: $name,
            value: |o| o.$field.as_str(),
        }),+]
    };
}
pub(super) use filters;

/// `wire! { "bgw", modify: "modifyBgwSpec", filters: ["bgwIds" => bgw_id, …] }`: a kind's [`Wire`]
/// from its object's name, by the API's naming rule: the id is `<one>Id`, the create wrapper
/// `<one>Spec`, the list `<one>s`. The modify wrapper is named in full: one kind departs from
/// `modify<One>Spec` (`vpnTunnelModifySpec`).
macro_rules! wire {
    ($one:literal, modify: $modify:literal, filters: [$($filter:tt)*] $(,)?) => {
        Wire {
            id: concat!($one, "Id"),
            create: concat!($one, "Spec"),
            modify: $modify,
            one: $one,
            many: concat!($one, "s"),
            filters: $crate::sandbox::jdcloud::handlers::kind::filters![$($filter)*],
        }
    };
}
pub(super) use wire;

/// A backend delete: (transaction, id).
pub(super) type Delete = fn(&Db<'_>, &str) -> Result<(), JdError>;

impl<T: Object> Wire<T> {
    /// A create's result: the id and the whole object, so clients expecting either find it.
    pub(super) fn created(&self, object: &T) -> Result<Reply, JdError> {
        result([(self.id, encode(object.id())?), (self.one, encode(object)?)])
    }

    /// A describe's result: the object.
    pub(super) fn described(&self, object: &T) -> Result<Reply, JdError> {
        result([(self.one, encode(object)?)])
    }

    /// A list's result: the page of `all` the query's filters and page select, and how many
    /// matched.
    pub(super) fn listed(&self, all: Vec<T>, query: &Query) -> Result<Reply, JdError> {
        let params = ListParams::parse(query)?;
        let matching = apply_filters(all, &params.filters, self.filters)?;
        let (page, total_count) = params.page(matching);
        result([
            (self.many, encode(&page)?),
            ("totalCount", encode(total_count)?),
        ])
    }

    /// `describe<Kind>`: the object the path names, in the request's region (404 if none).
    pub(super) fn describe(&self, db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
        self.described(&db.get(req.params.get(self.id))?)
    }

    /// `describe<Kind>s`: the objects of the request's region.
    pub(super) fn describe_many(&self, db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
        self.listed(db.all()?, &req.query)
    }

    /// A create's body.
    pub(super) fn create_spec(&self, req: &OpRequest) -> Result<Spec, JdError> {
        Spec::parse(&req.body, self.create)
    }

    /// What a create answers: the object the backend made, or its refusal with the field it
    /// names placed in the body.
    pub(super) fn create_reply(
        &self,
        spec: &Spec,
        outcome: Result<T, JdError>,
    ) -> Result<Reply, JdError> {
        self.created(&outcome.map_err(|e| spec.qualify(e))?)
    }

    /// A modify's target and body; an unknown object is 404 whatever the body says.
    pub(super) fn modify_spec<'r>(
        &self,
        db: &Db<'_>,
        req: &'r OpRequest,
    ) -> Result<(&'r str, Spec), JdError> {
        let id = req.params.get(self.id);
        db.get::<T>(id)?;
        Ok((id, Spec::parse(&req.body, self.modify)?))
    }

    /// `delete<Kind>`: the backend's `delete` of the object the path names.
    pub(super) fn delete(
        &self,
        db: &Db<'_>,
        req: &OpRequest,
        delete: Delete,
    ) -> Result<Reply, JdError> {
        delete(db, req.params.get(self.id))?;
        Ok(Reply::Empty)
    }
}

/// What a modify answers: nothing, or the backend's refusal with its field placed in the body.
pub(super) fn modified(spec: &Spec, outcome: Result<(), JdError>) -> Result<Reply, JdError> {
    outcome.map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

fn encode(value: impl Serialize) -> Result<Value, JdError> {
    serde_json::to_value(value).map_err(|e| JdError::internal(format!("encoding result: {e}")))
}

fn result<const N: usize>(fields: [(&str, Value); N]) -> Result<Reply, JdError> {
    let fields: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(Reply::Result(Value::Object(fields)))
}
