#!/usr/bin/env python3
"""Drives an S3 endpoint with boto3 (default settings, path-style addressing) for the end-to-end tests.

Usage: sklad_boto3.py SCENARIO [JSON-ARGS]

Environment: SKLAD_ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.

Prints one JSON document on stdout and exits 0. When the server answers with an S3 error, prints
{"error": {"code": ..., "status": ..., "message": ...}, "requests": [...]} and exits 2. Any other failure
prints a traceback on stderr and exits 1.

Every result carries "requests": the method, path and headers of each HTTP request boto3 sent.
"""
import base64
import datetime
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

SINGLE_PUT = TransferConfig(multipart_threshold=64 * 1024 * 1024)

_sent = []
_sent_lock = threading.Lock()


def _record(request, **_):
    headers = {}
    for name, value in request.headers.items():
        headers[name.lower()] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    with _sent_lock:
        _sent.append({"method": request.method, "url": request.url, "headers": headers})


def client(signature_version=None):
    options = {"s3": {"addressing_style": "path"}}
    if signature_version:
        options["signature_version"] = signature_version
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=os.environ["SKLAD_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(**options),
    )
    s3.meta.events.register("before-send.s3", _record)
    return s3


def to_json(value):
    """Turns a boto3 response into JSON: streams and bytes become {"base64": ...}, dates ISO strings."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, StreamingBody):
        return {"base64": base64.b64encode(value.read()).decode("ascii")}
    if isinstance(value, (bytes, bytearray)):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def response(res):
    meta = res.pop("ResponseMetadata", {})
    out = to_json(res)
    out["_status"] = meta.get("HTTPStatusCode")
    out["_headers"] = meta.get("HTTPHeaders", {})
    return out


def decode_params(params):
    """{"base64": ...} values become bytes, so binary bodies can be passed in JSON."""
    if isinstance(params, dict):
        if set(params) == {"base64"}:
            return base64.b64decode(params["base64"])
        return {k: decode_params(v) for k, v in params.items()}
    if isinstance(params, list):
        return [decode_params(v) for v in params]
    return params


# --- scenarios ---------------------------------------------------------------------------------------------


def call(args):
    """Calls one client method: {"op": "put_object", "params": {...}}."""
    s3 = client(args.get("signature_version"))
    return response(getattr(s3, args["op"])(**decode_params(args.get("params", {}))))


def batch(args):
    """Runs several calls in one process: {"calls": [{"op", "params"}, ...]}. S3 errors are reported per call."""
    s3 = client(args.get("signature_version"))
    results = []
    for c in args["calls"]:
        try:
            results.append(response(getattr(s3, c["op"])(**decode_params(c.get("params", {})))))
        except ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            results.append({"error": {"code": err.get("Code"), "status": status, "message": err.get("Message")}})
    return {"results": results}


def upload_file(args):
    """upload_file (args.file) or upload_fileobj (args.fileobj) below the multipart threshold."""
    s3 = client()
    extra = args.get("extra")
    if args.get("fileobj"):
        with open(args["path"], "rb") as f:
            s3.upload_fileobj(f, args["bucket"], args["key"], ExtraArgs=extra, Config=SINGLE_PUT)
    else:
        s3.upload_file(args["path"], args["bucket"], args["key"], ExtraArgs=extra, Config=SINGLE_PUT)
    return {}


def download_file(args):
    client().download_file(args["bucket"], args["key"], args["path"], Config=SINGLE_PUT)
    return {"size": os.path.getsize(args["path"])}


def put_many(args):
    """Puts each key with its own name as the body, a few at a time."""
    s3 = client()

    def put(key):
        s3.put_object(Bucket=args["bucket"], Key=key, Body=key.encode("utf-8"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, args["keys"]))
    return {"count": len(args["keys"])}


def paginate(args):
    """Runs a paginator ("list_objects_v2" or "list_objects") and reports every page."""
    s3 = client()
    params = {"Bucket": args["bucket"]}
    for name in ("Prefix", "Delimiter", "EncodingType", "StartAfter", "Marker"):
        if name in args:
            params[name] = args[name]
    pages = []
    for page in s3.get_paginator(args["op"]).paginate(PaginationConfig={"PageSize": args["page_size"]}, **params):
        pages.append(
            {
                "keys": [o["Key"] for o in page.get("Contents", [])],
                "sizes": [o["Size"] for o in page.get("Contents", [])],
                "prefixes": [p["Prefix"] for p in page.get("CommonPrefixes", [])],
                "IsTruncated": page.get("IsTruncated"),
                "KeyCount": page.get("KeyCount"),
                "MaxKeys": page.get("MaxKeys"),
                "EncodingType": page.get("EncodingType"),
                "Prefix": page.get("Prefix"),
                "Delimiter": page.get("Delimiter"),
            }
        )
    return {"pages": pages}


def presign(args):
    """Presigns get_object for args.key, or for each of args.keys."""
    s3 = client(args.get("signature_version"))

    def url(key):
        return s3.generate_presigned_url(
            "get_object", Params={"Bucket": args["bucket"], "Key": key}, ExpiresIn=args.get("expires", 300)
        )

    if "keys" in args:
        return {"urls": [url(k) for k in args["keys"]]}
    return {"url": url(args["key"])}


SCENARIOS = {
    "call": call,
    "batch": batch,
    "upload_file": upload_file,
    "download_file": download_file,
    "put_many": put_many,
    "paginate": paginate,
    "presign": presign,
}


def main():
    scenario = SCENARIOS[sys.argv[1]]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    try:
        result = scenario(args)
    except ClientError as e:
        err = e.response.get("Error", {})
        meta = e.response.get("ResponseMetadata", {})
        json.dump(
            {
                "error": {"code": err.get("Code"), "status": meta.get("HTTPStatusCode"), "message": err.get("Message")},
                "requests": _sent,
            },
            sys.stdout,
        )
        sys.exit(2)
    result["requests"] = _sent
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
