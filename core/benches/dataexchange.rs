//! dataexchange encode/decode of the vector frames, 64 B / 1 MiB payloads and a 48 KiB
//! TypeFileStream CHUNK (the reference sender's chunk size) against a plain memcpy of the same
//! bytes (the floor any codec pays to move a payload).

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use wire_core::dataexchange::{Control, DataexchangeCodec, Frame, STREAM_CHUNK_SIZE};
use wire_core::{decode_exact, Codec, StreamDecoder};

fn vector_frames() -> Vec<Vec<u8>> {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../vectors/dataexchange-latest.json")).unwrap();
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| hex::decode(v["hex"].as_str().unwrap()).unwrap())
        .collect()
}

fn vectors(c: &mut Criterion) {
    let frames = vector_frames();
    let total: usize = frames.iter().map(Vec::len).sum();
    let decoded: Vec<Frame> = frames
        .iter()
        .map(|f| decode_exact(&mut DataexchangeCodec::default(), f).unwrap())
        .collect();
    let mut g = c.benchmark_group("dataexchange/vectors");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("decode_each", |b| {
        let mut codec = DataexchangeCodec::default();
        b.iter(|| {
            for f in &frames {
                black_box(decode_exact(&mut codec, black_box(f)).unwrap());
            }
        })
    });
    g.bench_function("encode_each", |b| {
        let mut codec = DataexchangeCodec::default();
        let mut buf = BytesMut::with_capacity(total);
        b.iter(|| {
            buf.clear();
            for f in &decoded {
                codec.encode(black_box(f), &mut buf).unwrap();
            }
            black_box(&buf);
        })
    });
    let stream: Vec<u8> = frames.concat();
    g.bench_function("stream_decode_all", |b| {
        b.iter(|| {
            let mut decoder = StreamDecoder::new(DataexchangeCodec::default());
            black_box(decoder.feed(black_box(&stream)).unwrap());
        })
    });
    g.finish();
}

fn payload_sizes(c: &mut Criterion) {
    for (label, size) in [("64B", 64usize), ("1MiB", 1 << 20)] {
        let payload = Bytes::from(vec![0x5a; size]);
        let frame = Frame::Binary {
            payload: payload.clone(),
        };
        let mut codec = DataexchangeCodec::default();
        let encoded = Bytes::from(wire_core::encode_to_vec(&mut codec, &frame).unwrap());
        let mut g = c.benchmark_group(format!("dataexchange/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function("memcpy", |b| {
            let mut dst = vec![0u8; size];
            b.iter(|| dst.copy_from_slice(black_box(&payload)))
        });
        g.bench_function("encode", |b| {
            let mut buf = BytesMut::with_capacity(size + 8);
            b.iter(|| {
                buf.clear();
                codec.encode(black_box(&frame), &mut buf).unwrap();
            })
        });
        // Decoding from an owned buffer slices the payload without copying it.
        g.bench_function("decode_zero_copy", |b| {
            b.iter_batched(
                || BytesMut::from(&encoded[..]),
                |mut buf| black_box(codec.decode(&mut buf).unwrap()),
                BatchSize::LargeInput,
            )
        });
        // One-shot decode from a borrowed slice copies the input once.
        g.bench_function("decode_from_slice", |b| {
            b.iter(|| black_box(decode_exact(&mut codec, black_box(&encoded)).unwrap()))
        });
        g.finish();
    }
}

fn file_stream_chunk(c: &mut Criterion) {
    let data = Bytes::from(vec![0x5a; STREAM_CHUNK_SIZE as usize]);
    let frame = Frame::FileStream {
        transfer_id: Bytes::from_static(&[7; 16]),
        control: Control::Chunk {
            offset: 49152,
            data: data.clone(),
        },
    };
    let mut codec = DataexchangeCodec::default();
    let encoded = Bytes::from(wire_core::encode_to_vec(&mut codec, &frame).unwrap());
    let mut g = c.benchmark_group("dataexchange/chunk-48KiB");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("memcpy", |b| {
        let mut dst = vec![0u8; data.len()];
        b.iter(|| dst.copy_from_slice(black_box(&data)))
    });
    g.bench_function("encode", |b| {
        let mut buf = BytesMut::with_capacity(encoded.len());
        b.iter(|| {
            buf.clear();
            codec.encode(black_box(&frame), &mut buf).unwrap();
        })
    });
    g.bench_function("decode_zero_copy", |b| {
        b.iter_batched(
            || BytesMut::from(&encoded[..]),
            |mut buf| black_box(codec.decode(&mut buf).unwrap()),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, vectors, payload_sizes, file_stream_chunk);
criterion_main!(benches);
