//! wire's chitchat codec vs the chitchat crate 0.11.2 on the same V0 messages, in one run.
//! `cargo bench -p wire-interop-chitchat`; each group has `wire/<message>` and
//! `chitchat/<message>` side by side.

use std::hint::black_box;
use std::time::Duration;

use chitchat::{ChitchatMessage, Deserializable, Serializable};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wire_core::chitchat::{self as wire, ProtocolVersion};

const MESSAGES: [&str; 5] = [
    "syn_ack_small",
    "syn_100_nodes",
    "syn_1000_nodes",
    "ack_200_kvs",
    "syn_ack_multi_block",
];

fn messages() -> Vec<(
    &'static str,
    wire::ChitchatEnvelope,
    Vec<u8>,
    ChitchatMessage,
)> {
    wire_interop_chitchat::samples(ProtocolVersion::V0)
        .into_iter()
        .filter(|(name, _)| MESSAGES.contains(name))
        .map(|(name, envelope)| {
            let bytes = wire::encode(&envelope).unwrap();
            let theirs = ChitchatMessage::deserialize(&mut &bytes[..]).unwrap();
            assert_eq!(theirs.serialize_to_vec(), bytes, "{name}");
            (name, envelope, bytes, theirs)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let messages = messages();
    let mut group = c.benchmark_group("encode");
    for (name, envelope, bytes, theirs) in &messages {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("wire/{name}"), |b| {
            b.iter(|| wire::encode(black_box(envelope)).unwrap())
        });
        group.bench_function(format!("chitchat/{name}"), |b| {
            b.iter(|| black_box(theirs).serialize_to_vec())
        });
    }
    group.finish();
    let mut group = c.benchmark_group("decode");
    for (name, _, bytes, _) in &messages {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("wire/{name}"), |b| {
            b.iter(|| wire::decode(black_box(bytes)).unwrap())
        });
        group.bench_function(format!("chitchat/{name}"), |b| {
            b.iter(|| ChitchatMessage::deserialize(&mut black_box(&bytes[..])).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
