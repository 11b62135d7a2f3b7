//! Per-frame decode and encode through the C API (the `extern "C"` functions exactly as a C
//! program calls them, handle and struct included) against the core called from Rust, on the
//! same vector messages, in the same run. Plain timing: median of 7 rounds of ~60 ms each.
//! Run with `make -C bindings-c bench` (or `cargo bench -p wire-c --bench c_vs_rust`).

use std::hint::black_box;
use std::time::Instant;

use serde_json::Value;
use wire::*;
use wire_core::{decode_exact, encode_to_vec, AnyCodec, Codec, Protocol};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// ns per call of `f`, median of 7 rounds.
fn time(mut f: impl FnMut()) -> f64 {
    let mut iters = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        if start.elapsed().as_millis() >= 60 {
            break;
        }
        iters *= 2;
    }
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    rounds.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rounds[3]
}

/// The C API's decode, view and free of one frame.
fn c_decode(p: Protocol, b: &[u8]) {
    let mut f = std::ptr::null_mut();
    let s = match p {
        Protocol::Dnode => wire_dnode_decode(
            b.as_ptr(),
            b.len(),
            std::ptr::null(),
            WIRE_DNODE_FLAVOUR_PLAIN,
            &mut f,
        ),
        Protocol::Chitchat => wire_chitchat_decode(
            b.as_ptr(),
            b.len(),
            std::ptr::null(),
            WIRE_CHITCHAT_VERSION_V0,
            &mut f,
        ),
        Protocol::Replication => wire_replication_decode(
            b.as_ptr(),
            b.len(),
            std::ptr::null(),
            WIRE_REPLICATION_LAYOUT_7X,
            &mut f,
        ),
        Protocol::Broker => wire_broker_decode(b.as_ptr(), b.len(), std::ptr::null(), &mut f),
        Protocol::Dataexchange => wire_dataexchange_decode(
            b.as_ptr(),
            b.len(),
            std::ptr::null(),
            WIRE_DATAEXCHANGE_VERSION_MAIN,
            &mut f,
        ),
    };
    assert_eq!(s, wire_status::WireOk);
    let view: *const std::ffi::c_void = match p {
        Protocol::Dnode => wire_frame_dnode(f).cast(),
        Protocol::Chitchat => wire_frame_chitchat(f).cast(),
        Protocol::Replication => wire_frame_replication(f).cast(),
        Protocol::Broker => wire_frame_broker(f).cast(),
        Protocol::Dataexchange => wire_frame_dataexchange(f).cast(),
    };
    black_box(view);
    wire_frame_free(f);
}

/// The C API's encode of a decoded frame's struct into a reused buffer.
fn c_encode(p: Protocol, f: *const wire_frame, out: &mut [u8]) -> usize {
    let mut n = 0;
    let (o, cap) = (out.as_mut_ptr(), out.len());
    let null = std::ptr::null();
    let s = match p {
        Protocol::Dnode => wire_dnode_encode(
            wire_frame_dnode(f),
            null,
            WIRE_DNODE_FLAVOUR_PLAIN,
            o,
            cap,
            &mut n,
        ),
        Protocol::Chitchat => wire_chitchat_encode(
            wire_frame_chitchat(f),
            null,
            WIRE_CHITCHAT_VERSION_V0,
            o,
            cap,
            &mut n,
        ),
        Protocol::Replication => wire_replication_encode(
            wire_frame_replication(f),
            null,
            WIRE_REPLICATION_LAYOUT_7X,
            o,
            cap,
            &mut n,
        ),
        Protocol::Broker => wire_broker_encode(wire_frame_broker(f), null, o, cap, &mut n),
        Protocol::Dataexchange => wire_dataexchange_encode(
            wire_frame_dataexchange(f),
            null,
            WIRE_DATAEXCHANGE_VERSION_MAIN,
            o,
            cap,
            &mut n,
        ),
    };
    assert_eq!(s, wire_status::WireOk);
    n
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors");
    println!("| protocol | frame | bytes | op | core (Rust) ns | C API ns | C/Rust |");
    println!("|---|---|---|---|---|---|---|");
    for (p, file) in [
        (Protocol::Dnode, "dnode.json"),
        (Protocol::Chitchat, "chitchat.json"),
        (Protocol::Replication, "replication.json"),
        (Protocol::Broker, "broker.json"),
        // Its largest frame is a 48 KiB TypeFileStream CHUNK, the reference sender's chunk.
        (Protocol::Dataexchange, "dataexchange-latest.json"),
    ] {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{root}/{file}")).unwrap())
                .unwrap();
        // The largest canonical frame of the file (replication vectors are bare: framed here).
        let entry = doc["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e.get("framing").is_none() && e["roundtrip"] != Value::Bool(false))
            .max_by_key(|e| e["hex"].as_str().unwrap().len())
            .unwrap();
        let mut bytes = hex(entry["hex"].as_str().unwrap());
        if p == Protocol::Replication {
            let mut framed = (bytes.len() as u32).to_le_bytes().to_vec();
            framed.extend(bytes);
            bytes = framed;
        }
        let mut codec = AnyCodec::new(p);
        let frame = decode_exact(&mut codec, &bytes).unwrap();
        let rust_dec = time(|| drop(black_box(decode_exact(&mut codec, black_box(&bytes)))));
        let c_dec = time(|| c_decode(p, black_box(&bytes)));
        let rust_enc = time(|| drop(black_box(encode_to_vec(&mut codec, black_box(&frame)))));
        let mut handle = std::ptr::null_mut();
        assert_eq!(
            wire_decode(
                p.number(),
                bytes.as_ptr(),
                bytes.len(),
                std::ptr::null(),
                &mut handle
            ),
            wire_status::WireOk
        );
        let mut out = vec![0u8; codec.encoded_len(&frame).unwrap()];
        assert_eq!(c_encode(p, handle, &mut out), bytes.len());
        let c_enc = time(|| {
            black_box(c_encode(p, black_box(handle), &mut out));
        });
        wire_frame_free(handle);
        let label = entry["name"].as_str().unwrap();
        for (op, r, c) in [("decode", rust_dec, c_dec), ("encode", rust_enc, c_enc)] {
            println!(
                "| {p} | {label} | {} | {op} | {r:.0} | {c:.0} | {:.2} |",
                bytes.len(),
                c / r
            );
        }
    }
}
