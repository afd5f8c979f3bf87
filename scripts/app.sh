#!/bin/sh
# cdk.json's app command, kept short so that the CDK CLI's "<app>: Subprocess exited with
# error 1" line after a configuration error is short too. It builds the Lambda functions and the
# app (make app: each only after a change), then runs the prebuilt app with aws-cdk-lib's
# in-synth validation off: the app validates every new template itself, in strict mode
# (internal/cfnvalidate). CDK_VALIDATION must be set before the process starts (jsii reads it
# when the CDK packages initialize). GATEHOUSE_VALIDATOR=in-synth leaves aws-cdk-lib's in-synth
# validation on instead (make bench compares the two); =off runs no validator (make bench).
set -e
make --no-print-directory -s app
if [ "${GATEHOUSE_VALIDATOR:-}" = in-synth ]; then
  unset CDK_VALIDATION
else
  export CDK_VALIDATION=false
fi
# JSII_RUNTIME: jsii's kernel started directly, without its relaying launcher
# (internal/cdkapp/jsii-kernel.sh; make app copies the kernel); a JSII_RUNTIME of your own wins.
JSII_RUNTIME="${JSII_RUNTIME:-exec \"$PWD/internal/cdkapp/jsii-kernel.sh\"}"
export JSII_RUNTIME
# NODE_OPTIONS: a smaller young generation (less memory, no slower) and the jsii kernel's compile
# cache (internal/cdkapp/compile-cache.cjs); a NODE_OPTIONS of your own replaces both.
NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=4 --require \"$PWD/internal/cdkapp/compile-cache.cjs\"}" exec build/gatehouse
