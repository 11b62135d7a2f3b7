//! The `wire` binary against the conformance vectors: `wire decode` prints what the library
//! decodes (itself checked against the vectors' fields) and `wire encode` reproduces the
//! reference bytes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use wire_core::{AnyCodec, Codec, Protocol};

fn wire(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wire");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn vectors(file: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/");
    serde_json::from_str(&std::fs::read_to_string(format!("{path}{file}")).unwrap()).unwrap()
}

/// Every `vectors` entry of `file` that the protocol's codec decodes as one frame (after
/// `frame`, which adds any transport framing the vectors leave out), with its bytes and whether
/// it is a round-trip vector.
fn frames(protocol: Protocol, file: &str, frame: fn(Vec<u8>) -> Vec<u8>) -> Vec<(Vec<u8>, bool)> {
    let doc = vectors(file);
    let mut codec = AnyCodec::new(protocol);
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let bytes = frame(hex::decode(v["hex"].as_str()?).ok()?);
            codec.decode_exact(&bytes).ok()?;
            Some((
                bytes,
                v.get("roundtrip") != Some(&Value::Bool(false)) && v.get("canonical_hex").is_none(),
            ))
        })
        .collect()
}

fn check_protocol(protocol: Protocol, file: &str, frame: fn(Vec<u8>) -> Vec<u8>) {
    let frames = frames(protocol, file, frame);
    assert!(!frames.is_empty(), "{file}: no frame vectors");
    let stream: Vec<u8> = frames.iter().flat_map(|(b, _)| b.clone()).collect();
    let out = wire(&["decode", protocol.name(), "--stream"], &stream);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), frames.len(), "{file}: one JSON line per frame");

    // The library is held to the vectors by core's tests; the CLI must print and encode
    // exactly what the library does (for round-trip vectors that is the reference's bytes).
    let mut codec = AnyCodec::new(protocol);
    let mut expected = Vec::new();
    for ((bytes, roundtrip), line) in frames.iter().zip(&lines) {
        let printed: Value = serde_json::from_str(line).unwrap();
        let frame = codec.decode_exact(bytes).unwrap();
        assert_eq!(
            printed,
            codec.to_json(&frame),
            "{file}: {}",
            hex::encode(bytes)
        );
        let reencoded = wire_core::encode_to_vec(&mut codec, &frame).unwrap();
        if *roundtrip {
            assert_eq!(hex::encode(&reencoded), hex::encode(bytes), "{file}");
        }
        expected.extend(reencoded);
    }
    let out = wire(
        &["encode", protocol.name(), "--json", "-"],
        out.stdout.as_slice(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        hex::encode(&expected),
        "{file}"
    );

    let first = &frames[0].0;
    let out = wire(&["detect", "--hex", &hex::encode(first)], b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        protocol.name(),
        "{file}: detect"
    );
}

#[test]
fn dataexchange_vectors_through_the_cli() {
    check_protocol(Protocol::Dataexchange, "dataexchange.json", |b| b);
}

/// The vectors are bare `ProtocolMessage`s; the CLI speaks the TCP framing `[u32 LE len][msg]`.
#[test]
fn replication_vectors_through_the_cli() {
    check_protocol(Protocol::Replication, "replication.json", |msg| {
        let mut framed = (msg.len() as u32).to_le_bytes().to_vec();
        framed.extend(msg);
        framed
    });
}

#[test]
fn dnode_vectors_through_the_cli() {
    check_protocol(Protocol::Dnode, "dnode.json", |b| b);
    check_protocol(Protocol::Dnode, "dnode-live.json", |b| b);
}

#[test]
fn chitchat_vectors_through_the_cli() {
    check_protocol(Protocol::Chitchat, "chitchat.json", |b| b);
}

/// Multi-entry maps are the one place the reference's bytes vary run to run (random map order);
/// wire writes maps sorted.
#[test]
fn broker_vectors_through_the_cli() {
    check_protocol(Protocol::Broker, "broker.json", |b| b);
}

#[test]
fn one_frame_decode_prints_pretty_json_and_encode_raw_writes_bytes() {
    let out = wire(
        &[
            "decode",
            "dataexchange",
            "--hex",
            "000000010000000568656c6c6f",
        ],
        b"",
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["fields"]["payload"], "68656c6c6f");
    let json = serde_json::to_string(&doc).unwrap();
    let out = wire(&["encode", "dataexchange", "--json", &json, "--raw"], b"");
    assert_eq!(
        out.stdout,
        hex::decode("000000010000000568656c6c6f").unwrap()
    );
    let out = wire(&["decode", "dataexchange"], &out.stdout);
    assert!(out.status.success());
}

fn error_of(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice(&out.stderr).expect("one JSON object on stderr")
}

#[test]
fn errors_are_one_json_object_on_stderr_with_exit_code_1() {
    let e = error_of(&wire(
        &["decode", "dataexchange", "--hex", "0000000100000005686c"],
        b"",
    ));
    assert_eq!(e["code"], "incomplete");
    assert_eq!(e["protocol"], "dataexchange");
    assert_eq!(e["offset"], 10);

    let e = error_of(&wire(
        &["decode", "dataexchange", "--hex", "00000001ffffffff"],
        b"",
    ));
    assert_eq!(
        (e["code"].as_str(), e["offset"].as_u64()),
        (Some("too_large"), Some(4))
    );

    let e = error_of(&wire(
        &["decode", "dataexchange", "--hex", "000000010000000041"],
        b"",
    ));
    assert_eq!(
        (e["code"].as_str(), e["offset"].as_u64()),
        (Some("trailing_bytes"), Some(8))
    );

    let e = error_of(&wire(&["decode", "dataexchange", "--hex", "zz"], b""));
    assert_eq!(e["code"], "invalid_argument");

    let e = error_of(&wire(
        &[
            "encode",
            "dataexchange",
            "--json",
            "{\"type\":\"TypeText\",\"fields\":{}}",
        ],
        b"",
    ));
    assert_eq!(e["code"], "invalid_argument");
    assert!(e["message"].as_str().unwrap().contains("payload"), "{e}");

    let e = error_of(&wire(
        &[
            "decode",
            "dataexchange",
            "-o",
            "max_frame_size=2",
            "--hex",
            "0000000100000003616263",
        ],
        b"",
    ));
    assert_eq!(e["code"], "too_large");
}

#[test]
fn stream_errors_after_the_last_good_frame() {
    let out = wire(
        &[
            "decode",
            "dataexchange",
            "--stream",
            "--hex",
            "00000001000000014100000001",
        ],
        b"",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let e = error_of(&out);
    assert_eq!(
        (e["code"].as_str(), e["offset"].as_u64()),
        (Some("incomplete"), Some(13))
    );
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in ["decode", "encode", "detect"] {
        let out = wire(&[sub, "--help"], b"");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Examples:"), "{sub}: {text}");
    }
}

/// `--message TYPE`: bare broker messages, bare replication messages and dnode handshake
/// payloads decode to the vectors' JSON and encode back to the reference bytes.
#[test]
fn bare_messages_through_the_cli() {
    let bare: Vec<(&str, &str, Value)> = [
        ("broker", "broker.json", "vectors"),
        ("replication", "replication.json", "vectors"),
        ("dnode", "dnode.json", "handshake_vectors"),
    ]
    .into_iter()
    .flat_map(|(protocol, file, section)| {
        vectors(file)[section]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["type"] != "Frame")
            .map(|v| (protocol, section, v.clone()))
            .collect::<Vec<_>>()
    })
    .collect();
    assert!(bare.len() > 40, "{} bare vectors", bare.len());
    for (protocol, section, v) in bare {
        let name = match (protocol, section) {
            ("replication", _) => "ProtocolMessage",
            ("dnode", _) => "Handshake",
            _ => v["type"].as_str().unwrap(),
        };
        let hex = v["hex"].as_str().unwrap();
        let out = wire(&["decode", protocol, "--message", name, "--hex", hex], b"");
        assert!(
            out.status.success(),
            "{}: {}",
            v["name"],
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["fields"], v["fields"], "{}", v["name"]);
        let json = serde_json::to_string(&doc).unwrap();
        let out = wire(
            &["encode", protocol, "--message", name, "--json", &json],
            b"",
        );
        assert!(
            out.status.success(),
            "{}: {}",
            v["name"],
            String::from_utf8_lossy(&out.stderr)
        );
        if v.get("roundtrip") != Some(&Value::Bool(false)) {
            assert_eq!(
                std::str::from_utf8(&out.stdout).unwrap().trim(),
                hex,
                "{}",
                v["name"]
            );
        }
    }
    let out = wire(
        &["decode", "chitchat", "--message", "Syn", "--hex", "00"],
        b"",
    );
    assert_eq!(error_of(&out)["code"], "invalid_argument");
}

/// `wire schema` prints the description every binding is generated from.
#[test]
fn schema_lists_every_protocol() {
    let out = wire(&["schema"], b"");
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["dnode", "chitchat", "replication", "broker", "dataexchange"]
    );
}
