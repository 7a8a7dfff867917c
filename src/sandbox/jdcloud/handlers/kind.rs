//! What every JD Cloud kind shares on the wire: the names of its results, the create and
//! describe answers built from them, and the two describe operations.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::Object;
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::wire::{
    apply_filters, FilterField, ListParams, OpRequest, Query, Reply,
};

/// How one kind appears on the wire (INFERRED, docs/design/jdcloud.md §3.2, §8.3, §8.4): the
/// field naming its id (the path parameter, and the id in a create's result), the result field
/// of one object and of a list, and the filters a list accepts.
pub(super) struct Wire<T: 'static> {
    pub id: &'static str,
    pub one: &'static str,
    pub many: &'static str,
    pub filters: &'static [FilterField<T>],
}

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
        self.described(&db.get(&req.region, req.params.get(self.id))?)
    }

    /// `describe<Kind>s`: the objects of the request's region.
    pub(super) fn describe_many(&self, db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
        self.listed(db.all(&req.region)?, &req.query)
    }
}

fn encode(value: impl Serialize) -> Result<Value, JdError> {
    serde_json::to_value(value).map_err(|e| JdError::internal(format!("encoding result: {e}")))
}

fn result<const N: usize>(fields: [(&str, Value); N]) -> Result<Reply, JdError> {
    let fields: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(Reply::Result(Value::Object(fields)))
}
