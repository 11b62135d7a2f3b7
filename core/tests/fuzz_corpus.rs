//! Runs every fuzz target's body over the vectors' inputs (valid, invalid and decode-only),
//! their truncations, and any saved corpus under `fuzz/corpus/<target>/`, so the targets'
//! invariants are checked on every `cargo test`, with or without nightly and cargo-fuzz.

mod common;

#[path = "../../fuzz/targets/chitchat.rs"]
mod chitchat_target;
#[path = "../../fuzz/targets/dataexchange.rs"]
mod dataexchange_target;

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
fn chitchat_corpus() {
    let inputs = inputs("chitchat.json", "chitchat");
    assert!(inputs.len() > 100);
    inputs.iter().for_each(|i| chitchat_target::run(i));
}
