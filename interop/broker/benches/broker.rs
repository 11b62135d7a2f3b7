//! Encode and decode of every framed vector in `vectors/broker.json`: wire-core's broker codec
//! against running-process-protocol 4.10.21's prost types with the 5-byte framing done as the
//! reference's `try_decode_framed` / `encode_framed` do it, in one run.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use prost::Message as _;
use running_process_protocol::broker::v1 as reference;
use serde_json::Value;
use std::hint::black_box;
use wire_core::broker::{self, BrokerCodec};
use wire_core::Codec;

fn frames() -> Vec<Vec<u8>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/broker.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("framing").is_none())
        .map(|e| hex::decode(e["hex"].as_str().unwrap()).unwrap())
        .collect()
}

/// The reference's `try_decode_framed` steps on a complete frame.
fn reference_decode(buf: &[u8]) -> reference::Frame {
    assert_eq!(buf[0], 1);
    let len = u32::from_le_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    assert!(len <= 16 * 1024 * 1024);
    reference::Frame::decode(&buf[5..5 + len]).unwrap()
}

/// The reference's `encode_framed`.
fn reference_encode(frame: &reference::Frame) -> Vec<u8> {
    let len = frame.encoded_len();
    let mut out = Vec::with_capacity(5 + len);
    out.push(1);
    out.extend_from_slice(&(len as u32).to_le_bytes());
    frame.encode(&mut out).unwrap();
    out
}

fn bench(c: &mut Criterion) {
    let frames = frames();
    let bytes: u64 = frames.iter().map(|f| f.len() as u64).sum();
    let ours: Vec<broker::Frame> = frames.iter().map(|f| broker::decode(f).unwrap()).collect();
    let theirs: Vec<reference::Frame> = frames.iter().map(|f| reference_decode(f)).collect();

    let mut group = c.benchmark_group("broker_decode");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("core", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(broker::decode(black_box(f)).unwrap());
            }
        })
    });
    group.bench_function("reference", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(reference_decode(black_box(f)));
            }
        })
    });
    group.finish();

    // The whole set as one stream: the codec over a buffer (payloads are zero-copy slices)
    // against the reference's `try_decode_framed` loop over the same bytes.
    let stream: Vec<u8> = frames.concat();
    let mut group = c.benchmark_group("broker_stream_decode");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("core", |b| {
        b.iter(|| {
            let mut codec = BrokerCodec::default();
            let mut buf = BytesMut::from(black_box(&stream[..]));
            while let Some(framed) = codec.decode(&mut buf).unwrap() {
                black_box(framed);
            }
        })
    });
    group.bench_function("reference", |b| {
        b.iter(|| {
            let mut rest = black_box(&stream[..]);
            while !rest.is_empty() {
                let len = u32::from_le_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
                black_box(reference_decode(rest));
                rest = &rest[5 + len..];
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("broker_encode");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("core", |b| {
        b.iter(|| {
            for f in &ours {
                black_box(broker::encode(black_box(f)).unwrap());
            }
        })
    });
    group.bench_function("reference", |b| {
        b.iter(|| {
            for f in &theirs {
                black_box(reference_encode(black_box(f)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
