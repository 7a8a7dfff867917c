#!/usr/bin/env python3
"""The demo's views of the sandbox, none of which prints a pre-shared key.

Usage:
  demo-summary.py STATE_JSON                     what was built on each cloud, and the tunnel pairs
  demo-summary.py --dump STATE_JSON|-            the whole state, keys masked
  demo-summary.py --first-connection STATE_JSON  "<data source argument> <id> <region>" of the first
                                                 VPN connection (JD Cloud first), or nothing
  demo-summary.py --masked-conf SWANCTL_CONF     a rendered swanctl.conf, secrets masked
"""
import json
import re
import sys

SECRET_KEYS = {"psk", "authkey", "secret"}


def rows(state, cloud, kind):
    return state.get(cloud, {}).get(kind, []) or []


def line(label, ident, detail=""):
    print(f"  {label:<24} {ident:<22} {detail}".rstrip())


def jdcloud(state):
    kinds = [
        ("bgws", "border gateway", "bgwId", lambda o: o.get("bgwName", "")),
        ("vpc_attachments", "VPC attachment", "vpcAttachmentId", lambda o: f"{o.get('vpcId')}"),
        ("customer_gateways", "customer gateway", "customerGatewayId",
         lambda o: f"{o.get('customerGatewayName', '')} ASN {o.get('bgpAsn')} IPs {', '.join(o.get('customerIps') or []) or '-'}"),
        ("vpn_connections", "VPN connection", "vpnConnectionId",
         lambda o: f"{'BGP' if o.get('bgpEnabled') else 'static'}, cloud IPs {', '.join(o.get('cloudPublicIp') or [])}"),
        ("vpn_tunnels", "tunnel", "vpnTunnelId",
         lambda o: f"{o.get('cloudPublicIp')} -> {o.get('customerIp')}, inside {o.get('tunnelIp')}, {o.get('ikeVersion')} {o.get('ikeCipher')}/{o.get('ikeAuth')}/{o.get('ikeKeyExchange')}"),
        ("bgw_routes", "static route", "bgwRouteId", lambda o: o.get("destination", "")),
    ]
    return kinds


def alicloud(state):
    def tunnels(o):
        opts = (o.get("TunnelOptionsSpecification") or {}).get("TunnelOptions") or []
        return opts

    return [
        ("customer_gateways", "customer gateway", "CustomerGatewayId",
         lambda o: f"{o.get('Name', '')} {o.get('IpAddress')} ASN {o.get('Asn')}"),
        ("vpn_connections", "IPsec connection", "VpnConnectionId",
         lambda o: f"{o.get('Name', '')}, {o.get('State')} to {o.get('TransitRouterId', '-')}, "
                   f"gateway IPs {', '.join(t.get('InternetIp', '') for t in tunnels(o))}"),
        ("transit_router_vpn_attachments", "transit router binding", "TransitRouterAttachmentId",
         lambda o: f"{o.get('TransitRouterId')} ({o.get('Status')})"),
        ("route_table_associations", "route table association", "TransitRouterRouteTableId", lambda o: o.get("Status", "")),
        ("route_table_propagations", "route table propagation", "TransitRouterRouteTableId", lambda o: o.get("Status", "")),
        ("vco_route_entries", "destination route", "RouteDest", lambda o: o.get("NextHop", "")),
    ]


def show(state, cloud, title, kinds):
    print(title)
    shown = False
    for kind, label, key, detail in kinds:
        for o in rows(state, cloud, kind):
            line(label, str(o.get(key, "?")), detail(o))
            shown = True
    if not shown:
        print("  (nothing)")


def pairs(state):
    """JD tunnels whose customer IP is an Alibaba tunnel's gateway IP, and JD tunnels facing each
    other across regions."""
    ali = {}
    for c in rows(state, "alicloud", "vpn_connections"):
        for t in (c.get("TunnelOptionsSpecification") or {}).get("TunnelOptions") or []:
            ali[t.get("InternetIp")] = t
    jd = rows(state, "jdcloud", "vpn_tunnels")
    by_cloud_ip = {t.get("cloudPublicIp"): t for t in jd}
    out, seen = [], set()
    for t in jd:
        peer_ip = t.get("customerIp")
        if peer_ip in ali:
            out.append(("JD Cloud", t.get("cloudPublicIp"), "Alibaba Cloud", peer_ip, t.get("tunnelIp")))
        elif peer_ip in by_cloud_ip and (peer_ip, t.get("cloudPublicIp")) not in seen:
            seen.add((t.get("cloudPublicIp"), peer_ip))
            out.append(("JD Cloud", t.get("cloudPublicIp"), "JD Cloud", peer_ip, t.get("tunnelIp")))
        elif peer_ip not in by_cloud_ip:
            out.append(("JD Cloud", t.get("cloudPublicIp"), "data centre", peer_ip, t.get("tunnelIp")))
    return out


def masked(v):
    if isinstance(v, dict):
        return {k: "********" if k.lower() in SECRET_KEYS and x else masked(x) for k, x in v.items()}
    if isinstance(v, list):
        return [masked(x) for x in v]
    return v


def first_connection(state):
    for c in rows(state, "jdcloud", "vpn_connections"):
        return f"jdcloud_vpn_connection_id {c['vpnConnectionId']} {c.get('region') or 'cn-north-1'}"
    for c in rows(state, "alicloud", "vpn_connections"):
        return f"alicloud_vpn_connection_id {c['VpnConnectionId']} {c.get('RegionId') or 'cn-hangzhou'}"
    return None


def sections(lines):
    """{section name: [its child blocks, each a list of lines]} of a swanctl.conf."""
    out, depth, section, block = {}, 0, None, None
    for line in lines:
        if depth == 0 and line.rstrip().endswith("{"):
            section = line.split("{")[0].strip()
            out[section] = []
        elif depth == 1 and line.rstrip().endswith("{"):
            block = [line]
            out[section].append(block)
        elif depth >= 2:
            block.append(line)
        depth += line.count("{") - line.count("}")
    return out


def masked_conf(text):
    """The file's leading comments, its first connection and the first secret, every secret
    masked: one tunnel is enough to read, and no key reaches the screen."""
    lines = text.splitlines()
    comments = []
    for line in lines:
        if not line.startswith("#"):
            break
        comments.append(line)
    found = sections(lines)
    connections, secrets = found.get("connections", []), found.get("secrets", [])
    shown = comments + ["connections {"] + (connections[:1] or [[]])[0] + ["}", "secrets {"]
    shown += (secrets[:1] or [[]])[0] + ["}"]
    if len(connections) > 1:
        shown.append(f"# ... and {len(connections) - 1} more connection(s) like it")
    return re.sub(r"(secret\s*=\s*).*", r"\1********  # masked", "\n".join(shown))


def load(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path) as f:
        return json.load(f)


def main():
    if sys.argv[1] == "--dump":
        print(json.dumps(masked(load(sys.argv[2])), indent=1))
        return
    if sys.argv[1] == "--first-connection":
        found = first_connection(load(sys.argv[2]))
        if found:
            print(found)
        return
    if sys.argv[1] == "--masked-conf":
        with open(sys.argv[2]) as f:
            print(masked_conf(f.read()))
        return
    state = load(sys.argv[1])
    show(state, "jdcloud", "JD Cloud", jdcloud(state))
    show(state, "alicloud", "Alibaba Cloud", alicloud(state))
    found = pairs(state)
    print("Tunnel pairs")
    if not found:
        print("  (none)")
    for i, (a, a_ip, b, b_ip, inside) in enumerate(found, 1):
        print(f"  {i}. {a} {a_ip}  <->  {b} {b_ip}   inside {inside}")


if __name__ == "__main__":
    main()
