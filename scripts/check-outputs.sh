#!/usr/bin/env bash
# The pipeline's check after each stage deploys (a CodeBuild step): ENV's stacks' outputs are
# readable and make the web app's configuration (app/cmd/web-config -from-stacks), read as the target
# account's bootstrap deploy role (cloudformation:DescribeStacks; it reads no application data).
# Usage: scripts/check-outputs.sh <env> <account> <region>   (in the repository; GOTOOLCHAIN=auto
# fetches go.mod's Go)
set -euo pipefail
env="$1" account="$2" region="$3"
role="arn:aws:iam::$account:role/cdk-hnb659fds-deploy-role-$account-$region"
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(aws sts assume-role --role-arn "$role" \
  --role-session-name "gatehouse-outputs-$env" --output text --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
out=$(mktemp -d)
go run ./app/cmd/web-config -env "$env" -from-stacks -out-dir "$out"
echo "$env: the stacks' outputs make the web app's configuration ($(ls "$out" | tr '\n' ' '))"
