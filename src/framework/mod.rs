//! Our small plugin framework: values, schemas, validation, planning,
//! apply dispatch, ephemeral resources and diagnostics. No tonic and no cloud types in here.

pub mod data_source;
pub mod declare;
pub mod diag;
pub mod ephemeral;
pub mod lifecycle;
pub mod path;
pub mod plan;
pub mod resource;
pub mod schema;
pub mod server;
pub mod stop;
#[cfg(test)]
pub mod testing;
pub mod timeouts;
pub mod typed;
pub mod validate;
pub mod value;

pub use data_source::{DataSource, DynDataSource};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use ephemeral::{DynEphemeralResource, EphemeralResource, Opened, Renewed};
pub use lifecycle::{
    CloudError, Connect, Declaration, Failed, Lifecycle, Located, Locator, Managed, NotCreated,
};
pub use path::{AttrPath, Step};
pub use resource::{Ctx, DynResource, Failure, Resource};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema};
pub use server::{
    ClientCapabilities, Provider, ProviderServer, ServerCapabilities, SERVER_CAPABILITIES,
    WRITE_ONLY_SINCE,
};
pub use stop::StopToken;
pub use timeouts::{Op, Timeouts};
pub use typed::{Declared, Described, Typed};
pub use value::{Number, Type, Value};
