//! Property tests of the broker codec: random frames and messages round-trip, and any chunking
//! of a stream of frames decodes to the same frames as one-shot decoding.

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use wire_core::broker::{
    self, hello_reply, AnyMessage, BrokerCodec, Frame, Framed, Hello, HelloReply, LifecycleEvent,
    Negotiated, Refused,
};
use wire_core::{decode_all, encode_to_vec, Codec, StreamDecoder};

fn bytes() -> impl Strategy<Value = bytes::Bytes> {
    vec(any::<u8>(), 0..64).prop_map(bytes::Bytes::from)
}

fn frame() -> impl Strategy<Value = Frame> {
    (
        (
            any::<u32>(),
            any::<i32>(),
            any::<u32>(),
            bytes(),
            any::<u64>(),
        ),
        (any::<i32>(), any::<u64>(), ".{0,16}", ".{0,16}"),
    )
        .prop_map(
            |(
                (envelope_version, kind, payload_protocol, payload, request_id),
                (payload_encoding, deadline_unix_ms, traceparent, tracestate),
            )| Frame {
                envelope_version,
                kind,
                payload_protocol,
                payload,
                request_id,
                payload_encoding,
                deadline_unix_ms,
                traceparent,
                tracestate,
            },
        )
}

fn hello() -> impl Strategy<Value = Hello> {
    (
        (
            any::<u32>(),
            any::<u32>(),
            "[a-z0-9-]{0,20}",
            ".{0,8}",
            ".{0,8}",
        ),
        (any::<u64>(), bytes(), ".{0,8}", any::<u64>(), any::<u32>()),
        (".{0,8}", ".{0,8}", bytes(), bytes(), any::<u64>()),
    )
        .prop_map(|(a, b, c)| Hello {
            client_min_protocol: a.0,
            client_max_protocol: a.1,
            service_name: a.2,
            wanted_version: a.3,
            client_version: a.4,
            client_capabilities: b.0,
            auth_token: b.1,
            request_id: b.2,
            connection_id: b.3,
            peer_pid: b.4,
            client_lib_name: c.0,
            client_lib_version: c.1,
            peer_attestation_nonce: c.2,
            capability_token: c.3,
            client_keepalive_secs: c.4,
        })
}

fn string_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map(".{0,6}", ".{0,6}", 0..5)
}

fn hello_reply() -> impl Strategy<Value = HelloReply> {
    prop_oneof![
        Just(None),
        (
            any::<u32>(),
            ".{0,8}",
            vec(".{0,4}", 0..3),
            any::<u64>(),
            bytes()
        )
            .prop_map(
                |(negotiated_protocol, daemon_version, warnings, connection_id, token)| Some(
                    hello_reply::Result::Negotiated(Negotiated {
                        negotiated_protocol,
                        daemon_version,
                        warnings,
                        connection_id,
                        handle_passed_token: token,
                        ..Negotiated::default()
                    })
                )
            ),
        (".{0,8}", any::<i32>(), string_map(), any::<u64>()).prop_map(
            |(reason, code, details, retry_after_ms)| Some(hello_reply::Result::Refused(Refused {
                reason,
                code,
                details,
                retry_after_ms,
                ..Refused::default()
            }))
        ),
    ]
    .prop_map(|result| HelloReply { result })
}

fn event() -> impl Strategy<Value = LifecycleEvent> {
    (any::<u64>(), any::<i32>(), string_map(), ".{0,8}").prop_map(|(ts_ms, kind, extra, reason)| {
        LifecycleEvent {
            ts_ms,
            kind,
            extra,
            reason,
            ..LifecycleEvent::default()
        }
    })
}

fn message() -> impl Strategy<Value = AnyMessage> {
    prop_oneof![
        frame().prop_map(AnyMessage::from),
        hello().prop_map(AnyMessage::from),
        hello_reply().prop_map(AnyMessage::from),
        event().prop_map(AnyMessage::from),
    ]
}

proptest! {
    #[test]
    fn frames_round_trip(frame in frame()) {
        let bytes = broker::encode(&frame).unwrap();
        prop_assert_eq!(broker::decode(&bytes).unwrap(), frame.clone());
        let framed = Framed::from(frame);
        let codec = BrokerCodec::default();
        prop_assert_eq!(codec.from_json(&codec.to_json(&framed)).unwrap(), framed);
    }

    #[test]
    fn messages_round_trip(message in message()) {
        let bytes = message.encode();
        prop_assert_eq!(bytes.len(), message.encoded_len());
        prop_assert_eq!(AnyMessage::decode(message.type_name(), &bytes).unwrap(), message.clone());
        prop_assert_eq!(AnyMessage::from_json(&message.to_json()).unwrap(), message);
    }

    #[test]
    fn payloads_in_frames_round_trip(hello in hello(), reply in hello_reply()) {
        use wire_core::broker::prost::Message as _;
        for (kind, payload) in [(0, hello.encode_to_vec()), (1, reply.encode_to_vec())] {
            let frame = Frame { envelope_version: 1, kind, payload: payload.into(), ..Frame::default() };
            let framed = Framed::from(frame);
            let codec = BrokerCodec::default();
            let json = codec.to_json(&framed);
            prop_assert!(json["fields"].get("payload_message").is_some());
            prop_assert_eq!(codec.from_json(&json).unwrap(), framed);
        }
    }

    #[test]
    fn any_chunking_equals_one_shot(
        frames in vec(frame(), 0..6),
        chunks in vec(1usize..40, 1..20),
        bytewise in any::<bool>(),
    ) {
        let mut codec = BrokerCodec::default();
        let mut stream = Vec::new();
        for f in &frames {
            stream.extend(encode_to_vec(&mut codec, &Framed::from(f.clone())).unwrap());
        }
        let whole = decode_all(BrokerCodec::default(), &stream).unwrap();
        prop_assert_eq!(whole.len(), frames.len());
        let mut decoder = StreamDecoder::new(BrokerCodec::default());
        let mut got = Vec::new();
        let mut rest = &stream[..];
        let mut sizes = chunks.iter().cycle();
        while !rest.is_empty() {
            let n = if bytewise { 1 } else { (*sizes.next().unwrap()).min(rest.len()) };
            got.extend(decoder.feed(&rest[..n]).unwrap());
            rest = &rest[n..];
        }
        decoder.finish().unwrap();
        prop_assert_eq!(got, whole);
    }
}
