//! Alibaba Cloud errors: HTTP status + `Code` + `Message` (docs/design/alicloud.md §6). Both the
//! backend (rules between objects) and the handlers (parameter rules) answer with it; `mod.rs`
//! renders it as the error envelope.
//!
//! Every code the sandbox answers with is a constant in [`codes`]; the ones no source documents
//! are in one block at its end, so they can be corrected in one place.

use crate::sandbox::store::StoreError;

/// Error codes. Documented ones first, then the undocumented ones.
pub(crate) mod codes {
    // --- Documented (docs/design/alicloud.md §6.2) -----------------------------------------
    /// 404.
    pub const CGW_NOT_FOUND: &str = "InvalidCustomerGatewayInstanceId.NotFound";
    /// 404.
    pub const VCO_NOT_FOUND: &str = "InvalidVpnConnectionInstanceId.NotFound";
    /// A connection mid-change (tf retries it; 400 as tf's mocks).
    pub const VPN_CONNECTION_CONFIGURING: &str = "VpnConnection.Configuring";
    /// Cbn: the attachment is not in a state that allows the call (tf retries it).
    pub const INCORRECT_STATUS: &str = "IncorrectStatus.Status";
    /// Cbn: another asynchronous operation on the attachment is still running (tf retries it).
    pub const OPERATION_BLOCKING: &str = "Operation.Blocking";
    pub const DRY_RUN: &str = "DryRunOperation";
    pub const THROTTLING_USER: &str = "Throttling.User";
    pub const API_NOT_FOUND: &str = "InvalidApi.NotFound";
    pub const INVALID_VERSION: &str = "InvalidVersion";
    pub const SIGNATURE_MISMATCH: &str = "SignatureDoesNotMatch";
    pub const INCOMPLETE_SIGNATURE: &str = "IncompleteSignature";
    pub const INVALID_SIGNATURE_METHOD: &str = "InvalidSignatureMethod";
    pub const ACCESS_KEY_NOT_FOUND: &str = "InvalidAccessKeyId.NotFound";
    pub const TIMESTAMP_FORMAT: &str = "InvalidTimeStamp.Format";
    pub const TIMESTAMP_EXPIRED: &str = "InvalidTimeStamp.Expired";
    pub const NONCE_USED: &str = "SignatureNonceUsed";
    pub const INVALID_PARAMETER: &str = "InvalidParameter";
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    pub const INTERNAL: &str = "InternalError";

    // --- INFERRED: no source read names these; correct here (docs/design/alicloud.md §10.3) ---
    /// `DeleteCustomerGateway` while a connection's tunnel uses the gateway.
    pub const CGW_IN_USE: &str = "DependencyViolation.VpnConnection";
    /// `DeleteVpnAttachment` / `CreateTransitRouterVpnAttachment` on a connection bound to a
    /// transit router (and stable; while it is changing the answer is `VpnConnection.Configuring`
    /// resp. `IncorrectStatus.Status`).
    pub const VCO_BOUND: &str = "DependencyViolation.TransitRouterVpnAttachment";
    /// More than one CIDR on either side with an IKEv1 tunnel (the console requires IKEv2).
    pub const MULTIPLE_SUBNETS_NEED_IKEV2: &str = "InvalidIkeVersion.MultipleSubnets";
    /// BGP enabled on a tunnel whose customer gateway has no ASN ("for BGP the customer gateway
    /// must have an ASN").
    pub const CGW_WITHOUT_ASN: &str = "InvalidCustomerGateway.AsnNotSet";
    /// Same `ClientToken` within 24 h but different parameters (EC2/ECS-style name).
    pub const IDEMPOTENT_MISMATCH: &str = "IdempotentParameterMismatch";
    /// A `RegionId` the sandbox does not serve.
    pub const REGION_NOT_FOUND: &str = "InvalidRegionId.NotFound";
    /// Cbn lookups by id (HTTP 404 so "already gone" is recognised as not-found, §10.4).
    pub const TR_ATTACHMENT_NOT_FOUND: &str = "InvalidTransitRouterAttachmentId.NotFound";
    pub const TR_NOT_FOUND: &str = "InvalidTransitRouterId.NotFound";
    pub const CEN_NOT_FOUND: &str = "InvalidCenId.NotFound";
    pub const ROUTE_TABLE_NOT_FOUND: &str = "InvalidTransitRouterRouteTableId.NotFound";
    pub const VPN_ID_NOT_FOUND: &str = "InvalidVpnId.NotFound";
    pub const ASSOCIATION_NOT_FOUND: &str = "InvalidAssociation.NotFound";
    pub const PROPAGATION_NOT_FOUND: &str = "InvalidPropagation.NotFound";
    /// The route table is not one of the attachment's transit router.
    pub const ROUTE_TABLE_MISMATCH: &str = "InvalidTransitRouterRouteTableId.Mismatch";
    /// "An attachment can be associated with only one route table" (§5.5).
    pub const ALREADY_ASSOCIATED: &str = "Forbidden.AttachmentAlreadyAssociated";
    pub const ALREADY_PROPAGATING: &str = "Forbidden.PropagationAlreadyEnabled";
    /// `DeleteTransitRouterVpnAttachment` with `Force=false` while associations or propagations
    /// exist (§5.4).
    pub const ATTACHMENT_HAS_DEPENDENCIES: &str =
        "DependencyViolation.RouteTableAssociationOrPropagation";
    /// A V3 request without `Authorization`, or a V1 request without `Signature`.
    pub const MISSING_SIGNATURE: &str = "MissingSignature";
    /// A security token the sandbox was not configured with.
    pub const SECURITY_TOKEN_MALFORMED: &str = "InvalidSecurityToken.Malformed";
    /// `CreateVcoRouteEntry` on a connection not bound to a transit router (the documented
    /// precondition; the code is not documented).
    pub const VCO_NOT_BOUND: &str = "IncorrectStatus.VpnConnectionNotAttached";
    /// `CreateVcoRouteEntry` for a destination the connection already has a route to.
    pub const VCO_ROUTE_EXISTS: &str = "VcoRouteEntry.AlreadyExists";
    /// `ModifyVcoRouteEntryWeight` / `DeleteVcoRouteEntry` naming no route of the connection
    /// (HTTP 404, like the other not-found answers).
    pub const VCO_ROUTE_NOT_FOUND: &str = "InvalidVcoRouteEntry.NotFound";
}

/// An Alibaba Cloud error: HTTP status + `Code` + `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AliError {
    /// HTTP status of the answer.
    pub http: u16,
    pub code: String,
    pub message: String,
}

impl AliError {
    pub(crate) fn new(http: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            http,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 with `code`.
    pub(crate) fn bad(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// 404 with `code`.
    pub(crate) fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }

    /// 400 `Missing{Name}` for a top-level parameter (e.g. `MissingRegionId`), `MissingParameter`
    /// for a nested one (docs/design/alicloud.md §6.2).
    pub(crate) fn missing(name: &str) -> Self {
        let code = if name.contains('.') {
            codes::MISSING_PARAMETER.to_owned()
        } else {
            format!("Missing{name}")
        };
        Self::new(400, code, format!("{name} is mandatory for this action."))
    }

    /// 400 `Invalid{Name}` for a top-level parameter (e.g. `InvalidIpAddress`), `InvalidParameter`
    /// for a nested one; the message names the parameter and says why.
    pub(crate) fn invalid(name: &str, why: impl std::fmt::Display) -> Self {
        let code = if name.contains('.') {
            codes::INVALID_PARAMETER.to_owned()
        } else {
            format!("Invalid{name}")
        };
        Self::new(
            400,
            code,
            format!("Specified parameter {name} is not valid: {why}"),
        )
    }

    /// The same error with `detail` added to its message.
    pub(crate) fn with_detail(mut self, detail: &str) -> Self {
        self.message = format!("{} {detail}", self.message);
        self
    }

    pub(crate) fn cgw_not_found(id: &str) -> Self {
        Self::not_found(
            codes::CGW_NOT_FOUND,
            format!("The specified customer gateway instance id does not exist: {id}."),
        )
    }

    pub(crate) fn vco_not_found(id: &str) -> Self {
        Self::not_found(
            codes::VCO_NOT_FOUND,
            format!("The specified vpn connection instance id does not exist: {id}."),
        )
    }

    pub(crate) fn vco_configuring(id: &str, state: &str) -> Self {
        Self::bad(
            codes::VPN_CONNECTION_CONFIGURING,
            format!("The specified vpn connection {id} is configuring (State {state})."),
        )
    }

    pub(crate) fn incorrect_status(what: &str, status: &str) -> Self {
        Self::bad(
            codes::INCORRECT_STATUS,
            format!("The status of {what} is incorrect: {status}."),
        )
    }

    pub(crate) fn blocking(what: impl std::fmt::Display) -> Self {
        Self::bad(
            codes::OPERATION_BLOCKING,
            format!("The operation is blocked: {what}."),
        )
    }

    pub(crate) fn dry_run() -> Self {
        Self::bad(
            codes::DRY_RUN,
            "Request validation has been passed with DryRun flag set.",
        )
    }

    pub(crate) fn throttled() -> Self {
        Self::bad(
            codes::THROTTLING_USER,
            "Request was denied due to user flow control.",
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, codes::INTERNAL, message)
    }
}

impl std::fmt::Display for AliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<StoreError> for AliError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "state store failed");
        Self::internal(format!("sandbox state store: {e}"))
    }
}
