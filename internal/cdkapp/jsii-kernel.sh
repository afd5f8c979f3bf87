#!/bin/sh
# jsii's kernel started directly: the app's and the CDK tests' JSII_RUNTIME (scripts/app.sh, the
# Makefile). jsii-runtime-go otherwise starts a launcher, a second Node process that only relays
# each request and answer between the Go process and the kernel (and wraps the kernel's console
# output): a synth makes ~900 round trips, each two pipe hops longer, and pays the launcher's
# start and ~55 MB. The kernel is jsii's own program.js, copied by make from the jsii-runtime-go
# module go.mod pins (build/jsii-runtime); kernel-io.cjs gives it what the launcher gave it.
#
# Descriptors: 3 reads the requests (the Go process's pipe, our stdin), 4 writes the answers (our
# stdout), 1 and 2 are the Go process's stderr, where the console output goes as the launcher sends
# it; the kernel reads no stdin.
here=$(dirname "$0")
kernel=$here/../../build/jsii-runtime/lib/program.js
if [ ! -f "$kernel" ]; then
  echo "internal/cdkapp/jsii-kernel.sh: jsii's kernel, build/jsii-runtime/lib/program.js, is missing: run \`make app\` (it copies the kernel)" >&2
  exit 1
fi
exec node --preserve-symlinks --require "$here/kernel-io.cjs" "$kernel" 3<&0 4>&1 1>&2 0</dev/null
