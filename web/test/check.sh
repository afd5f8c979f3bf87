#!/usr/bin/env bash
# The web app's checks (make test-web), in web/: strict type check, lint, unit tests, the record of
# the AWS calls they sent (test-results/aws-calls.json, test/aws-calls-check.mjs), next build, no
# server code in the browser's bundle (test/client-bundle.mjs), then the Chromium test, or one
# loud line where there is no Chromium. Ends with one line of each step's time, which make bench
# reads.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
times=()
step() {
  local name=$1 start=$EPOCHREALTIME
  shift
  "$@"
  times+=("$name $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }')")
}
# next typegen first: the route types under .next/types are Next's, and a checkout's from before a
# page or route was removed would name it.
step typegen npx next typegen
step typecheck npx tsc --noEmit
step lint npx eslint --max-warnings 0 .
step unit npx vitest run
step calls node test/aws-calls-check.mjs
step build npx next build
step bundle node test/client-bundle.mjs
if [ -x "$CHROMIUM" ]; then
  step browser env CHROMIUM="$CHROMIUM" node test/browser.mjs
else
  echo "!!! SKIPPED the web app's browser test: no Chromium at $CHROMIUM. Install Debian's: sudo apt-get install -y chromium (or set CHROMIUM=<path>)"
fi
line=$(printf '%s, ' "${times[@]}")
echo "web checks: ${line%, }"
