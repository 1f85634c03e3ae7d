#!/usr/bin/env python3
"""Server-side encryption with boto3 (default settings, path-style addressing) for the end-to-end tests.

Usage: sklad_boto3_sse.py boto

Environment: SKLAD_ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. The bucket "boto"
must exist. Prints one JSON document of observations on stdout and exits 0; any failure prints a traceback
on stderr and exits 1.
"""
import base64
import hashlib
import io
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

BUCKET = "boto"


def client():
    return boto3.session.Session().client(
        "s3",
        endpoint_url=os.environ["SKLAD_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path"}),
    )


def data(n, seed):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return bytes(out[:n])


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response.get("Error", {}).get("Code"),
            "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        }
    return None


def boto():
    s3 = client()
    out = {}

    plain = data(200_000, "sse-s3")
    put = s3.put_object(Bucket=BUCKET, Key="sse-s3", Body=plain, ServerSideEncryption="AES256")
    out["sse_s3_put"] = put.get("ServerSideEncryption")
    got = s3.get_object(Bucket=BUCKET, Key="sse-s3")
    out["sse_s3_get"] = got.get("ServerSideEncryption")
    out["sse_s3_whole_ok"] = got["Body"].read() == plain
    ranged = s3.get_object(Bucket=BUCKET, Key="sse-s3", Range="bytes=65530-131080")
    out["sse_s3_range_ok"] = ranged["Body"].read() == plain[65530:131081]

    # boto3 takes the raw 32-byte key and computes the base64 encoding and the MD5 itself.
    key = os.urandom(32)
    other = os.urandom(32)
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    secret = data(300_000, "sse-c")
    put = s3.put_object(Bucket=BUCKET, Key="sse-c", Body=secret, **sse_c)
    out["sse_c_put"] = {
        "algorithm": put.get("SSECustomerAlgorithm"),
        "md5_matches": put.get("SSECustomerKeyMD5") == base64.b64encode(hashlib.md5(key).digest()).decode(),
    }
    out["sse_c_whole_ok"] = s3.get_object(Bucket=BUCKET, Key="sse-c", **sse_c)["Body"].read() == secret
    ranged = s3.get_object(Bucket=BUCKET, Key="sse-c", Range="bytes=100-70000", **sse_c)
    out["sse_c_range_ok"] = ranged["Body"].read() == secret[100:70001]
    out["sse_c_head_length"] = s3.head_object(Bucket=BUCKET, Key="sse-c", **sse_c)["ContentLength"]
    out["sse_c_no_key"] = error_of(lambda: s3.get_object(Bucket=BUCKET, Key="sse-c"))
    out["sse_c_wrong_key"] = error_of(
        lambda: s3.get_object(Bucket=BUCKET, Key="sse-c", SSECustomerAlgorithm="AES256", SSECustomerKey=other)
    )

    # s3transfer carries the SSE-C arguments to CreateMultipartUpload and every UploadPart.
    big = data(12 * 1024 * 1024, "multipart")
    small_parts = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(big), BUCKET, "sse-c-multipart", ExtraArgs=sse_c, Config=small_parts)
    fetched = s3.get_object(Bucket=BUCKET, Key="sse-c-multipart", **sse_c)["Body"].read()
    out["sse_c_multipart_ok"] = fetched == big
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "boto":
        sys.stderr.write(__doc__)
        sys.exit(2)
    json.dump(boto(), sys.stdout)
