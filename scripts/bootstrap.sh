#!/usr/bin/env bash
# make bootstrap / make bootstrap-pipeline: with an administrator's credentials (PROFILE), for
# every account and region the synthesized assembly deploys to that the profile's account owns:
#   1. the guardrails stack (gatehouse-guardrails: the permissions boundary every role carries
#      and the CloudFormation execution policy), deployed with those credentials, never by the
#      pipeline; the execution policy cannot change it;
#   2. cdk bootstrap with that execution policy instead of AdministratorAccess, trusting the
#      pipeline's account when TRUST is given.
# Stacks of another account are listed with what to run there.
# Usage: scripts/bootstrap.sh <assembly dir> <profile or ""> <trusted account or "">
set -euo pipefail
assembly="$1" profile="${2:-}" trust="${3:-}"
if [ "$trust" = 123456789012 ]; then
  echo "pipeline.account is 123456789012, AWS's documentation account (a placeholder): set the pipeline's account in cdk.json before trusting it" >&2
  exit 1
fi
aws_args=() cdk_args=()
[ -n "$profile" ] && aws_args+=(--profile "$profile") && cdk_args+=(--profile "$profile")
account=$(aws "${aws_args[@]}" sts get-caller-identity --output text --query Account)
policy_prefix="arn:aws:iam::$account:policy"
# "<template> <account> <region> <stack name>" of every stack, nested assemblies included.
stacks=$(node -e '
  const fs = require("fs"), path = require("path");
  const walk = (dir) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json")));
    for (const [id, a] of Object.entries(m.artifacts || {})) {
      if (a.type === "cdk:cloud-assembly") walk(path.join(dir, a.properties.directoryName));
      if (a.type !== "aws:cloudformation:stack") continue;
      const [acct, region] = a.environment.replace("aws://", "").split("/");
      console.log([path.join(dir, a.properties.templateFile), acct, region, a.properties.stackName || id].join(" "));
    }
  };
  walk(process.argv[1]);' "$assembly")
targets=() others=()
while read -r template acct region name; do
  [[ "$acct" == unknown-* ]] && acct=$account
  if [ "$acct" != "$account" ]; then
    others+=("$name in $acct/$region"); continue
  fi
  if [ "$name" = gatehouse-guardrails ]; then
    echo "guardrails (boundary and execution policy) into $acct, with your credentials:"
    aws "${aws_args[@]}" cloudformation deploy --region "$region" --stack-name "$name" --template-file "$template" \
      --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset
  fi
  [[ " ${targets[*]} " == *" aws://$acct/$region "* ]] || targets+=("aws://$acct/$region")
done <<< "$stacks"
# Every bootstrap role (the lookup role, which AWS's ReadOnlyAccess and the --trust account's
# access would otherwise let read the app's data, among them) carries the bootstrap boundary.
args=(--cloudformation-execution-policies "$policy_prefix/gatehouse-deploy-execution" --custom-permissions-boundary gatehouse-bootstrap-boundary)
[ -n "$trust" ] && [ "$trust" != "$account" ] && args+=(--trust "$trust")
echo "cdk bootstrap ${targets[*]} ${args[*]}"
cdk --no-notices bootstrap "${cdk_args[@]}" "${args[@]}" "${targets[@]}"
if [ ${#others[@]} -gt 0 ]; then
  printf 'not bootstrapped (another account: run make bootstrap again with a profile of it):\n' >&2
  printf '  %s\n' "${others[@]}" >&2
fi
