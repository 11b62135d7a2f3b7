#!/usr/bin/env bash
# Runs the Go interop test when Go and the reference module are available; otherwise says why
# it is skipped (never silently).
set -u
cd "$(dirname "$0")"
if ! command -v go >/dev/null 2>&1; then
  echo "SKIP go interop (dataexchange): go is not on PATH"
  exit 0
fi
if ! out=$(GOFLAGS=-mod=mod go mod download github.com/pilot-protocol/dataexchange 2>&1); then
  echo "SKIP go interop (dataexchange): github.com/pilot-protocol/dataexchange v0.2.1-beta.1 cannot be downloaded here:"
  echo "$out" | sed 's/^/    /' | head -3
  exit 0
fi
GOFLAGS=-mod=mod WIRE_BIN="${WIRE_BIN:?set WIRE_BIN to the wire CLI}" go test -count=1 ./...
