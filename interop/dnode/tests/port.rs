//! wire's dnode codec against the seed Rust port dynomite-engine 2.0.1 on the same inputs:
//! the port's `dmsg_write` / `dmsg_write_mbuf` write the bytes wire writes, the port's
//! `DnodeParser` reads wire's bytes to the same fields, and the port's `Handshake` agrees on
//! every handshake vector.

use std::path::PathBuf;

use bytes::Bytes;
use dynomite::io::mbuf::MbufPool;
use dynomite::proto::dnode as port;
use serde_json::Value;
use wire_core::dnode::{self, Dmsg, DmsgHeader, DmsgType};

fn load(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../vectors")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn frames(doc: &Value) -> Vec<(String, Vec<u8>)> {
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] != "stream")
        .map(|e| {
            let hex = e["hex"].as_str().unwrap();
            (
                e["name"].as_str().unwrap().to_owned(),
                hex::decode(hex).unwrap(),
            )
        })
        .collect()
}

/// The port's header for `header`: plain writer unless the data is the gossip placeholder.
fn port_write(header: &DmsgHeader) -> Vec<u8> {
    let pool = MbufPool::default();
    let mut mbuf = pool.get();
    let ty = port::DmsgType::from_u8(header.r#type.as_u8()).expect("a port type");
    let placeholder = header.data.len() == 1 && matches!(header.data[0], b'a' | b'd');
    let key = (!placeholder).then_some(&header.data[..]);
    let write = if header.data[..] == [b'a'] {
        port::dmsg_write_mbuf
    } else {
        port::dmsg_write
    };
    write(
        &mut mbuf,
        header.id,
        ty,
        header.flags,
        header.same_dc,
        key,
        header.plen,
    )
    .unwrap();
    mbuf.readable().to_vec()
}

fn port_parse(bytes: &[u8]) -> (port::Dmsg, usize) {
    let mut parser = port::DnodeParser::new();
    match parser.step(bytes) {
        port::ParseStep::HeaderDone { consumed } => (parser.take_dmsg(), consumed),
        other => panic!("port parser: {other:?}"),
    }
}

fn assert_same(name: &str, ours: &DmsgHeader, theirs: &port::Dmsg) {
    assert_eq!(ours.id, theirs.id, "{name}");
    assert_eq!(ours.r#type.as_u8(), theirs.ty.as_u8(), "{name}");
    assert_eq!(ours.flags, theirs.flags, "{name}");
    assert_eq!(ours.version, theirs.version, "{name}");
    assert_eq!(ours.same_dc, theirs.same_dc, "{name}");
    assert_eq!(ours.data.len() as u32, theirs.mlen, "{name}");
    assert_eq!(&ours.data[..], &theirs.data[..], "{name}");
    assert_eq!(ours.plen, theirs.plen, "{name}");
}

#[test]
fn port_writers_match_wire_on_every_frame_vector() {
    let mut checked = 0;
    for file in ["dnode.json", "dnode-live.json"] {
        for (name, bytes) in frames(&load(file)) {
            let (header, len) = dnode::parse_header(&bytes).unwrap().unwrap();
            assert_eq!(port_write(&header), &bytes[..len], "{name}");
            let (theirs, consumed) = port_parse(&bytes);
            assert_eq!(consumed, len, "{name}");
            assert_same(&name, &header, &theirs);
            checked += 1;
        }
    }
    assert_eq!(checked, 28 + 239);
}

#[test]
fn port_parses_wire_output_for_its_types() {
    let key: Bytes = (0u8..128).collect();
    for t in 0..=23u8 {
        for (flags, data) in [
            (0, Bytes::new()),
            (1, key.clone()),
            (3, Bytes::from_static(b"a")),
        ] {
            let msg = Dmsg {
                id: u64::from(t) * 1_000_003,
                r#type: DmsgType::from_u8(t),
                flags,
                version: 1,
                same_dc: t % 2 == 0,
                data,
                payload: Bytes::from(vec![t; usize::from(t)]),
            };
            let bytes = dnode::encode(&msg).unwrap();
            let (header, len) = dnode::parse_header(&bytes).unwrap().unwrap();
            let (theirs, consumed) = port_parse(&bytes);
            assert_eq!(consumed, len);
            assert_same(&format!("type {t}"), &header, &theirs);
            assert_eq!(port_write(&header), &bytes[..len], "type {t}");
        }
    }
}

#[test]
fn handshakes_agree_with_the_port() {
    let doc = load("dnode.json");
    for entry in doc["handshake_vectors"].as_array().unwrap() {
        let bytes = hex::decode(entry["hex"].as_str().unwrap()).unwrap();
        let ours = dnode::Handshake::decode(&bytes).unwrap();
        let theirs = port::Handshake::decode(&bytes).unwrap();
        assert_eq!(theirs.encode(), ours.encode().unwrap());
        let entries = theirs.capabilities().entries();
        assert_eq!(entries.len(), ours.capabilities.entries.len());
        for (a, b) in entries.iter().zip(&ours.capabilities.entries) {
            assert_eq!(a.name(), b.name);
            let values: Vec<&[u8]> = b.supported.iter().map(|v| &v[..]).collect();
            let theirs: Vec<&[u8]> = a.supported().iter().map(Vec::as_slice).collect();
            assert_eq!(theirs, values);
        }
    }
    for entry in doc["handshake_invalid"].as_array().unwrap() {
        let bytes = hex::decode(entry["hex"].as_str().unwrap()).unwrap();
        assert!(port::Handshake::decode(&bytes).is_err());
        assert!(dnode::Handshake::decode(&bytes).is_err());
    }
}

/// Where the two parsers deliberately differ (see the dnode module docs and the report).
#[test]
fn documented_differences() {
    // mlen 0: the port accepts it, C never completes, wire refuses it.
    let zero = b"   $2014$ 1 3 0 1 1 *0 *5\r\nhello";
    assert!(matches!(
        port::DnodeParser::new().step(zero),
        port::ParseStep::HeaderDone { .. }
    ));
    assert!(dnode::decode(zero).is_err());
    // flags over 15: both read the low nibble; the port's writer masks silently, wire's
    // encoder refuses.
    let (theirs, _) = port_parse(b"   $2014$ 1 3 18 1 1 *1 d *0\r\n");
    let ours = dnode::decode(b"   $2014$ 1 3 18 1 1 *1 d *0\r\n").unwrap();
    assert_eq!((theirs.flags, ours.flags), (2, 2));
    let mut msg = ours;
    msg.flags = 18;
    assert!(dnode::encode(&msg).is_err());
    // type 256: the port wraps it to 0, wire refuses values over 255.
    let (theirs, _) = port_parse(b"   $2014$ 1 256 0 1 1 *1 d *0\r\n");
    assert_eq!(theirs.ty, port::DmsgType::Unknown);
    assert!(dnode::decode(b"   $2014$ 1 256 0 1 1 *1 d *0\r\n").is_err());
    // type 99: the port errors, wire keeps the number.
    let ninety_nine = b"   $2014$ 1 99 0 1 1 *1 d *0\r\n";
    assert!(matches!(
        port::DnodeParser::new().step(ninety_nine),
        port::ParseStep::Error { .. }
    ));
    assert_eq!(
        dnode::decode(ninety_nine).unwrap().r#type,
        DmsgType::Other(99)
    );
}
