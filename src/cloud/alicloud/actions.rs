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

pub const CREATE_CUSTOMER_GATEWAY: Action = create("CreateCustomerGateway", &VPC);
pub const DESCRIBE_CUSTOMER_GATEWAY: Action = read("DescribeCustomerGateway", &VPC);
pub const DESCRIBE_CUSTOMER_GATEWAYS: Action = read("DescribeCustomerGateways", &VPC);
pub const MODIFY_CUSTOMER_GATEWAY_ATTRIBUTE: Action = read("ModifyCustomerGatewayAttribute", &VPC);
pub const DELETE_CUSTOMER_GATEWAY: Action = read("DeleteCustomerGateway", &VPC);

pub const CREATE_VPN_ATTACHMENT: Action = create("CreateVpnAttachment", &VPC);
pub const DESCRIBE_VPN_CONNECTION: Action = read("DescribeVpnConnection", &VPC);
pub const DESCRIBE_VPN_CONNECTIONS: Action = read("DescribeVpnConnections", &VPC);
pub const MODIFY_VPN_ATTACHMENT_ATTRIBUTE: Action = read("ModifyVpnAttachmentAttribute", &VPC);
pub const DELETE_VPN_ATTACHMENT: Action = read("DeleteVpnAttachment", &VPC);

/// Destination routes of a connection bound to a transit router (docs/design/alicloud-vco-routes.md).
/// The API has no publish action for them: they are published to the transit router by itself.
pub const CREATE_VCO_ROUTE_ENTRY: Action = create("CreateVcoRouteEntry", &VPC);
pub const DESCRIBE_VCO_ROUTE_ENTRIES: Action = read("DescribeVcoRouteEntries", &VPC);
pub const MODIFY_VCO_ROUTE_ENTRY_WEIGHT: Action = read("ModifyVcoRouteEntryWeight", &VPC);
pub const DELETE_VCO_ROUTE_ENTRY: Action = read("DeleteVcoRouteEntry", &VPC);

pub const CREATE_TR_VPN_ATTACHMENT: Action = create("CreateTransitRouterVpnAttachment", &CBN);
pub const LIST_TR_VPN_ATTACHMENTS: Action = read("ListTransitRouterVpnAttachments", &CBN);
pub const UPDATE_TR_VPN_ATTACHMENT: Action =
    read("UpdateTransitRouterVpnAttachmentAttribute", &CBN);
pub const DELETE_TR_VPN_ATTACHMENT: Action = read("DeleteTransitRouterVpnAttachment", &CBN);
pub const LIST_TR_ROUTE_TABLES: Action = read("ListTransitRouterRouteTables", &CBN);
pub const ASSOCIATE_ROUTE_TABLE: Action =
    read("AssociateTransitRouterAttachmentWithRouteTable", &CBN);
pub const DISSOCIATE_ROUTE_TABLE: Action =
    read("DissociateTransitRouterAttachmentFromRouteTable", &CBN);
pub const LIST_ROUTE_TABLE_ASSOCIATIONS: Action =
    read("ListTransitRouterRouteTableAssociations", &CBN);
pub const ENABLE_PROPAGATION: Action = read("EnableTransitRouterRouteTablePropagation", &CBN);
pub const DISABLE_PROPAGATION: Action = read("DisableTransitRouterRouteTablePropagation", &CBN);
pub const LIST_ROUTE_TABLE_PROPAGATIONS: Action =
    read("ListTransitRouterRouteTablePropagations", &CBN);
