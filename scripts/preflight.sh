#!/usr/bin/env bash
# Pre-flight of the make targets that reach AWS (diff, deploy, destroy, bootstrap): the AWS CLI
# is installed and the profile's credentials work; otherwise one line says what to do, and the
# exit status is 1. Usage: scripts/preflight.sh [profile]
set -uo pipefail
profile="${1:-}"
if ! command -v aws >/dev/null 2>&1; then
  echo "the AWS CLI is not installed: it is how profiles and SSO sessions are used; install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), then aws configure sso" >&2
  exit 1
fi
args=(sts get-caller-identity --output text --query Account)
[ -n "$profile" ] && args+=(--profile "$profile")
if out=$(aws "${args[@]}" 2>&1); then
  echo "AWS account $out${profile:+ (profile $profile)}"
  exit 0
fi
name=${profile:+profile $profile}
name=${name:-the default credentials}
case "$out" in
  *"could not be found"*)
    echo "profile $profile is not configured: aws configure sso --profile $profile, or name another with PROFILE=<profile>" ;;
  *SSO*|*sso*|*"Token has expired"*|*"token has expired"*)
    echo "the SSO session of $name has expired or never started: run aws sso login${profile:+ --profile $profile}" ;;
  *"Unable to locate credentials"*)
    echo "no credentials for $name: set PROFILE=<profile> (aws configure sso --profile <profile>) or credentials in the environment" ;;
  *)
    echo "the credentials of $name do not work: $(printf '%s\n' "$out" | head -1)" ;;
esac >&2
exit 1
