//! dnode: vectors/dnode.json (reference writers and parser) and vectors/dnode-live.json (real
//! traffic) through the same runner.

use bytes::BytesMut;
use serde_json::Value;
use wire_core::dnode::{self, DnodeCodec, Flavour};
use wire_core::{decode_exact, encode_to_vec, Codec, ErrorKind, Limits, StreamDecoder};

use crate::common::{self, hex_of, name, run, Suite};

/// `codec_expectation` of an `invalid` entry: `error` is always a framing error here.
fn dnode_expected_error(entry: &Value) -> ErrorKind {
    match entry["codec_expectation"].as_str().unwrap_or_default() {
        "error" => ErrorKind::Malformed,
        "incomplete" => ErrorKind::Incomplete,
        e if e.starts_with("error-for-single-frame-decode") => ErrorKind::TrailingBytes,
        e if e.starts_with("strict plen framing") => ErrorKind::Malformed,
        other => panic!("{}: no expectation for {other:?}", name(entry)),
    }
}

/// A tiny deterministic PRNG for chunkings (xorshift64*).
struct Chunker(u64);

impl Chunker {
    fn next(&mut self, max: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % max + 1
    }
}

/// One decoded frame of a stream: its offset, header length and message.
struct Located {
    offset: u64,
    header_len: u64,
    msg: dnode::Dmsg,
}

/// Stream-decode `bytes` in the chunk sizes `sizes` yields: every frame with its offset, then
/// the outcome (first error, or the end-of-stream check).
fn dnode_stream(
    bytes: &[u8],
    mut sizes: impl FnMut() -> usize,
) -> (Vec<Located>, wire_core::Result<()>) {
    let mut decoder = StreamDecoder::new(DnodeCodec::default());
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + sizes()).min(bytes.len());
        decoder.push(&bytes[at..end]);
        at = end;
        loop {
            let offset = decoder.position();
            match decoder.next_frame() {
                Ok(Some(msg)) => {
                    let len = decoder.position() - offset;
                    frames.push(Located {
                        offset,
                        header_len: len - msg.payload.len() as u64,
                        msg,
                    });
                }
                Ok(None) => break,
                Err(e) => return (frames, Err(e)),
            }
        }
    }
    let end = decoder.finish();
    (frames, end)
}

/// The stream outcome is the same for 1-byte, whole and several pseudo-random chunkings.
fn dnode_stream_all_chunkings(bytes: &[u8]) -> (Vec<Located>, wire_core::Result<()>) {
    let reference = dnode_stream(bytes, || 1);
    let summary = |(frames, end): &(Vec<Located>, wire_core::Result<()>)| {
        let f: Vec<_> = frames
            .iter()
            .map(|l| (l.offset, l.header_len, l.msg.clone()))
            .collect();
        (f, end.clone())
    };
    let expected = summary(&reference);
    assert_eq!(
        summary(&dnode_stream(bytes, || bytes.len().max(1))),
        expected
    );
    for seed in 1..=4u64 {
        let mut chunker = Chunker(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let max = [3, 17, 64, 1500][seed as usize - 1];
        assert_eq!(
            summary(&dnode_stream(bytes, || chunker.next(max))),
            expected,
            "chunking seed {seed}"
        );
    }
    reference
}

fn dnode_type_value(t: dnode::DmsgType) -> Value {
    match t.name() {
        Some(n) => Value::String(n.into()),
        None => Value::from(t.as_u8()),
    }
}

/// JSON numbers or decimal strings (dnode-live.json writes header_len as a string).
fn number_of(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Every frame entry of `vectors`, concatenated, streams to the same messages.
fn dnode_check_concatenation(doc: &Value) -> usize {
    let entries: Vec<&Value> = common::section(doc, "vectors")
        .iter()
        .filter(|e| e["type"] != "stream")
        .collect();
    let mut all = Vec::new();
    for e in &entries {
        all.extend(hex_of(e, "hex"));
    }
    let (frames, end) = dnode_stream_all_chunkings(&all);
    end.expect("concatenated vectors");
    assert_eq!(frames.len(), entries.len());
    let mut offset = 0;
    for (entry, frame) in entries.iter().zip(&frames) {
        let bytes = hex_of(entry, "hex");
        assert_eq!(frame.offset, offset, "{}", name(entry));
        assert_eq!(frame.msg, dnode::decode(&bytes).unwrap(), "{}", name(entry));
        if let Some(h) = entry.get("header_len") {
            assert_eq!(frame.header_len, number_of(h), "{}", name(entry));
        }
        offset += bytes.len() as u64;
    }
    1
}

struct Dnode;

impl Suite for Dnode {
    type C = DnodeCodec;
    const FILE: &'static str = "dnode.json";

    fn expected_error(entry: &Value) -> ErrorKind {
        dnode_expected_error(entry)
    }

    /// Also checks the writer flavour: a placeholder vector encodes the same from an empty
    /// data field with the entry's writer (`dmsg_write` = plain, `dmsg_write_mbuf` = gossip).
    fn encode_from_json(entry: &Value, message: &Value) -> wire_core::Result<Vec<u8>> {
        let mut codec = DnodeCodec::default();
        let msg = codec.from_json(message)?;
        let bytes = encode_to_vec(&mut codec, &msg)?;
        let flavour = match entry["writer"].as_str() {
            Some("dmsg_write") => Flavour::Plain,
            Some("dmsg_write_mbuf") => Flavour::Gossip,
            other => panic!("{}: writer {other:?}", name(entry)),
        };
        if msg.data[..] == [flavour.placeholder()] {
            let mut writer = DnodeCodec::default().with_flavour(flavour);
            let mut placeholder = msg.clone();
            placeholder.data = bytes::Bytes::new();
            assert_eq!(
                encode_to_vec(&mut writer, &placeholder)?,
                bytes,
                "{}",
                name(entry)
            );
        }
        Ok(bytes)
    }

    /// Trailing garbage after a frame: one-shot says trailing_bytes; a stream yields the frame
    /// (consumed = header_len + plen) and then refuses the garbage (no resync).
    fn check_invalid(entry: &Value) {
        let bytes = hex_of(entry, "hex");
        let expected = Self::expected_error(entry);
        let e = decode_exact(&mut Self::codec(), &bytes).expect_err(name(entry));
        assert_eq!(e.kind(), expected, "{}: {e}", name(entry));
        common::assert_stream_error_matches::<Self>(entry, &bytes, expected);
        if expected == ErrorKind::TrailingBytes {
            let (frames, end) = dnode_stream_all_chunkings(&bytes);
            assert_eq!(frames.len(), 1, "{}", name(entry));
            let consumed = frames[0].header_len + frames[0].msg.payload.len() as u64;
            let e = end.expect_err(name(entry));
            assert_eq!(
                (e.kind(), e.offset()),
                (ErrorKind::Malformed, Some(consumed as usize))
            );
        }
    }

    /// Lenient forms decode to the listed header fields (header_len checked); the forms the
    /// project's decisions reject are refused, and flags keep their raw value.
    fn check_decode_only(entry: &Value) {
        let bytes = hex_of(entry, "hex");
        if let Some(kind) = common::decided_kind(Self::FILE, "decode_only", entry) {
            let e = dnode::parse_header(&bytes).expect_err(name(entry));
            assert_eq!(e.kind(), kind, "{}: {e}", name(entry));
            let e = dnode::decode(&bytes).expect_err(name(entry));
            assert_eq!(e.kind(), kind, "{}: {e}", name(entry));
            return;
        }
        let (header, len) = dnode::parse_header(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", name(entry)))
            .unwrap_or_else(|| panic!("{}: incomplete", name(entry)));
        assert_eq!(
            len as u64,
            number_of(&entry["header_len"]),
            "{}",
            name(entry)
        );
        let expected = common::message_of(entry);
        assert_eq!(dnode::header_to_json(&header), expected, "{}", name(entry));
        let total = len + header.plen as usize;
        let msg = dnode::decode(&bytes[..total]).unwrap();
        assert_eq!(msg.header().unwrap(), header, "{}", name(entry));
        assert_eq!(&msg.payload[..], &bytes[len..total]);
    }

    fn extra_sections(doc: &Value) -> usize {
        let mut n = dnode_check_concatenation(doc);
        let wide = DnodeCodec::with_limits(Limits {
            max_frame_size: u32::MAX.into(),
            max_decompressed_size: 0,
        })
        .unwrap();
        for entry in common::section(doc, "header_vectors") {
            let bytes = hex_of(entry, "hex");
            let (header, len) = wide.parse_header(&bytes).unwrap().unwrap();
            assert_eq!(len, bytes.len(), "{}", name(entry));
            assert_eq!(number_of(&entry["header_len"]), len as u64);
            assert_eq!(dnode::header_to_json(&header), common::message_of(entry));
            let back = dnode::header_from_json(&common::message_of(entry)).unwrap();
            let mut out = BytesMut::new();
            wide.encode_header(&back, &mut out).unwrap();
            assert_eq!(hex::encode(&out), hex::encode(&bytes), "{}", name(entry));
            assert_eq!(wide.header_encoded_len(&back).unwrap(), bytes.len());
            n += 1;
        }
        for entry in common::section(doc, "handshake_vectors") {
            let bytes = hex_of(entry, "hex");
            let hs = dnode::Handshake::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(dnode::handshake_to_json(&hs), common::message_of(entry));
            let back = dnode::handshake_from_json(&common::message_of(entry)).unwrap();
            assert_eq!(back.encode().unwrap(), bytes, "{}", name(entry));
            assert_eq!(back.encoded_len().unwrap(), bytes.len());
            n += 1;
        }
        for entry in common::section(doc, "handshake_invalid") {
            let behaviour = entry["reference_behaviour"].as_str().unwrap();
            let derived =
                if let Some(kind) = common::decided_kind(Self::FILE, "handshake_invalid", entry) {
                    kind
                } else if behaviour.contains("Truncated") {
                    ErrorKind::Incomplete
                } else if behaviour.contains("TooManyEntries") {
                    ErrorKind::TooLarge
                } else if behaviour.contains("BadMagic") {
                    ErrorKind::Malformed
                } else {
                    panic!("{}: {behaviour}", name(entry))
                };
            let expected = common::expected_kind(Self::FILE, "handshake_invalid", entry);
            assert_eq!(
                expected,
                Some(derived),
                "{}: vectors/expectations.json",
                name(entry)
            );
            let e = dnode::Handshake::decode(&hex_of(entry, "hex")).expect_err(name(entry));
            assert_eq!(e.kind(), derived, "{}: {e}", name(entry));
            n += 1;
        }
        assert_eq!(n, 1 + 2 + 4 + 8, "dnode.json extra sections changed");
        n
    }
}

#[test]
fn dnode_vectors() {
    let tally = run::<Dnode>();
    assert_eq!(
        (tally.roundtrip, tally.decode_only, tally.invalid),
        (28, 16, 23)
    );
}

struct DnodeLive;

impl Suite for DnodeLive {
    type C = DnodeCodec;
    const FILE: &'static str = "dnode-live.json";

    fn expected_error(entry: &Value) -> ErrorKind {
        dnode_expected_error(entry)
    }

    fn is_frame_entry(entry: &Value) -> bool {
        entry["type"] != "stream"
    }

    /// Engine-garbled streams: strict plen framing decodes the frames before the damage, then
    /// fails with `malformed` at the offset the capture notes give.
    fn check_invalid(entry: &Value) {
        let expectation = entry["codec_expectation"].as_str().unwrap_or_default();
        if !expectation.starts_with("strict plen framing") {
            common::assert_rejected::<Self>(entry);
            return;
        }
        let at: u64 = expectation
            .split("error at offset ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: no offset in {expectation:?}", name(entry)));
        let (frames, end) = dnode_stream_all_chunkings(&hex_of(entry, "hex"));
        let e = end.expect_err(name(entry));
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::Malformed, Some(at as usize))
        );
        let last = frames.last().expect("frames before the damage");
        assert_eq!(
            last.offset + last.header_len + last.msg.payload.len() as u64,
            at
        );
        assert_eq!(frames[0].offset, 0);
        if expectation.contains("frames at offsets 0 and 73") {
            let offsets: Vec<u64> = frames.iter().map(|f| f.offset).collect();
            assert_eq!(offsets, [0, 73]);
            assert!(frames[1].msg.payload.is_empty());
        }
        if expectation.contains("with a 43-byte payload") {
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0].msg.payload.len(), 43);
        }
    }

    fn extra_sections(doc: &Value) -> usize {
        let mut n = dnode_check_concatenation(doc);
        let mut streams = 0;
        for entry in common::section(doc, "vectors") {
            if entry["type"] != "stream" {
                continue;
            }
            let (frames, end) = dnode_stream_all_chunkings(&hex_of(entry, "hex"));
            end.unwrap_or_else(|e| panic!("{}: {e}", name(entry)));
            let listed = entry["fields"]["frames"].as_array().expect("frames");
            assert_eq!(
                number_of(&entry["fields"]["frame_count"]),
                listed.len() as u64
            );
            assert_eq!(frames.len(), listed.len(), "{}", name(entry));
            for (got, want) in frames.iter().zip(listed) {
                let got_json = serde_json::json!({
                    "offset": got.offset,
                    "header_len": got.header_len,
                    "plen": got.msg.payload.len(),
                    "id": got.msg.id,
                    "type": dnode_type_value(got.msg.r#type),
                });
                assert_eq!(&got_json, want, "{}", name(entry));
            }
            streams += 1;
        }
        assert_eq!(streams, 13);
        n += streams;
        for entry in common::section(doc, "live_replay_accepted") {
            let bytes = hex_of(entry, "hex");
            match name(entry) {
                "replay-plen-too-small" => {
                    let e = dnode::decode(&bytes).unwrap_err();
                    assert_eq!((e.kind(), e.offset()), (ErrorKind::TrailingBytes, Some(40)));
                    let (frames, end) = dnode_stream_all_chunkings(&bytes);
                    assert_eq!(frames.len(), 1);
                    assert_eq!(frames[0].msg.payload.len(), 10);
                    assert_eq!(end.unwrap_err().kind(), ErrorKind::Malformed);
                }
                "replay-version-2" => {
                    let msg = dnode::decode(&bytes).unwrap();
                    assert_eq!((msg.version, msg.payload.len()), (2, 39));
                }
                other => panic!("{other}: unknown live_replay_accepted entry"),
            }
            n += 1;
        }
        n
    }
}

#[test]
fn dnode_live_vectors() {
    let tally = run::<DnodeLive>();
    assert_eq!((tally.roundtrip, tally.invalid), (239, 11));
}
