//! Runs every fuzz target's body over the vectors' inputs (valid, invalid and decode-only),
//! their truncations, and any saved corpus under `fuzz/corpus/<target>/`, so the targets'
//! invariants are checked on every `cargo test`, with or without nightly and cargo-fuzz.

mod common;
#[path = "../../fuzz/targets/split.rs"]
mod split;

#[path = "../../fuzz/targets/broker.rs"]
mod broker_target;
#[path = "../../fuzz/targets/chitchat.rs"]
mod chitchat_target;
#[path = "../../fuzz/targets/dataexchange.rs"]
mod dataexchange_target;
#[path = "../../fuzz/targets/dnode_handshake.rs"]
mod dnode_handshake_target;
#[path = "../../fuzz/targets/dnode.rs"]
mod dnode_target;
#[path = "../../fuzz/targets/replication.rs"]
mod replication_target;

use std::path::PathBuf;

/// Every hex input in a vector file, plus each one's proper prefixes (bounded) and saved corpus.
fn inputs(vector_file: &str, target: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    collect_hex(&common::load(vector_file), &mut out);
    let prefixes: Vec<Vec<u8>> = out
        .iter()
        .filter(|v| v.len() <= 512)
        .flat_map(|v| (0..v.len()).map(|n| v[..n].to_vec()).collect::<Vec<_>>())
        .collect();
    out.extend(prefixes);
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    if let Ok(dir) = std::fs::read_dir(corpus) {
        for file in dir.flatten() {
            out.push(std::fs::read(file.path()).unwrap());
        }
    }
    out
}

fn collect_hex(v: &serde_json::Value, out: &mut Vec<Vec<u8>>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k.ends_with("hex") {
                    if let Some(bytes) = v.as_str().and_then(|s| hex::decode(s).ok()) {
                        out.push(bytes);
                        continue;
                    }
                }
                collect_hex(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_hex(v, out)),
        _ => {}
    }
}

#[test]
fn dataexchange_corpus() {
    let inputs = inputs("dataexchange.json", "dataexchange");
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| dataexchange_target::run(i));
}

#[test]
fn replication_corpus() {
    let mut inputs = inputs("replication.json", "replication");
    // Vectors are bare messages: replay them framed too, with their truncations.
    let framed: Vec<Vec<u8>> = inputs
        .iter()
        .map(|m| {
            let mut f = (m.len() as u32).to_le_bytes().to_vec();
            f.extend_from_slice(m);
            f
        })
        .collect();
    inputs.extend(framed);
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| replication_target::run(i));
}

#[test]
fn broker_corpus() {
    let inputs = inputs("broker.json", "broker");
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| broker_target::run(i));
}

#[test]
fn dnode_corpus() {
    let mut inputs = inputs("dnode.json", "dnode");
    inputs.extend(inputs_of("dnode-live.json", 2048));
    assert!(inputs.len() > 1000);
    inputs.iter().for_each(|i| dnode_target::run(i));
}

#[test]
fn dnode_handshake_corpus() {
    let inputs = inputs("dnode.json", "dnode_handshake");
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| dnode_handshake_target::run(i));
}

/// The hex inputs of a large vector file, without prefixes of the long ones.
fn inputs_of(vector_file: &str, max_prefixed: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    collect_hex(&common::load(vector_file), &mut out);
    let prefixes: Vec<Vec<u8>> = out
        .iter()
        .filter(|v| v.len() <= max_prefixed)
        .take(40)
        .flat_map(|v| (0..v.len()).map(|n| v[..n].to_vec()).collect::<Vec<_>>())
        .collect();
    out.extend(prefixes);
    out
}

#[test]
fn chitchat_corpus() {
    let inputs = inputs("chitchat.json", "chitchat");
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| chitchat_target::run(i));
}
