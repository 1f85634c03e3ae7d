#!/usr/bin/env bash
# Installs (through `npm test`) the system packages the test suite talks to: the aws cli, boto3, rclone, s3cmd and restic
# (S3 clients), PostgreSQL (the cluster-mode metadata engine) and Chromium (browser tests). An aws cli or a boto3
# already there (say, in the python3 on PATH) is used as it is; Debian's install into /usr/bin, where the tests look too.
# Idempotent; needs root or sudo when something is missing. A package that cannot be installed fails here, and a client
# the tests cannot find fails them: no test is silently skipped.
set -euo pipefail
need=()
command -v aws >/dev/null || need+=(awscli)
python3 -c 'import boto3, botocore' 2>/dev/null || /usr/bin/python3 -c 'import boto3, botocore' 2>/dev/null || need+=(python3-boto3)
command -v rclone >/dev/null || need+=(rclone)
command -v s3cmd >/dev/null || need+=(s3cmd)
command -v restic >/dev/null || need+=(restic)
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
