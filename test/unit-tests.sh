#!/usr/bin/env bash
# Runs the Go tests of every package but the CDK tests (test/) and the construct packages (whose
# godoc examples go vet compiles): each package's test binary is built with `go test -c`, whose
# link Go caches (go test relinks every binary on every run), and run in its own directory.
# Prints "ok  <package>" or the failing output; exits non-zero if any package fails.
set -uo pipefail
cd "$(dirname "$0")/.."
out=build/unit-tests
mkdir -p "$out"
status=0
while read -r pkg dir; do
  bin="$PWD/$out/$(echo "$pkg" | tr '/.' '--').test"
  if ! go test -c -vet=off -o "$bin" "$pkg"; then
    echo "FAIL $pkg (build)"; status=1; continue
  fi
  start=$EPOCHREALTIME
  if log=$(cd "$dir" && "$bin" -test.count=1 2>&1); then
    awk -v p="$pkg" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "ok  \t%s\t%.3fs\n", p, b - a }'
  else
    printf '%s\nFAIL\t%s\n' "$log" "$pkg"; status=1
  fi
done < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... | grep -v -e '/constructs/' -e '/test ')
exit $status
