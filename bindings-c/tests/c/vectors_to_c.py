#!/usr/bin/env python3
"""Convert every section of vectors/*.json into the line format the C suite reads.

One check per line, tab-separated: `<op> <protocol> <name> <args...>` (hex for bytes, compact
JSON for canonical messages, `-` for an empty value). The expectations (which error kind an
`invalid` entry must give, which decode-only entries the project refuses) come from
vectors/expectations.json; the vector bytes are copied as they are.

usage: vectors_to_c.py VECTORS_DIR OUT_FILE
"""
import json
import re
import sys

out = []


def emit(op, proto, name, *args):
    fields = [op, proto, name] + [str(a) if a != "" else "-" for a in args]
    for f in fields:
        assert "\t" not in f and "\n" not in f, (name, f)
    out.append("\t".join(fields))


def js(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def message(entry):
    return js({"type": entry["type"], "fields": entry["fields"]})


def load(d, f):
    with open(f"{d}/{f}", encoding="utf-8") as fh:
        return json.load(fh)


EXPECTATIONS = {}


def expectation(file, section, entry):
    """wire's outcome for an entry, from vectors/expectations.json ({} when none is listed)."""
    return EXPECTATIONS["files"][file].get(section, {}).get(entry["name"], {})


def kind(file, section, entry):
    """The error kind vectors/expectations.json gives an entry that wire refuses."""
    listed = expectation(file, section, entry)
    if "error" not in listed:
        raise SystemExit(f"{file} {section} {entry['name']}: no expected error")
    return listed["error"]


# --- dnode ---------------------------------------------------------------------------------

def concat(proto, name, entries, with_header_len):
    all_hex = "".join(e["hex"] for e in entries)
    offsets, lens, hls = [], [], []
    at = 0
    for e in entries:
        n = len(e["hex"]) // 2
        offsets.append(str(at))
        lens.append(str(n))
        hls.append(str(e["header_len"]) if with_header_len and "header_len" in e else "-")
        at += n
    emit("CONCAT", proto, name, all_hex, ",".join(offsets), ",".join(lens), ",".join(hls))


def dnode(d):
    doc = load(d, "dnode.json")
    for e in doc["vectors"]:
        emit("RT", "dnode", e["name"], e["hex"], message(e))
        writer = {"dmsg_write": "plain", "dmsg_write_mbuf": "gossip"}[e["writer"]]
        placeholder = {"plain": "64", "gossip": "61"}[writer]
        if e["fields"].get("data") == placeholder:
            emit("DNODE_FLAVOUR", "dnode", e["name"], e["hex"], writer)
    for e in doc["decode_only"]:
        if expectation("dnode.json", "decode_only", e):
            emit("DNODE_HDR_REJ", "dnode", e["name"], e["hex"])
        else:
            emit("DNODE_HDR", "dnode", e["name"], e["hex"], e["header_len"], message(e), "default")
    for e in doc["invalid"]:
        k = kind("dnode.json", "invalid", e)
        emit("REJ", "dnode", e["name"], e["hex"], k)
        if k == "trailing_bytes":
            emit("DNODE_TRAIL", "dnode", e["name"], e["hex"])
    concat("dnode", "all-vectors-concatenated", [e for e in doc["vectors"] if e["type"] != "stream"], True)
    for e in doc["header_vectors"]:
        emit("DNODE_HDR", "dnode", e["name"], e["hex"], e["header_len"], message(e), "wide")
    for e in doc["handshake_vectors"]:
        emit("HS", "dnode", e["name"], e["hex"], message(e))
    for e in doc["handshake_invalid"]:
        emit("HS_REJ", "dnode", e["name"], e["hex"], kind("dnode.json", "handshake_invalid", e))


def dnode_live(d):
    doc = load(d, "dnode-live.json")
    frames = [e for e in doc["vectors"] if e["type"] != "stream"]
    for e in frames:
        emit("RT", "dnode", e["name"], e["hex"], message(e))
    concat("dnode", "live-vectors-concatenated", frames, True)
    for e in doc["vectors"]:
        if e["type"] != "stream":
            continue
        listed = e["fields"]["frames"]
        assert int(e["fields"]["frame_count"]) == len(listed)
        spec = ",".join(
            f"{f['offset']}:{f['header_len']}:{f['plen']}:{f['id']}:{f['type']}" for f in listed
        )
        emit("DLSTREAM", "dnode", e["name"], e["hex"], spec)
    for e in doc["invalid"]:
        exp = e.get("codec_expectation", "")
        if not exp.startswith("strict plen framing"):
            emit("REJ", "dnode", e["name"], e["hex"], kind("dnode-live.json", "invalid", e))
            continue
        at = re.match(r"\d+", exp.split("error at offset ")[1]).group()
        offsets = "0,73" if "frames at offsets 0 and 73" in exp else "-"
        payload43 = "43" if "with a 43-byte payload" in exp else "-"
        emit("DLGARBLED", "dnode", e["name"], e["hex"], at, offsets, payload43)
    for e in doc["live_replay_accepted"]:
        if e["name"] == "replay-plen-too-small":
            emit("DLREPLAY_SHORT", "dnode", e["name"], e["hex"], 40, 10)
        elif e["name"] == "replay-version-2":
            emit("DLREPLAY_V2", "dnode", e["name"], e["hex"], 2, 39)
        else:
            raise SystemExit(f"{e['name']}: unknown live_replay_accepted entry")


# --- chitchat ------------------------------------------------------------------------------

def chitchat(d):
    doc = load(d, "chitchat.json")
    for e in doc["vectors"]:
        emit("RT", "chitchat", e["name"], e["hex"], message(e))
    for e in doc["decode_only"]:
        canonical = e.get("canonical_fields", e["fields"])
        emit("CC_DEC", "chitchat", e["name"], e["hex"], e["trailing_bytes_ignored"], message(e),
             js({"type": e["type"], "fields": canonical}), e["canonical_hex"])
    for e in doc["invalid"]:
        emit("REJ", "chitchat", e["name"], e["hex"], kind("chitchat.json", "invalid", e))
    concat("chitchat", "all-vectors-concatenated", doc["vectors"], False)


# --- replication ---------------------------------------------------------------------------

def replication(d):
    doc = load(d, "replication.json")
    for e in doc["vectors"]:
        emit("REP_RT", "replication", e["name"], e["hex"], message(e), "7x")
    for e in doc["accepted_noncanonical"]:
        emit("REP_ACCEPT", "replication", e["name"], e["hex"], "7x", js(e["decodes_to"]))
    for e in doc["invalid"]:
        assert e["error_kind"] == "ProtocolError"
        m = e["error_message"]
        emit("REP_REFUSE", "replication", e["name"], e["hex"], "7x", kind("replication.json", "invalid", e), m)
    legacy = doc["legacy_3x"]
    for e in legacy["vectors"]:
        emit("REP_RT", "replication", e["name"], e["hex"], message(e), "3x")
    for e in legacy["decode_by_3x"]:
        b = e["reference_behaviour"]
        if b.startswith("Ok: decodes to "):
            fields = json.loads(b[len("Ok: decodes to "):])
            emit("REP_ACCEPT", "replication", e["name"], e["hex"], "3x",
                 js({"type": "ElectionProposal", "fields": fields}))
        else:
            m = json.loads(b.split("with message ", 1)[1])
            k = kind("replication.json", "legacy_3x/decode_by_3x", e)
            emit("REP_REFUSE", "replication", e["name"], e["hex"], "3x", k, m)
    framing = doc["transport_framing"]
    emit("REP_ACK19", "replication", "tcp_channel_send_ack_vlsn_19", framing["tcp_channel_send_ack_vlsn_19"])
    key = "connect_to_service_ELECTION_then_ElectionResult_m_4"
    emit("REP_PREAMBLE", "replication", key, framing[key])
    for c in framing["receive_cases"]:
        r = c["result"]
        err = r.get("receive_error_debug")
        if err is not None:
            expect = "too_large" if err.startswith('ProtocolError("frame payload too large') else "incomplete"
            emit("REP_RECV", "replication", c["name"], c["raw"], expect, "-")
        else:
            dbg = r["decode"]["error_debug"]
            assert dbg.startswith('ProtocolError("') and dbg.endswith('")'), dbg
            emit("REP_RECV", "replication", c["name"], c["raw"], "malformed", dbg[len('ProtocolError("'):-2])


# --- broker --------------------------------------------------------------------------------

MAP_FIELDS = {"details", "labels", "platform_paths", "extra"}


def multi_map(v):
    if isinstance(v, dict):
        return any((k in MAP_FIELDS and isinstance(x, dict) and len(x) > 1) or multi_map(x) for k, x in v.items())
    if isinstance(v, list):
        return any(multi_map(x) for x in v)
    return False


def reply_doc(hex_, frame, payload):
    fields = {"framing_version": 1, "body_length": len(hex_) // 2 - 5, "frame": frame}
    if payload is not None:
        fields["payload_message"] = payload
    return {"type": "Frame", "fields": fields}


def broker(d):
    doc = load(d, "broker.json")
    framed = []
    for e in doc["vectors"]:
        if "framing" in e:
            canonical = e["canonical_hex"] if e.get("roundtrip") is False else e["hex"]
            emit("BK_BARE", "broker", e["name"], e["type"], e["hex"], message(e), canonical,
                 "multimap" if multi_map(e["fields"]) else "exact")
            continue
        framed.append(e)
        if e.get("roundtrip") is False:
            strip = "strip" if "payload_message" not in e["fields"] else "keep"
            emit("BK_DEC", "broker", e["name"], e["hex"], message(e), strip, e["canonical_hex"])
        else:
            emit("RT", "broker", e["name"], e["hex"], message(e))
    concat("broker", "all-frames-concatenated", framed, False)
    for e in doc["broker_exchanges"]:
        emit("BK_REQ", "broker", e["name"], e["request_hex"])
        b = e["broker"]
        emit("BK_REPLY", "broker", e["name"], b["reply_hex"],
             js(reply_doc(b["reply_hex"], b["reply_frame"], b.get("reply_payload"))),
             "multimap" if multi_map(b.get("reply_payload")) or multi_map(b["reply_frame"]) else "exact")
    for e in doc["invalid"]:
        ref = e["codecs"]["try_decode_framed"]
        listed = expectation("broker.json", "invalid", e)
        k = listed.get("error")
        rejects = e["codec_rejects"]
        if rejects and k:
            reason = ref["error"]["message"] if k != "too_large" else "-"
            emit("REJ", "broker", e["name"], e["hex"], k)
            emit("BK_REASON", "broker", e["name"], e["hex"], k, reason)
        elif not rejects and k == "incomplete":
            emit("NEED_MORE", "broker", e["name"], e["hex"])
        elif not rejects and (listed.get("decodes") or k == "trailing_bytes"):
            emit("BK_ACCEPT", "broker", e["name"], e["hex"], ref["consumed"], js(ref["frame"]),
                 "payload" if e["layer"] == "payload" else "-")
        else:
            raise SystemExit(f"{e['name']}: unexpected expectation")
        if e["codecs"].get("read_frame_with_cap_65536", {}).get("error", {}).get("error_kind") == "FrameTooLarge":
            emit("BK_HELLO_CAP", "broker", e["name"], e["hex"])
        control = e.get("broker_control_socket", {})
        if control.get("reply_hex"):
            emit("BK_REPLY", "broker", e["name"] + "/control-reply", control["reply_hex"],
                 js(reply_doc(control["reply_hex"], control["reply_frame"], control.get("reply_payload"))),
                 "multimap" if multi_map(control.get("reply_payload")) else "exact")


# --- dataexchange --------------------------------------------------------------------------

def described_file(b):
    rest = b.split("filename: ", 1)[1]
    filename, _ = rest.split(", payload: ", 1)
    if filename.startswith("hex "):
        fname = filename[4:]
    else:
        fname = json.loads(filename).encode().hex()
    payload = b.rsplit("payload: ", 1)[1].rstrip("}")
    if payload.startswith("hex "):
        p = payload[4:]
    else:
        assert payload == "empty", b
        p = ""
    return fname, p


def dataexchange(d):
    # Each file with its own version: 1 = WIRE_DATAEXCHANGE_VERSION_0_2_1_BETA_1.
    emit("DX_VERSION", "dataexchange", "-", 1)
    doc = load(d, "dataexchange.json")
    for e in doc["vectors"]:
        emit("RT", "dataexchange", e["name"], e["hex"], message(e))
    for e in doc["invalid"]:
        k = kind("dataexchange.json", "invalid", e)
        if k == "invalid_argument":
            emit("DX_TRACE_REJ", "dataexchange", e["name"], e["hex"])
        else:
            emit("REJ", "dataexchange", e["name"], e["hex"], k)
    for e in doc["decode_only"]:
        b = e.get("reference_behaviour", "")
        if " byte(s) left unread" in b:
            left = int(b.split(" byte(s) left unread")[0].rsplit(" ", 1)[-1])
            emit("LEFT", "dataexchange", e["name"], e["hex"], left)
        else:
            fname, payload = described_file(b)
            emit("DX_FILE", "dataexchange", e["name"], e["hex"], fname, payload)
    latest = "dataexchange-latest.json"
    emit("DX_VERSION", "dataexchange", "-", 0)
    doc = load(d, latest)
    for e in doc["vectors"]:
        emit("RT", "dataexchange", e["name"], e["hex"], message(e))
    for e in doc["invalid"]:
        emit("REJ", "dataexchange", e["name"], e["hex"], kind(latest, "invalid", e))
    for e in doc["decode_only"]:
        refused = expectation(latest, "decode_only", e).get("error", "")
        emit("DX_CANON", "dataexchange", e["name"], e["hex"], message(e), e["canonical_hex"], refused)
    for key, fields in (("encoder_truncation", "input_fields"), ("encode_refused", "fields")):
        for e in doc[key]:
            msg = js({"type": e["type"], "fields": e[fields]})
            emit("ENC_REJ", "dataexchange", e["name"], msg, kind(latest, key, e))


def main():
    d, target = sys.argv[1], sys.argv[2]
    EXPECTATIONS.update(load(d, "expectations.json"))
    for convert in (dnode, dnode_live, chitchat, replication, broker, dataexchange):
        convert(d)
    with open(target, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
