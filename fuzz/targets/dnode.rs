// Fuzz body shared by `fuzz_targets/dnode.rs` (cargo fuzz) and core's corpus test: the DNODE
// header parser and the message codec.
use wire_core::{dnode, Codec};

pub fn run(data: &[u8]) {
    // The header parser never panics; a header it accepts re-encodes to a header that parses
    // the same.
    if let Ok(Some((header, len))) = dnode::parse_header(data) {
        assert!(len <= data.len());
        let bytes = dnode::encode_header(&header).expect("a parsed header re-encodes");
        assert_eq!(dnode::parse_header(&bytes), Ok(Some((header, bytes.len()))));
    }
    // One-shot decode: what it accepts re-encodes and decodes the same, also through JSON.
    if let Ok(msg) = dnode::decode(data) {
        let bytes = dnode::encode(&msg).expect("a decoded message re-encodes");
        assert_eq!(dnode::decode(&bytes).as_ref(), Ok(&msg));
        let codec = dnode::DnodeCodec::default();
        assert_eq!(codec.from_json(&codec.to_json(&msg)).as_ref(), Ok(&msg));
    }
    crate::split::check(
        dnode::DnodeCodec::default(),
        data,
        data.first().map_or(0, |&b| usize::from(b)),
    );
}
