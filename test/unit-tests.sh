#!/usr/bin/env bash
# Builds the test binaries of the CDK tests (test/, into build/tests/test.test) and of every
# other package but the construct packages and test/calls (make test-calls builds and runs it), in one `go test -c` (Go caches their links: go test
# would relink every binary on every run), after go vet of the construct packages, which hold
# only godoc examples (they compile, never run: vet compiles them without linking a CDK test
# binary per package), and lists the packages it built (build/tests/packages). Then, with `run`,
# runs those binaries, each in its own directory, printing "ok  <package>" or the failing
# output; exits non-zero if any package fails. make runs `build` when a Go source changed
# (build/tests/.built), so neither the vet nor the package list is redone on every run.
#
#   test/unit-tests.sh build   # go vet of the constructs, go test -c of all the others
#   test/unit-tests.sh run     # run all but the CDK tests
set -uo pipefail
cd "$(dirname "$0")/.."
out=build/tests
packages() {
  go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... | grep -v -e '/constructs/' -e '/test ' -e '/test/calls '
}
case "${1:-}" in
build)
  set -e
  mkdir -p "$out"
  rm -f "$out/packages"
  go vet ./constructs/...
  packages > "$out/packages.new"
  # go test -c -o <dir>/ names each binary after the last element of its import path: two
  # packages ending alike (app/cmd/x and x) cannot both have tests.
  if dup=$(awk '{ n = $1; sub(/.*\//, "", n); if (seen[n]++) print $1 }' "$out/packages.new") && [ -n "$dup" ]; then
    echo "test packages whose paths end alike (their test binaries would collide): $dup; move the tests" >&2; exit 1
  fi
  go test -c -vet=off -o "$out/" ./test $(cut -d' ' -f1 "$out/packages.new")
  mv "$out/packages.new" "$out/packages"
  ;;
run)
  if [ ! -s "$out/packages" ]; then
    echo "$out/packages is missing: run test/unit-tests.sh build first (make test-go does)" >&2; exit 1
  fi
  status=0
  while read -r pkg dir; do
    start=$EPOCHREALTIME
    # go test -c -o <dir>/ names each binary after the last element of its import path.
    if log=$(cd "$dir" && "$OLDPWD/$out/${pkg##*/}.test" -test.count=1 2>&1); then
      awk -v p="$pkg" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "ok  \t%s\t%.3fs\n", p, b - a }'
    else
      printf '%s\nFAIL\t%s\n' "$log" "$pkg"; status=1
    fi
  done < "$out/packages"
  exit $status
  ;;
*)
  echo "usage: $0 build|run" >&2; exit 2
  ;;
esac
