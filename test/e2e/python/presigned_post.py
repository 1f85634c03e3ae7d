"""Prints boto3's generate_presigned_post for a sklad endpoint as JSON: {"url": ..., "fields": {...}}.

argv[1] is a JSON object: endpoint, bucket, key, fields (optional), conditions (optional), expires (seconds),
signature_version (optional: "s3v4", the default, or "s3" for SigV2).
"""
import json
import sys

import boto3
from botocore.config import Config

args = json.loads(sys.argv[1])
client = boto3.client(
    "s3",
    endpoint_url=args["endpoint"],
    region_name="us-east-1",
    config=Config(signature_version=args.get("signature_version", "s3v4"), s3={"addressing_style": "path"}),
)
post = client.generate_presigned_post(
    Bucket=args["bucket"],
    Key=args["key"],
    Fields=args.get("fields"),
    Conditions=args.get("conditions"),
    ExpiresIn=args.get("expires", 300),
)
print(json.dumps(post))
