"""Talks to a hybridnet sandbox with the OFFICIAL JD Cloud Python SDK (PyPI jdcloud-sdk).

Usage: jdcloud_sdk_sign.py SANDBOX_URL ACCESS_KEY SECRET_KEY

Run by tests/sdk_jdcloud.rs with .venv/bin/python (scripts/ensure-tools.sh creates it). Prints one
JSON object on stdout: what each check observed. The Rust test holds the expectations.

Two ways in:
- "client_*": the SDK's own JDCloudClient (signer + HTTP + response parsing). The SDK ships
  request classes only for the two published bgw operations, so the customer gateway operations
  are declared here the way the SDK's generated classes are (JDCloudRequest subclasses).
- "signed_*" / "tampered_*": the SDK's Signer signs a request that urllib sends byte for byte;
  then the same signed headers go out with one byte of the body, query, path or date changed.
  Each tampered request is sent BEFORE its untampered original, so a 401 cannot come from a
  replayed nonce: the original, sent afterwards with the same nonce, must still succeed.

The SDK signs JDCLOUD3-HMAC-SHA256 over `content-type;host` only and adds x-jdcloud-date,
x-jdcloud-nonce and x-jdcloud-content-sha256 unsigned (docs/design/jdcloud.md §5.2).
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from jdcloud_sdk.core.config import Config
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.core.jdcloudrequest import JDCloudRequest
from jdcloud_sdk.core.logger import FATAL, Logger
from jdcloud_sdk.core.signer import Signer
from jdcloud_sdk.services.bgw.apis.ModifyAdminStatusRequest import (
    ModifyAdminStatusParameters,
    ModifyAdminStatusRequest,
)
from jdcloud_sdk.services.bgw.client.BgwClient import BgwClient

REGION = "cn-north-1"
SERVICE = "bgw"
# The SDK logs canonical requests to stdout at its default level; stdout is our JSON.
QUIET = Logger(FATAL)


class CreateCustomerGatewayRequest(JDCloudRequest):
    def __init__(self, parameters, header=None, version="v1"):
        super().__init__("/regions/{regionId}/customerGateways/", "POST", header, version)
        self.parameters = parameters


class DescribeCustomerGatewaysRequest(JDCloudRequest):
    def __init__(self, parameters, header=None, version="v1"):
        super().__init__("/regions/{regionId}/customerGateways/", "GET", header, version)
        self.parameters = parameters


class DescribeCustomerGatewayRequest(JDCloudRequest):
    def __init__(self, parameters, header=None, version="v1"):
        super().__init__(
            "/regions/{regionId}/customerGateways/{customerGatewayId}", "GET", header, version
        )
        self.parameters = parameters


def client_call(client, request):
    """Sends through the SDK client; reports what the SDK parsed."""
    resp = client.send(request)
    error = None
    if resp.error is not None:
        error = {"code": resp.error.code, "status": resp.error.status, "message": resp.error.message}
    return {"request_id": resp.request_id, "error": error, "result": resp.result}


def sign(method, url, body, credential):
    """Headers for `url` as the SDK would send them (Signer.sign fills them in place)."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "JdcloudSdkPython/sdk-signature-test bgw/1.3.1",
    }
    Signer(QUIET).sign(
        method=method,
        service=SERVICE,
        region=REGION,
        uri=url,
        headers=headers,
        data=body,
        credential=credential,
        security_token="",
    )
    return headers


def send(method, url, headers, body):
    """Sends exactly `body` with `headers`; returns status and parsed JSON (or the raw text)."""
    data = body.encode("utf-8") if body else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
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


def flip_one_byte(s, index):
    """`s` with the character at `index` replaced by a different ASCII letter."""
    c = s[index]
    return s[:index] + ("b" if c == "a" else "a") + s[index + 1:]


def main():
    base_url, access_key, secret_key = sys.argv[1:4]
    parsed = urllib.parse.urlparse(base_url)
    credential = Credential(access_key, secret_key)
    client = BgwClient(credential, Config(parsed.netloc, scheme=parsed.scheme), QUIET)
    out = {}

    # --- The official client end to end -------------------------------------------------
    created = client_call(
        client,
        CreateCustomerGatewayRequest(
            {
                "regionId": REGION,
                "customerGatewaySpec": {
                    "customerGatewayName": "sdk-client-cgw",
                    "customerIps": ["198.51.100.1"],
                    "bgpAsn": 65100,
                    "description": "created by the official jdcloud-sdk client",
                },
            }
        ),
    )
    out["client_create"] = created
    out["client_describe_many"] = client_call(
        client, DescribeCustomerGatewaysRequest({"regionId": REGION, "pageSize": 50})
    )
    gw_id = (created.get("result") or {}).get("customerGatewayId") or "cgw-missing"
    out["client_describe"] = client_call(
        client,
        DescribeCustomerGatewayRequest({"regionId": REGION, "customerGatewayId": gw_id}),
    )
    out["client_not_found"] = client_call(
        client,
        DescribeCustomerGatewayRequest({"regionId": REGION, "customerGatewayId": "cgw-doesnotexist"}),
    )
    # A published bgw operation through the SDK's generated request class: the tunnel does not
    # exist, so the SDK has to parse our 404 error envelope.
    out["client_modify_admin_status"] = client_call(
        client,
        ModifyAdminStatusRequest(ModifyAdminStatusParameters(REGION, "vpnt-doesnotexist", "DOWN")),
    )

    # --- The SDK signer, with tampering ------------------------------------------------
    collection = base_url + "/v1/regions/" + REGION + "/customerGateways/"

    # POST: body tampered (x-jdcloud-content-sha256 left as signed) ...
    body = json.dumps(
        {
            "regionId": REGION,
            "customerGatewaySpec": {
                "customerGatewayName": "sdk-signer-cgw",
                "customerIps": ["198.51.100.2"],
                "bgpAsn": 65101,
            },
        }
    )
    headers = sign("POST", collection, body, credential)
    out["authorization"] = headers["Authorization"]
    name_at = body.index("sdk-signer-cgw")
    out["tampered_body"] = send("POST", collection, headers, flip_one_byte(body, name_at))
    # ... and without the content hash header, so only the signature itself can catch it.
    no_hash = {k: v for k, v in headers.items() if k.lower() != "x-jdcloud-content-sha256"}
    out["tampered_body_no_hash_header"] = send(
        "POST", collection, no_hash, flip_one_byte(body, name_at)
    )
    out["signed_post"] = send("POST", collection, headers, body)

    # GET with a query: query tampered, then the original.
    list_url = collection + "?pageNumber=1&pageSize=20"
    headers = sign("GET", list_url, "", credential)
    out["tampered_query"] = send("GET", list_url.replace("pageSize=20", "pageSize=21"), headers, "")
    out["signed_get"] = send("GET", list_url, headers, "")

    # GET one gateway: path tampered (one character of the id), then the original.
    item_url = collection.rstrip("/") + "/" + gw_id
    headers = sign("GET", item_url, "", credential)
    out["tampered_path"] = send("GET", flip_one_byte(item_url, len(item_url) - 1), headers, "")
    out["signed_get_item"] = send("GET", item_url, headers, "")

    # The date is not a signed header for this SDK, but it is in the string to sign.
    headers = sign("GET", collection, "", credential)
    date = headers["x-jdcloud-date"]
    moved = dict(headers)
    # Change the seconds only: same day, well within the allowed clock skew.
    seconds = "00" if date[-3:-1] != "00" else "01"
    moved["x-jdcloud-date"] = date[:-3] + seconds + "Z"
    out["tampered_date"] = send("GET", collection, moved, "")
    out["signed_get_again"] = send("GET", collection, headers, "")

    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
