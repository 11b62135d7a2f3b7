// Fuzz body shared by `fuzz_targets/dnode_handshake.rs` (cargo fuzz) and core's corpus test:
// the DNODE `Handshake` payload decoder.
use wire_core::dnode::{handshake_from_json, handshake_to_json, Handshake};

pub fn run(data: &[u8]) {
    // Never panics; what it accepts re-encodes to exactly the bytes it used.
    if let Ok((hs, used)) = Handshake::decode_prefix(data) {
        let bytes = hs.encode().expect("a decoded handshake re-encodes");
        assert_eq!(&bytes[..], &data[..used]);
        assert_eq!(
            handshake_from_json(&handshake_to_json(&hs)).as_ref(),
            Ok(&hs)
        );
    }
}
