// Fuzz body shared by `fuzz_targets/broker.rs` (cargo fuzz) and core's corpus test.
use wire_core::broker::{self, AnyMessage, BrokerCodec};
use wire_core::Codec;

pub fn run(data: &[u8]) {
    // One-shot decode must never panic; what it accepts must re-encode to a frame that decodes
    // the same, and survive its JSON form.
    let mut codec = BrokerCodec::default();
    let exact = wire_core::decode_exact(&mut codec, data);
    // The slice fast path of `broker::decode` agrees with the codec, errors included.
    assert_eq!(
        broker::decode(data),
        exact.clone().map(|framed| framed.frame)
    );
    if let Ok(framed) = exact {
        // The canonical body can outgrow the cap (a 5-byte negative enum becomes 10 bytes).
        if let Ok(bytes) = broker::encode(&framed.frame) {
            assert_eq!(broker::decode(&bytes).as_ref(), Ok(&framed.frame));
        }
        assert_eq!(
            codec.from_json(&codec.to_json(&framed)).as_ref(),
            Ok(&framed)
        );
        if let Some(Ok(payload)) = framed.frame.payload_message() {
            let again = payload.schema().decode(&payload.encode());
            assert_eq!(again.as_ref(), Ok(&payload));
        }
    }
    // The bytes as a bare message of the type picked by the first byte.
    if let Some((&pick, rest)) = data.split_first() {
        let names = AnyMessage::TYPE_NAMES;
        let name = names[usize::from(pick) % names.len()];
        if let Ok(message) = AnyMessage::decode(name, rest) {
            assert_eq!(
                AnyMessage::decode(name, &message.encode()).as_ref(),
                Ok(&message)
            );
            assert_eq!(
                AnyMessage::from_json(&message.to_json()).as_ref(),
                Ok(&message)
            );
        }
    }
    crate::split::check(
        BrokerCodec::default(),
        data,
        data.get(1).map_or(0, |&b| usize::from(b)),
    );
}
