#!/usr/bin/env python3
"""Bulk and multipart scenarios for boto3, on top of sklad_boto3.py (same usage, output and exit codes).

Usage: sklad_boto3_bulk.py SCENARIO [JSON-ARGS]
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sklad_boto3 as base  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


def _transfer_config(args):
    return TransferConfig(
        multipart_threshold=args["threshold"],
        multipart_chunksize=args["chunksize"],
        max_concurrency=args.get("concurrency", 4),
    )


def transfer(args):
    """upload_file then download_file with a small multipart threshold and chunk size."""
    s3 = base.client()
    config = _transfer_config(args)
    s3.upload_file(args["path"], args["bucket"], args["key"], Config=config)
    s3.download_file(args["bucket"], args["key"], args["down"], Config=config)
    return {"size": os.path.getsize(args["down"])}


def managed_copy(args):
    """s3.copy (the managed, multipart-capable copy) from one bucket to another."""
    s3 = base.client()
    s3.copy(
        {"Bucket": args["src_bucket"], "Key": args["src_key"]}, args["bucket"], args["key"], Config=_transfer_config(args)
    )
    return {}


def _list_keys(s3, bucket, prefix, page_size):
    keys, pages = [], 0
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    ):
        pages += 1
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys, pages


def delete_many(args):
    """Puts args.count keys under args.prefix, lists them with a paginator, deletes them with one
    delete_objects call, then lists again. Only the delete_objects request is kept in "requests"."""
    s3 = base.client()
    bucket, prefix, count = args["bucket"], args["prefix"], args["count"]
    keys = [f"{prefix}{i:04d}" for i in range(count)]

    def put(key):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode("utf-8"))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, keys))
    listed, pages = _list_keys(s3, bucket, prefix, args.get("page_size", 250))
    base._sent.clear()
    res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": args.get("quiet", False)})
    deleted = [d["Key"] for d in res.get("Deleted", [])]
    errors = res.get("Errors", [])
    sent = list(base._sent)
    remaining, _ = _list_keys(s3, bucket, prefix, 1000)
    base._sent[:] = sent
    return {
        "listed": listed,
        "list_pages": pages,
        "deleted": deleted,
        "errors": errors,
        "remaining": remaining,
        "_status": res["ResponseMetadata"]["HTTPStatusCode"],
    }


def delete_too_many(args):
    """delete_objects with args.count keys (none of which need to exist): S3 allows at most 1000."""
    s3 = base.client()
    keys = [{"Key": f"{args['prefix']}{i:04d}"} for i in range(args["count"])]
    return base.response(s3.delete_objects(Bucket=args["bucket"], Delete={"Objects": keys, "Quiet": True}))


def multipart_crc32(args):
    """create_multipart_upload(ChecksumAlgorithm=CRC32[, ChecksumType]), upload_part with CRC32 for each part
    (args.part_paths: one file per part), complete_multipart_upload with each part's ChecksumCRC32."""
    s3 = base.client()
    bucket, key = args["bucket"], args["key"]
    create_params = {"Bucket": bucket, "Key": key, "ChecksumAlgorithm": "CRC32"}
    if args.get("checksum_type"):
        create_params["ChecksumType"] = args["checksum_type"]
    created = s3.create_multipart_upload(**create_params)
    upload_id = created["UploadId"]
    parts, uploaded = [], []
    for number, part_path in enumerate(args["part_paths"], start=1):
        with open(part_path, "rb") as f:
            body = f.read()
        res = s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, ChecksumAlgorithm="CRC32"
        )
        uploaded.append({"ETag": res["ETag"], "ChecksumCRC32": res.get("ChecksumCRC32")})
        part = {"PartNumber": number, "ETag": res["ETag"], "ChecksumCRC32": res["ChecksumCRC32"]}
        if args.get("wrong_part_checksum") == number:
            part["ChecksumCRC32"] = "AAAAAA=="
        parts.append(part)
    complete_params = {"Bucket": bucket, "Key": key, "UploadId": upload_id, "MultipartUpload": {"Parts": parts}}
    if args.get("full_object_checksum"):
        complete_params["ChecksumCRC32"] = args["full_object_checksum"]
        complete_params["ChecksumType"] = "FULL_OBJECT"
    out = {"created": base.response(created), "uploaded": uploaded}
    try:
        out["completed"] = base.response(s3.complete_multipart_upload(**complete_params))
    except ClientError as e:
        err = e.response.get("Error", {})
        meta = e.response.get("ResponseMetadata", {})
        out["complete_error"] = {"code": err.get("Code"), "status": meta.get("HTTPStatusCode"), "message": err.get("Message")}
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        return out
    out["head"] = base.response(s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED"))
    out["attributes"] = base.response(
        s3.get_object_attributes(Bucket=bucket, Key=key, ObjectAttributes=["ETag", "Checksum", "ObjectParts", "ObjectSize"])
    )
    return out


base.SCENARIOS.update(
    {
        "transfer": transfer,
        "managed_copy": managed_copy,
        "delete_many": delete_many,
        "delete_too_many": delete_too_many,
        "multipart_crc32": multipart_crc32,
    }
)

if __name__ == "__main__":
    base.main()
