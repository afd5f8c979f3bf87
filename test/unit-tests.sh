#!/usr/bin/env bash
# Builds the test binaries of the CDK tests (test/, into build/tests/test.test) and of every
# other package but the construct packages (whose godoc examples go vet compiles), in one
# `go test -c` (Go caches their links: go test would relink every binary on every run), then,
# with `run`, runs the other packages' binaries, each in its own directory, printing "ok  <package>"
# or the failing output; exits non-zero if any package fails.
#
#   test/unit-tests.sh build   # go test -c of all of them
#   test/unit-tests.sh run     # run all but the CDK tests
set -uo pipefail
cd "$(dirname "$0")/.."
out=build/tests
packages() {
  go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... | grep -v -e '/constructs/' -e '/test '
}
case "${1:-}" in
build)
  mkdir -p "$out"
  exec go test -c -vet=off -o "$out/" ./test $(packages | cut -d' ' -f1)
  ;;
run)
  status=0
  while read -r pkg dir; do
    start=$EPOCHREALTIME
    # go test -c -o <dir>/ names each binary after the last element of its import path.
    if log=$(cd "$dir" && "$OLDPWD/$out/${pkg##*/}.test" -test.count=1 2>&1); then
      awk -v p="$pkg" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "ok  \t%s\t%.3fs\n", p, b - a }'
    else
      printf '%s\nFAIL\t%s\n' "$log" "$pkg"; status=1
    fi
  done < <(packages)
  exit $status
  ;;
*)
  echo "usage: $0 build|run" >&2; exit 2
  ;;
esac
