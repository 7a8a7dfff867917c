"""Talks to a hybridnet sandbox with the OFFICIAL Alibaba Cloud Python SDKs (PyPI
alibabacloud-vpc20160428 and alibabacloud-cbn20170912 over alibabacloud-tea-openapi).

Usage: alicloud_sdk.py SANDBOX_URL ACCESS_KEY SECRET_KEY

Run by tests/sdk_alicloud.rs with .venv/bin/python (scripts/ensure-tools.sh creates it). Prints one
JSON object on stdout: what each check observed. The Rust test holds the expectations.

- "v3" / "v1": the SDK's own client, signing ACS3-HMAC-SHA256 (the default) resp. HMAC-SHA1
  signature V1 (`signature_algorithm='v2'`, docs/design/alicloud.md §7.2): CreateCustomerGateway x2,
  DescribeCustomerGateway, CreateVpnAttachment with two tunnels (tunnels in a form body),
  DescribeVpnConnection; the response models are read back field by field, with Python types.
- "cbn": the Cbn client binds the V3 connection to the seeded transit router (ids read from
  /_sandbox/state) and lists attachments and route tables until the binding is Attached.
- "vco_routes": on the bound V3 connection, the Vpc client creates, lists, re-weights and deletes
  a destination route (CreateVcoRouteEntry, DescribeVcoRouteEntries, ModifyVcoRouteEntryWeight,
  DeleteVcoRouteEntry), and the Cbn client sees it in the transit router's route table
  (ListTransitRouterRouteEntries) once the binding propagates there.
- "errors_*": the SDK parsing our error envelopes into its exceptions (wrong secret → 400
  SignatureDoesNotMatch, unknown connection → 404).
- "tamper_*": a request the SDK signed is captured (the transport is held, not sent), then sent
  with urllib byte for byte: first with one byte of the body or query changed (must be
  refused, before the nonce is spent), then unchanged (accepted), then unchanged again (the
  nonce is spent: SignatureNonceUsed).
"""

import hashlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from alibabacloud_cbn20170912 import models as cbn_models
from alibabacloud_cbn20170912.client import Client as CbnClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient
from darabonba.core import DaraCore
from darabonba.runtime import RuntimeOptions

REGION = "cn-hangzhou"

# --- Capturing what the SDK sends ---------------------------------------------------------------

_REAL_DO_ACTION = DaraCore.do_action
CAPTURED = []
HOLD = {"on": False}


class Held(Exception):
    """Raised instead of sending while HOLD is on."""


def _capturing_do_action(request, runtime_option=None):
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    CAPTURED.append(
        {
            "method": request.method.upper(),
            "url": DaraCore.compose_url(request),
            "headers": dict(request.headers),
            "body": body or b"",
        }
    )
    if HOLD["on"]:
        raise Held()
    return _REAL_DO_ACTION(request, runtime_option)


DaraCore.do_action = staticmethod(_capturing_do_action)


def held_request(call):
    """The request `call` would send, signed by the SDK but not sent."""
    HOLD["on"] = True
    CAPTURED.clear()
    try:
        call()
    except Exception:  # the SDK wraps Held in its retry exception
        pass
    finally:
        HOLD["on"] = False
    if not CAPTURED:
        raise RuntimeError("the SDK sent nothing")
    return CAPTURED[-1]


def send(captured, url=None, body=None):
    """Sends a captured request (optionally with another URL or body) exactly, with urllib."""
    data = captured["body"] if body is None else body
    req = urllib.request.Request(
        url or captured["url"],
        data=data if data else None,
        method=captured["method"],
        headers=captured["headers"],
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    text = raw.decode("utf-8", "replace")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = text
    return {"http_status": status, "body": payload}


def flip(s, needle):
    """`s` (str or bytes) with the first character of `needle` replaced by another letter."""
    i = s.index(needle)
    c = s[i : i + 1]
    other = (b"x" if c != b"x" else b"y") if isinstance(s, bytes) else ("x" if c != "x" else "y")
    return s[:i] + other + s[i + 1 :]


# --- Clients -------------------------------------------------------------------------------------


def config(endpoint, ak, sk, v1):
    cfg = Config(
        access_key_id=ak,
        access_key_secret=sk,
        endpoint=endpoint,
        protocol="http",
        region_id=REGION,
    )
    if v1:
        cfg.signature_algorithm = "v2"  # HMAC-SHA1 signature V1
    return cfg


def sdk_error(fn):
    """Runs `fn`; reports the SDK exception it raised (or that it raised none)."""
    try:
        fn()
    except ClientException as e:
        return {
            "type": type(e).__name__,
            "code": e.code,
            "status_code": e.status_code,
            "request_id": e.request_id,
            "message": e.message,
        }
    except Exception as e:  # noqa: BLE001 - reported, the Rust test decides
        return {"type": type(e).__name__, "message": str(e)}
    return {"type": None}


def tunnel(index, cgw, cidr, psk=None):
    ike = vpc_models.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIkeConfig(
        psk=psk, ike_version="ikev2", ike_lifetime=3600
    )
    return vpc_models.CreateVpnAttachmentRequestTunnelOptionsSpecification(
        customer_gateway_id=cgw,
        tunnel_index=index,
        enable_dpd=True,
        enable_nat_traversal=False,
        tunnel_bgp_config=vpc_models.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig(
            tunnel_cidr=cidr, local_asn=65500
        ),
        tunnel_ike_config=ike,
        tunnel_ipsec_config=vpc_models.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIpsecConfig(
            ipsec_pfs="group14"
        ),
    )


def vpn_request(dialect, cgw1, cgw2, token):
    return vpc_models.CreateVpnAttachmentRequest(
        region_id=REGION,
        local_subnet="10.0.0.0/16",
        remote_subnet="192.168.10.0/24,192.168.20.0/24",
        name=f"sdk-{dialect} vco",
        network_type="public",
        effect_immediately=True,
        enable_tunnels_bgp=True,
        client_token=token,
        tags=[vpc_models.CreateVpnAttachmentRequestTags(key="made-by", value="sdk test")],
        tunnel_options_specification=[
            tunnel(1, cgw1, "169.254.10.0/30", psk="sdk~psk!1"),
            tunnel(2, cgw2, "169.254.11.0/30"),
        ],
    )


def describe_vco(vpc, vco):
    body = vpc.describe_vpn_connection_with_options(
        vpc_models.DescribeVpnConnectionRequest(region_id=REGION, vpn_connection_id=vco),
        RuntimeOptions(),
    ).body
    tunnels = []
    for t in body.tunnel_options_specification.tunnel_options:
        tunnels.append(
            {
                "tunnel_id": t.tunnel_id,
                "tunnel_index": t.tunnel_index,
                "customer_gateway_id": t.customer_gateway_id,
                "role": t.role,
                "internet_ip": t.internet_ip,
                "enable_dpd": t.enable_dpd,
                "enable_dpd_type": type(t.enable_dpd).__name__,
                "enable_nat_traversal": t.enable_nat_traversal,
                "psk": t.tunnel_ike_config.psk,
                "ike_lifetime": t.tunnel_ike_config.ike_lifetime,
                "ike_lifetime_type": type(t.tunnel_ike_config.ike_lifetime).__name__,
                "local_asn": t.tunnel_bgp_config.local_asn,
                "tunnel_cidr": t.tunnel_bgp_config.tunnel_cidr,
                "peer_asn": t.tunnel_bgp_config.peer_asn,
                "ipsec_pfs": t.tunnel_ipsec_config.ipsec_pfs,
            }
        )
    return {
        "request_id": body.request_id,
        "vpn_connection_id": body.vpn_connection_id,
        "name": body.name,
        "state": body.state,
        "attach_type": body.attach_type,
        "transit_router_id": body.transit_router_id,
        "enable_tunnels_bgp": body.enable_tunnels_bgp,
        "enable_tunnels_bgp_type": type(body.enable_tunnels_bgp).__name__,
        "create_time_type": type(body.create_time).__name__,
        "tags": [{"key": t.key, "value": t.value} for t in body.tags.tag],
        "tunnels": tunnels,
    }


def vpc_round_trip(endpoint, ak, sk, dialect):
    vpc = VpcClient(config(endpoint, ak, sk, dialect == "v1"))
    rt = RuntimeOptions()
    out = {}
    cgws = []
    for n, ip in ((1, "203.0.113.61"), (2, "203.0.113.62")):
        resp = vpc.create_customer_gateway_with_options(
            vpc_models.CreateCustomerGatewayRequest(
                region_id=REGION,
                ip_address=ip,
                asn=f"6500{n}",
                name=f"sdk-{dialect}-cgw{n} *~+/",
                description="desc with space",
                client_token=f"sdk-{dialect}-cgw{n}",
                tags=[vpc_models.CreateCustomerGatewayRequestTags(key="k1", value="v 1")],
            ),
            rt,
        )
        cgws.append(resp.body.customer_gateway_id)
        out[f"create_cgw{n}"] = {
            "status": resp.status_code,
            "customer_gateway_id": resp.body.customer_gateway_id,
            "request_id": resp.body.request_id,
            "create_time_type": type(resp.body.create_time).__name__,
        }
    body = vpc.describe_customer_gateway_with_options(
        vpc_models.DescribeCustomerGatewayRequest(region_id=REGION, customer_gateway_id=cgws[0]),
        rt,
    ).body
    out["describe_cgw"] = {
        "customer_gateway_id": body.customer_gateway_id,
        "ip_address": body.ip_address,
        "asn": body.asn,
        "asn_type": type(body.asn).__name__,
        "name": body.name,
        "description": body.description,
        "tags": [{"key": t.key, "value": t.value} for t in body.tags.tag],
    }
    resp = vpc.create_vpn_attachment_with_options(
        vpn_request(dialect, cgws[0], cgws[1], f"sdk-{dialect}-vco"), rt
    )
    out["create_vco"] = {
        "status": resp.status_code,
        "vpn_connection_id": resp.body.vpn_connection_id,
        "code": resp.body.code,
        "success": resp.body.success,
    }
    out["describe_vco"] = describe_vco(vpc, resp.body.vpn_connection_id)
    return vpc, out


def sandbox_seed(base_url):
    with urllib.request.urlopen(base_url + "/_sandbox/state", timeout=30) as resp:
        return json.loads(resp.read())["alicloud_seed"]


def cbn_binding(endpoint, ak, sk, base_url, vpc, vco):
    seed = sandbox_seed(base_url)
    tr = next(t for t in seed["transit_routers"] if t["RegionId"] == REGION)
    cbn = CbnClient(config(endpoint, ak, sk, False))
    rt = RuntimeOptions()
    created = cbn.create_transit_router_vpn_attachment_with_options(
        cbn_models.CreateTransitRouterVpnAttachmentRequest(
            region_id=REGION,
            transit_router_id=tr["TransitRouterId"],
            vpn_id=vco,
            auto_publish_route_enabled=True,
            transit_router_attachment_name="sdk-binding",
        ),
        rt,
    ).body
    att = created.transit_router_attachment_id
    seen = []
    listed = None
    for _ in range(100):
        listed = cbn.list_transit_router_vpn_attachments_with_options(
            cbn_models.ListTransitRouterVpnAttachmentsRequest(
                region_id=REGION, transit_router_attachment_id=att
            ),
            rt,
        ).body
        status = listed.transit_router_attachments[0].status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "Attached":
            break
        time.sleep(0.05)
    a = listed.transit_router_attachments[0]
    tables = cbn.list_transit_router_route_tables_with_options(
        cbn_models.ListTransitRouterRouteTablesRequest(
            transit_router_id=tr["TransitRouterId"], transit_router_route_table_type="System"
        ),
        rt,
    ).body
    gone = cbn.list_transit_router_vpn_attachments_with_options(
        cbn_models.ListTransitRouterVpnAttachmentsRequest(
            region_id=REGION, transit_router_attachment_id="tr-attach-doesnotexist"
        ),
        rt,
    ).body
    return {
        "transit_router_id": tr["TransitRouterId"],
        "attachment_id": att,
        "statuses_seen": seen,
        "vpn_id": a.vpn_id,
        "cen_id": a.cen_id,
        "auto_publish_route_enabled": a.auto_publish_route_enabled,
        "creation_time": a.creation_time,
        "route_tables": [
            {
                "id": t.transit_router_route_table_id,
                "type": t.transit_router_route_table_type,
                "status": t.transit_router_route_table_status,
            }
            for t in tables.transit_router_route_tables
        ],
        "seeded_route_table": next(
            r["TransitRouterRouteTableId"]
            for r in seed["route_tables"]
            if r["TransitRouterId"] == tr["TransitRouterId"]
        ),
        "not_found_list_length": len(gone.transit_router_attachments or []),
        "describe_vco_after": describe_vco(vpc, vco),
    }


def wait_idle(vpc, vco):
    """Polls until the connection has no change running (route calls are serialised)."""
    for _ in range(200):
        if describe_vco(vpc, vco)["state"] == "attached":
            return
        time.sleep(0.05)
    raise RuntimeError(f"{vco} stayed busy")


def vco_routes(endpoint, ak, sk, vpc, vco, attachment, table):
    cbn = CbnClient(config(endpoint, ak, sk, False))
    rt = RuntimeOptions()
    cbn.enable_transit_router_route_table_propagation_with_options(
        cbn_models.EnableTransitRouterRouteTablePropagationRequest(
            transit_router_attachment_id=attachment, transit_router_route_table_id=table
        ),
        rt,
    )
    for _ in range(200):
        links = cbn.list_transit_router_route_table_propagations_with_options(
            cbn_models.ListTransitRouterRouteTablePropagationsRequest(
                transit_router_route_table_id=table, transit_router_attachment_id=attachment
            ),
            rt,
        ).body.transit_router_propagations
        if links and links[0].status == "Active":
            break
        time.sleep(0.05)
    dest = "10.77.0.0/16"

    def listed():
        return vpc.describe_vco_route_entries_with_options(
            vpc_models.DescribeVcoRouteEntriesRequest(
                region_id=REGION, vpn_connection_id=vco, page_number=1, page_size=50
            ),
            rt,
        ).body

    def published():
        return cbn.list_transit_router_route_entries_with_options(
            cbn_models.ListTransitRouterRouteEntriesRequest(transit_router_route_table_id=table),
            rt,
        ).body.transit_router_route_entries

    created = vpc.create_vco_route_entry_with_options(
        vpc_models.CreateVcoRouteEntryRequest(
            region_id=REGION,
            vpn_connection_id=vco,
            route_dest=dest,
            next_hop=vco,
            weight=100,
            overlay_mode="Ipsec",
            client_token="sdk-route-1",
        ),
        rt,
    ).body
    out = {
        "created": {
            "route_dest": created.route_dest,
            "next_hop": created.next_hop,
            "weight": created.weight,
            "weight_type": type(created.weight).__name__,
            "state": created.state,
            "overlay_mode": created.overlay_mode,
            "create_time_type": type(created.create_time).__name__,
        }
    }
    wait_idle(vpc, vco)
    body = listed()
    e = body.vco_route_entries[0]
    out["listed"] = {
        "total_count": body.total_count,
        "route_dest": e.route_dest,
        "next_hop": e.next_hop,
        "vpn_connection_id": e.vpn_connection_id,
        "weight": e.weight,
        "state": e.state,
        "route_entry_type": e.route_entry_type,
        "create_time_type": type(e.create_time).__name__,
        "route_counts": [
            {"count": c.route_count, "type": c.route_entry_type} for c in body.vpn_route_counts
        ],
    }
    out["published"] = [
        {
            "dest": r.transit_router_route_entry_destination_cidr_block,
            "next_hop_id": r.transit_router_route_entry_next_hop_id,
            "next_hop_type": r.transit_router_route_entry_next_hop_type,
            "type": r.transit_router_route_entry_type,
            "origin": r.transit_router_route_entry_origin_resource_id,
        }
        for r in published()
    ]
    vpc.modify_vco_route_entry_weight_with_options(
        vpc_models.ModifyVcoRouteEntryWeightRequest(
            region_id=REGION,
            vpn_connection_id=vco,
            route_dest=dest,
            next_hop=vco,
            weight=100,
            new_weight=0,
        ),
        rt,
    )
    wait_idle(vpc, vco)
    out["weight_after_modify"] = listed().vco_route_entries[0].weight
    vpc.delete_vco_route_entry_with_options(
        vpc_models.DeleteVcoRouteEntryRequest(
            region_id=REGION, vpn_connection_id=vco, route_dest=dest, next_hop=vco, weight=0
        ),
        rt,
    )
    wait_idle(vpc, vco)
    out["count_after_delete"] = listed().total_count
    out["published_after_delete"] = len(published() or [])
    return out


def main():
    base_url, ak, sk = sys.argv[1:4]
    endpoint = urllib.parse.urlparse(base_url).netloc
    out = {}

    # --- The official clients end to end, both signatures ------------------------------------
    clients = {}
    for dialect in ("v3", "v1"):
        clients[dialect], out[dialect] = vpc_round_trip(endpoint, ak, sk, dialect)
    out["cbn"] = cbn_binding(
        endpoint, ak, sk, base_url, clients["v3"], out["v3"]["create_vco"]["vpn_connection_id"]
    )
    out["vco_routes"] = vco_routes(
        endpoint,
        ak,
        sk,
        clients["v3"],
        out["v3"]["create_vco"]["vpn_connection_id"],
        out["cbn"]["attachment_id"],
        out["cbn"]["seeded_route_table"],
    )

    # --- Our error envelopes through the SDK --------------------------------------------------
    for dialect in ("v3", "v1"):
        wrong = VpcClient(config(endpoint, ak, sk + "-wrong", dialect == "v1"))
        out[f"errors_wrong_secret_{dialect}"] = sdk_error(
            lambda c=wrong: c.describe_customer_gateways_with_options(
                vpc_models.DescribeCustomerGatewaysRequest(region_id=REGION), RuntimeOptions()
            )
        )
    out["errors_not_found"] = sdk_error(
        lambda: clients["v3"].describe_vpn_connection_with_options(
            vpc_models.DescribeVpnConnectionRequest(
                region_id=REGION, vpn_connection_id="vco-doesnotexist"
            ),
            RuntimeOptions(),
        )
    )

    # --- Requests the SDK signed, tampered with -----------------------------------------------
    cgw = out["v3"]["create_cgw1"]["customer_gateway_id"]
    # V3 with a form body (the tunnels): body byte, then query byte.
    captured = held_request(
        lambda: clients["v3"].create_vpn_attachment_with_options(
            vpn_request("tamper", cgw, cgw, None), RuntimeOptions()
        )
    )
    out["tamper_v3_signed_headers"] = captured["headers"].get("Authorization", "")
    tampered = flip(captured["body"], b"169.254.10.0")
    out["tamper_v3_body"] = send(captured, body=tampered)
    # The body and its (signed) hash header both changed: only the signature can tell.
    rehashed = dict(captured, headers=dict(captured["headers"]))
    rehashed["headers"]["x-acs-content-sha256"] = hashlib.sha256(tampered).hexdigest()
    out["tamper_v3_body_and_hash"] = send(rehashed, body=tampered)
    out["tamper_v3_query"] = send(captured, url=flip(captured["url"], "192.168.10.0"))
    out["tamper_v3_original"] = send(captured)
    out["tamper_v3_replay"] = send(captured)
    # V1: one query byte.
    captured = held_request(
        lambda: clients["v1"].create_customer_gateway_with_options(
            vpc_models.CreateCustomerGatewayRequest(
                region_id=REGION, ip_address="203.0.113.99", name="sdk-v1-tamper"
            ),
            RuntimeOptions(),
        )
    )
    out["tamper_v1_url_has_signature"] = "Signature=" in captured["url"]
    out["tamper_v1_query"] = send(captured, url=flip(captured["url"], "sdk-v1-tamper"))
    out["tamper_v1_original"] = send(captured)
    out["tamper_v1_replay"] = send(captured)

    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
