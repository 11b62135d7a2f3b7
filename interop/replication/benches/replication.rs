//! wire vs noxu-rep 7.11.2 encoding and decoding the same bare messages, in one run. Groups
//! `encode/<input>` and `decode/<input>`, each with a `wire` and a `noxu-rep` function;
//! `framed` adds wire's `[u32 len][message]` codec (zero-copy `LogEntry.data`) for reference.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use wire_core::replication::{self, Layout, ProtocolMessage, ReplicationCodec};
use wire_core::Codec;

fn inputs() -> Vec<(&'static str, Vec<ProtocolMessage>)> {
    let all = common::sample_messages(Some(4900));
    let pick = |tag: u8| all.iter().filter(|m| m.tag() == tag).cloned().collect();
    vec![
        ("mixed12", all.clone()),
        ("heartbeat", pick(replication::TAG_HEARTBEAT)),
        (
            "election_proposal",
            pick(replication::TAG_ELECTION_PROPOSAL),
        ),
        ("log_entry_4k", pick(replication::TAG_LOG_ENTRY)),
    ]
}

fn bench(c: &mut Criterion) {
    for (name, messages) in inputs() {
        let refs: Vec<_> = messages.iter().map(common::v7::to_ref).collect();
        let encoded: Vec<Vec<u8>> = messages
            .iter()
            .map(|m| replication::encode_message(m, Layout::V7).unwrap())
            .collect();
        let bytes: usize = encoded.iter().map(Vec::len).sum();
        let mut framed = BytesMut::new();
        let mut codec = ReplicationCodec::default();
        for m in &messages {
            codec.encode(m, &mut framed).unwrap();
        }
        let framed = framed.freeze();

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("wire", |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(replication::encode_message(black_box(m), Layout::V7).unwrap());
                }
            })
        });
        group.bench_function("noxu-rep", |b| {
            b.iter(|| {
                for m in &refs {
                    black_box(black_box(m).encode());
                }
            })
        });
        group.bench_function("wire-framed", |b| {
            let mut codec = ReplicationCodec::default();
            let mut out = BytesMut::with_capacity(framed.len());
            b.iter(|| {
                out.clear();
                for m in &messages {
                    codec.encode(black_box(m), &mut out).unwrap();
                }
                black_box(&out);
            })
        });
        group.finish();

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("wire", |b| {
            b.iter(|| {
                for e in &encoded {
                    black_box(replication::decode_message(black_box(e), Layout::V7).unwrap());
                }
            })
        });
        group.bench_function("noxu-rep", |b| {
            b.iter(|| {
                for e in &encoded {
                    black_box(noxu_rep::protocol::ProtocolMessage::decode(black_box(e)).unwrap());
                }
            })
        });
        group.bench_function("wire-framed", |b| {
            let mut codec = ReplicationCodec::default();
            b.iter_batched_ref(
                || BytesMut::from(&framed[..]),
                |buf| {
                    while let Some(m) = codec.decode(buf).unwrap() {
                        black_box(m);
                    }
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
