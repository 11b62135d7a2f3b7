#!/usr/bin/env bash
# Runs every fuzz target for a few seconds, seeded from the vectors, when nightly Rust and
# cargo-fuzz are installed; otherwise says why not (the corpus replay in `cargo test` still ran).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-5}
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "SKIP fuzz smoke: no nightly toolchain (corpus replay ran in cargo test)"; exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "SKIP fuzz smoke: cargo-fuzz not installed (corpus replay ran in cargo test)"; exit 0
fi
targets=$(cargo fuzz list)
build_log=$(mktemp)
if ! cargo +nightly fuzz build -O >"$build_log" 2>&1; then
  tail -40 "$build_log"; echo "fuzz targets failed to build"; exit 1
fi
rm -f "$build_log"
for target in $targets; do
  seeds=$(mktemp -d)
  python3 - "$target" "$seeds" <<'PY'
import json, pathlib, sys
target, out = sys.argv[1], pathlib.Path(sys.argv[2])
proto = target.split("_")[0]
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k.endswith("hex") and isinstance(x, str):
                yield x
            else:
                yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
for path in pathlib.Path("../vectors").glob(proto + "*.json"):
    for i, h in enumerate(walk(json.load(open(path)))):
        try:
            (out / f"{path.stem}-{i}").write_bytes(bytes.fromhex(h))
        except ValueError:
            pass
PY
  echo "==> fuzz $target for ${seconds}s"
  log="$seeds.log"
  if ! cargo +nightly fuzz run -O "$target" "$seeds" -- -max_total_time="$seconds" -max_len=65536 >"$log" 2>&1; then
    tail -40 "$log"; echo "fuzz target $target failed"; exit 1
  fi
  grep -E "^Done [0-9]+ runs" "$log" || tail -1 "$log"
  rm -rf "$seeds" "$log"
done
echo "fuzz smoke: $(echo $targets | wc -w) targets ran ${seconds}s each without a crash"
