#!/usr/bin/env bash
# The Go interop test against the real reference code, at both versions: built offline from
# ../shared/reference/go-dataexchange/<version> through go.mod's replace directive (GOPROXY=off;
# the module proxy is never asked). Prints SKIP with the reason only where Go or ../shared is
# missing (as on a user's machine), and one SUITE line per version.
set -u
cd "$(dirname "$0")"
reference=../../../shared/reference/go-dataexchange
if ! command -v go >/dev/null 2>&1; then
  echo "SKIP go interop (dataexchange): go is not on PATH"
  exit 0
fi
if [ ! -d "$reference" ]; then
  echo "SKIP go interop (dataexchange): $reference (the reference source beside the checkout) is absent"
  exit 0
fi
export GOPROXY=off GOFLAGS=-mod=mod GOWORK=off WIRE_BIN="${WIRE_BIN:?set WIRE_BIN to the wire CLI}"
status=0
for version in main 0.2.1-beta.1; do
  modfile=go.mod
  [ "$version" = main ] || modfile="go.v$version.mod"
  out=$(WIRE_DX_VERSION=$version go test -modfile="$modfile" -count=1 -v . 2>&1)
  rc=$?
  echo "$out" | grep -E '^(--- |ok|FAIL|panic)' | sed 's/^/    /'
  passed=$(grep -c '^--- PASS' <<<"$out")
  failed=$(grep -c '^--- FAIL' <<<"$out")
  if [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "$out" | tail -20
    failed=1
  fi
  echo "SUITE go-dataexchange-$version: $passed passed, $failed failed, 0 skipped"
  [ $rc -eq 0 ] || status=1
done
exit $status
