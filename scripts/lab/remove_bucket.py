"""Removes an S3 bucket of the lab with everything in it (objects and unfinished multipart uploads).

Usage: remove_bucket.py BUCKET, with FERRY_S3_ENDPOINT, FERRY_S3_ACCESS_KEY and FERRY_S3_SECRET_KEY from
`scripts/ceph-lab.sh env`. A bucket that does not exist is not an error. Run by `openstack-lab.sh down` for Glance
RegionOne's s3 store: the bucket outlives the lab directory otherwise, on a radosgw that other labs share.
"""
import os
import sys

import boto3
from botocore.config import Config


def main(bucket):
    s3 = boto3.client("s3", endpoint_url=os.environ["FERRY_S3_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id=os.environ["FERRY_S3_ACCESS_KEY"],
                      aws_secret_access_key=os.environ["FERRY_S3_SECRET_KEY"],
                      config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30,
                                    retries={"max_attempts": 1}))
    try:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for u in page.get("Uploads", []):
                s3.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
        s3.delete_bucket(Bucket=bucket)
    except s3.exceptions.NoSuchBucket:
        pass


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: remove_bucket.py BUCKET")
    main(sys.argv[1])
