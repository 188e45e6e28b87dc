#!/usr/bin/env bash
# Deploys the rotation function with AWS SAM (docs/deploy-aws.md explains
# each step, the sizing and the IAM policy). Run from the repository root
# with AWS credentials for the target account; edit the names first.
set -euo pipefail

# 1. The config, in an SSM parameter (up to 4 KB; 8 KB with --tier Advanced).
aws ssm put-parameter --name /regmint/config --type String \
  --value file://examples/rotation.yaml --overwrite

# 2. The cloud keys, in source secrets outside the destination prefix.
#    Typed in here rather than written in this file or the shell history.
source_secret() { # name, then the JSON field names of its two values
  local name=$1 f1=$2 f2=$3 v1 v2
  read -rsp "$name $f1: " v1 && echo >&2
  read -rsp "$name $f2: " v2 && echo >&2
  # On stdin, not the command line, where other users' ps would see it.
  jq -cn --arg a "$v1" --arg b "$v2" --arg fa "$f1" --arg fb "$f2" '{($fa): $a, ($fb): $b}' |
    aws secretsmanager create-secret --name "$name" --query ARN --output text --secret-string file:///dev/stdin
}
tencent_arn=$(source_secret regmint-source/tencent access_key_id access_key_secret)
huawei_arn=$(source_secret regmint-source/huawei access_key_id access_key_secret)

# 3. Build (make build-RotateFunction: static arm64 bootstrap) and deploy.
sam build
sam deploy --stack-name regmint --capabilities CAPABILITY_IAM --resolve-s3 \
  --parameter-overrides \
    ConfigParameterName=/regmint/config \
    NamePrefix=regmint/ \
    SourceSecretArns="$tencent_arn,$huawei_arn"
