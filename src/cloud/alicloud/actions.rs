//! Every Alibaba Cloud action the provider calls, with its product and
//! version, in one table (docs/design/alicloud.md §1, §3–§5).

/// An RPC product: its API version and endpoint.
#[derive(Debug)]
pub struct Product {
    pub name: &'static str,
    pub version: &'static str,
    /// Regional products take `RegionId` on every call and have regional hosts.
    pub regional: bool,
}

/// Regions whose VPC API lives on the central `vpc.aliyuncs.com` host
/// (the official SDK's endpoint map; docs/design/alicloud.md §1).
const VPC_CENTRAL_REGIONS: &[&str] = &[
    "cn-hangzhou",
    "cn-wuhan",
    "cn-zhangbei",
    "cn-fujian",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
];

impl Product {
    /// The public host for `region`.
    pub fn host(&self, region: &str) -> String {
        match self.name {
            "Vpc" if VPC_CENTRAL_REGIONS.contains(&region) => "vpc.aliyuncs.com".to_string(),
            "Vpc" => format!("vpc.{region}.aliyuncs.com"),
            _ => "cbn.aliyuncs.com".to_string(),
        }
    }
}

pub const VPC: Product = Product {
    name: "Vpc",
    version: "2016-04-28",
    regional: true,
};
/// CBN is central; its calls name the region only where the API has a `RegionId`.
pub const CBN: Product = Product {
    name: "Cbn",
    version: "2017-09-12",
    regional: false,
};

#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    pub product: &'static Product,
    /// Creates something: resent only with a `ClientToken` or after throttling.
    pub creates: bool,
}

impl Action {
    /// Whether the action only reads (`Describe…`, `List…`); anything else
    /// drops the client's coalesced reads (`cloud::coalesce`).
    pub fn reads(&self) -> bool {
        self.name.starts_with("Describe") || self.name.starts_with("List")
    }
}

const fn read(name: &'static str, product: &'static Product) -> Action {
    Action {
        name,
        product,
        creates: false,
    }
}
const fn create(name: &'static str, product: &'static Product) -> Action {
    Action {
        creates: true,
        ..read(name, product)
    }
}

/// Declares each row `kind NAME = "Action" in PRODUCT;` as a `pub const`
/// (`kind` is `create` or `read`), so the table keeps one line a row.
macro_rules! actions {
    ($($(#[$doc:meta])* $kind:ident $name:ident = $api:literal in $product:ident;)*) => {
        $($(#[$doc])* pub const $name: Action = $kind($api, &$product);)*
    };
}

actions! {
    create CREATE_CUSTOMER_GATEWAY = "CreateCustomerGateway" in VPC;
    read DESCRIBE_CUSTOMER_GATEWAY = "DescribeCustomerGateway" in VPC;
    read DESCRIBE_CUSTOMER_GATEWAYS = "DescribeCustomerGateways" in VPC;
    read MODIFY_CUSTOMER_GATEWAY_ATTRIBUTE = "ModifyCustomerGatewayAttribute" in VPC;
    read DELETE_CUSTOMER_GATEWAY = "DeleteCustomerGateway" in VPC;

    create CREATE_VPN_ATTACHMENT = "CreateVpnAttachment" in VPC;
    read DESCRIBE_VPN_CONNECTION = "DescribeVpnConnection" in VPC;
    read DESCRIBE_VPN_CONNECTIONS = "DescribeVpnConnections" in VPC;
    read MODIFY_VPN_ATTACHMENT_ATTRIBUTE = "ModifyVpnAttachmentAttribute" in VPC;
    read DELETE_VPN_ATTACHMENT = "DeleteVpnAttachment" in VPC;

    /// Destination routes of a connection bound to a transit router (docs/design/alicloud-vco-routes.md).
    /// The API has no publish action for them: they are published to the transit router by itself.
    create CREATE_VCO_ROUTE_ENTRY = "CreateVcoRouteEntry" in VPC;
    read DESCRIBE_VCO_ROUTE_ENTRIES = "DescribeVcoRouteEntries" in VPC;
    read MODIFY_VCO_ROUTE_ENTRY_WEIGHT = "ModifyVcoRouteEntryWeight" in VPC;
    read DELETE_VCO_ROUTE_ENTRY = "DeleteVcoRouteEntry" in VPC;

    create CREATE_TR_VPN_ATTACHMENT = "CreateTransitRouterVpnAttachment" in CBN;
    read LIST_TR_VPN_ATTACHMENTS = "ListTransitRouterVpnAttachments" in CBN;
    read UPDATE_TR_VPN_ATTACHMENT = "UpdateTransitRouterVpnAttachmentAttribute" in CBN;
    read DELETE_TR_VPN_ATTACHMENT = "DeleteTransitRouterVpnAttachment" in CBN;
    read LIST_TR_ROUTE_TABLES = "ListTransitRouterRouteTables" in CBN;
    read ASSOCIATE_ROUTE_TABLE = "AssociateTransitRouterAttachmentWithRouteTable" in CBN;
    read DISSOCIATE_ROUTE_TABLE = "DissociateTransitRouterAttachmentFromRouteTable" in CBN;
    read LIST_ROUTE_TABLE_ASSOCIATIONS = "ListTransitRouterRouteTableAssociations" in CBN;
    read ENABLE_PROPAGATION = "EnableTransitRouterRouteTablePropagation" in CBN;
    read DISABLE_PROPAGATION = "DisableTransitRouterRouteTablePropagation" in CBN;
    read LIST_ROUTE_TABLE_PROPAGATIONS = "ListTransitRouterRouteTablePropagations" in CBN;
}
