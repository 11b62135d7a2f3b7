//! wire's dnode codec against the seed Rust port dynomite-engine 2.0.1, same inputs, same run:
//! header decode (plain and secured), header encode (plain and secured), and decoding a
//! stream of 1000 small frames.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dynomite::io::mbuf::MbufPool;
use dynomite::proto::dnode as port;
use wire_core::dnode::{self, DmsgHeader, DmsgType, DnodeCodec};
use wire_core::{Codec, StreamDecoder};

fn plain_header() -> DmsgHeader {
    DmsgHeader {
        id: 4242,
        r#type: DmsgType::Req,
        flags: 0,
        version: 1,
        same_dc: true,
        data: Bytes::new(),
        plen: 39,
    }
}

fn secured_header() -> DmsgHeader {
    DmsgHeader {
        flags: 1,
        data: (0u8..128).map(|b| b.wrapping_mul(37)).collect(),
        ..plain_header()
    }
}

fn port_decode(bytes: &[u8]) -> port::Dmsg {
    let mut parser = port::DnodeParser::new();
    match parser.step(bytes) {
        port::ParseStep::HeaderDone { .. } => parser.take_dmsg(),
        other => panic!("{other:?}"),
    }
}

fn header_decode(c: &mut Criterion) {
    for (label, header) in [("plain", plain_header()), ("secured", secured_header())] {
        let bytes = dnode::encode_header(&header).unwrap();
        let mut group = c.benchmark_group(format!("header_decode/{label}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("wire", |b| {
            b.iter(|| dnode::parse_header(black_box(&bytes)).unwrap().unwrap())
        });
        group.bench_function("dynomite-engine", |b| {
            b.iter(|| port_decode(black_box(&bytes)))
        });
        group.finish();
    }
}

fn header_encode(c: &mut Criterion) {
    let pool = MbufPool::default();
    for (label, header) in [("plain", plain_header()), ("secured", secured_header())] {
        let mut group = c.benchmark_group(format!("header_encode/{label}"));
        let codec = DnodeCodec::default();
        let mut buf = BytesMut::with_capacity(256);
        group.bench_function("wire", |b| {
            b.iter(|| {
                buf.clear();
                codec.encode_header(black_box(&header), &mut buf).unwrap();
            })
        });
        let mut mbuf = pool.get();
        let key = (!header.data.is_empty()).then_some(&header.data[..]);
        group.bench_function("dynomite-engine", |b| {
            b.iter(|| {
                mbuf.rewind();
                port::dmsg_write(
                    &mut mbuf,
                    black_box(header.id),
                    port::DmsgType::Req,
                    header.flags,
                    header.same_dc,
                    key,
                    header.plen,
                )
                .unwrap();
            })
        });
        group.finish();
    }
}

fn stream_decode(c: &mut Criterion) {
    let mut stream = Vec::new();
    for id in 0..1000u64 {
        let msg = dnode::Dmsg::new(id, DmsgType::Res, Bytes::from_static(b"+OK\r\n"));
        stream.extend(dnode::encode(&msg).unwrap());
    }
    let mut group = c.benchmark_group("stream_decode/1000_small_frames");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("wire", |b| {
        b.iter(|| {
            let mut decoder = StreamDecoder::new(DnodeCodec::default());
            decoder.push(black_box(&stream));
            let mut n = 0;
            while let Some(msg) = decoder.next_frame().unwrap() {
                black_box(msg);
                n += 1;
            }
            assert_eq!(n, 1000);
        })
    });
    group.bench_function("wire_codec_bytesmut", |b| {
        b.iter(|| {
            let mut codec = DnodeCodec::default();
            let mut buf = BytesMut::from(black_box(&stream[..]));
            let mut n = 0;
            while let Some(msg) = codec.decode(&mut buf).unwrap() {
                black_box(msg);
                n += 1;
            }
            assert_eq!(n, 1000);
        })
    });
    // The port parses headers only; the caller slices plen payload bytes, as a relay would.
    group.bench_function("dynomite-engine", |b| {
        b.iter(|| {
            let input = black_box(&stream[..]);
            let mut parser = port::DnodeParser::new();
            let (mut at, mut n) = (0, 0);
            while at < input.len() {
                match parser.step(&input[at..]) {
                    port::ParseStep::HeaderDone { consumed } => {
                        let dmsg = parser.take_dmsg();
                        let start = at + consumed;
                        let end = start + dmsg.plen as usize;
                        black_box((&dmsg, &input[start..end]));
                        at = end;
                        n += 1;
                    }
                    other => panic!("{other:?}"),
                }
            }
            assert_eq!(n, 1000);
        })
    });
    group.finish();
}

criterion_group!(benches, header_decode, header_encode, stream_decode);
criterion_main!(benches);
