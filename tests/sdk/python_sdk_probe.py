"""Calls the reference server with the official Huawei Cloud Python SDKs and prints what happened.

Usage: python3 python_sdk_probe.py BASE_URL TOKEN PROJECT GRAPH INSTANCE [AK SK]
TOKEN "-" sends no X-Auth-Token (the server must then verify the SDK's AK/SK signature).
Prints one JSON object: per call, the SDK method, the request the SDK built (method, path,
content type, header names, body length; never header values) and the outcome. Exit 3 when
the SDKs are not installed (the Rust test then skips with that message).

"body" is the SDK's parsed model serialised again; "wire_body" is what the server sent.
The SDKs sign every request with AK/SK. With a TOKEN the probe also adds an X-Auth-Token header in
a request handler, which runs after signing (the reference server checks the token); with "-" the
signature alone must convince the server.
"""

import json
import sys

try:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from huaweicloudsdkges.v1 import GesClient as GesV1, CreateBackupRequest, ListBackupsRequest
    from huaweicloudsdkges.v2 import GesClient as GesV2, CreateBackup2Request, ExportBackup2Request, ExportBackupReq
    from huaweicloudsdkgaussdbfornosql.v3 import (
        GaussDBforNoSQLClient,
        CreateBackRequest,
        NoSqlCreateBackupRequestBody,
    )
except ImportError as e:
    print(f"huaweicloud python SDKs not importable: {e}", file=sys.stderr)
    sys.exit(3)

base, token, project, graph, instance = sys.argv[1:6]
ak, sk = (sys.argv[6:8] + ["PLACEHOLDER_AK", "PLACEHOLDER_SK"][len(sys.argv[6:8]):])[:2]
seen = []
raw = []


def on_request(**kwargs):
    request = kwargs["request"]
    if token != "-":
        request.header_params["X-Auth-Token"] = token
    body = request.body
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    seen.append(
        {
            "method": request.method,
            "path": request.uri,
            "query": request.query_params,
            "content_type": request.header_params.get("Content-Type"),
            "headers": sorted(request.header_params.keys()),
            "body_length": None if body is None else len(body),
        }
    )


def on_response(**kwargs):
    response = kwargs["response"]
    try:
        raw.append(json.loads(response.text))
    except ValueError:
        raw.append(response.text)


def client(builder):
    creds = BasicCredentials(ak, sk, project)
    handler = HttpHandler().add_request_handler(on_request).add_response_handler(on_response)
    return builder.with_credentials(creds).with_endpoints([base]).with_http_handler(handler).build()


v1 = client(GesV1.new_builder())
v2 = client(GesV2.new_builder())
nosql = client(GaussDBforNoSQLClient.new_builder())
calls = []


def call(name, fn):
    before, raw_before = len(seen), len(raw)
    try:
        response = fn()
        outcome = {"ok": True, "status": response.status_code, "body": json.loads(str(response))}
    except ClientRequestException as e:
        outcome = {"ok": False, "status": e.status_code, "error_code": e.error_code, "error_msg": e.error_msg}
    except Exception as e:  # noqa: BLE001 - the probe reports every failure as data
        outcome = {"ok": False, "status": None, "error": f"{type(e).__name__}: {e}"}
    outcome["name"] = name
    outcome["wire_body"] = raw[raw_before] if len(raw) > raw_before else None
    outcome["request"] = seen[before] if len(seen) > before else None
    calls.append(outcome)
    return outcome


add2 = call("ges.v2.add_backup", lambda: v2.create_backup2(CreateBackup2Request(graph_id=graph)))
call("ges.v1.add_backup", lambda: v1.create_backup(CreateBackupRequest(graph_id=graph)))
call("ges.v1.list_backups", lambda: v1.list_backups(ListBackupsRequest(limit=2, offset=0)))
backup = (add2.get("wire_body") or {}).get("backup_id") or "missing"
call(
    "ges.v2.export_backup",
    lambda: v2.export_backup2(
        ExportBackup2Request(graph_id=graph, body=ExportBackupReq(backup_id=backup, export_path="obs://bucket/dir"))
    ),
)
call(
    "geminidb.v3.create_backup",
    lambda: nosql.create_back(
        CreateBackRequest(
            instance_id=instance, body=NoSqlCreateBackupRequestBody(name="sdk_backup", description="from the sdk")
        )
    ),
)
call("ges.v2.add_backup(unknown graph)", lambda: v2.create_backup2(CreateBackup2Request(graph_id="no-such-graph")))
print(json.dumps(calls, indent=1, sort_keys=True))
