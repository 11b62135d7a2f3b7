#!/usr/bin/env bash
# The CLI demo: for each protocol, the first conformance vector (bytes produced by the real
# reference implementation) is decoded to canonical JSON by `wire decode`, encoded back by
# `wire encode`, and compared with the reference bytes. Exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
wire=${WIRE_BIN:-target/release/wire}

printf '%-13s %-40s %7s  %s\n' protocol vector bytes identical
status=0
for proto in dnode chitchat replication broker dataexchange; do
  line=$(python3 - "$proto" "$wire" <<'PY'
import json, subprocess, sys
proto, wire = sys.argv[1], sys.argv[2]
for v in json.load(open(f"vectors/{proto}.json"))["vectors"]:
    # Skip bare messages, decode-only entries, whole streams and near-empty frames.
    if "framing" in v or v.get("roundtrip") is False or v.get("type") == "stream" or len(v["hex"]) < 24:
        continue
    if proto == "replication":  # bare messages in the file; the CLI speaks the TCP framing
        v["hex"] = (len(v["hex"]) // 2).to_bytes(4, "little").hex() + v["hex"]
    r = subprocess.run([wire, "decode", proto, "--hex", v["hex"]], capture_output=True, text=True)
    if r.returncode == 0:
        print(v["name"], v["hex"])
        break
PY
)
  if [ -z "$line" ]; then
    echo "$proto: no vector decoded" >&2; exit 1
  fi
  name=${line%% *}; hex=${line#* }
  json=$("$wire" decode "$proto" --hex "$hex")
  again=$(printf '%s' "$json" | "$wire" encode "$proto" --json -)
  if [ "$again" = "$hex" ]; then same=yes; else same=NO; status=1; fi
  printf '%-13s %-40s %7d  %s\n' "$proto" "$name" $(( ${#hex} / 2 )) "$same"
  compact=$("$wire" decode "$proto" --stream --hex "$hex")
  [ ${#compact} -le 110 ] || compact="${compact:0:107}..."
  printf '    %s\n' "$compact"
done
exit $status
