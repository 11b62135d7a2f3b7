//! Noxu DB replication `ProtocolMessage`, byte-compatible with crates.io `noxu-rep` 7.11.2
//! (layout `7x`, the default) and 3.2.0 (layout `3x`).
//!
//! A message is one tag byte and its fields, with no length and no version of its own. All
//! integers are little-endian; `str` is `[u32 byte length][UTF-8]`, `bool` one byte.
//!
//! ```text
//! 01 Handshake           node_name str, group_name str, node_type u8
//! 02 HandshakeResponse   accepted bool, has_reason bool, [reason str if has_reason]
//! 03 Heartbeat           master_vlsn u64, timestamp_ms u64
//! 04 HeartbeatResponse   replica_vlsn u64, timestamp_ms u64
//! 05 LogEntry            vlsn u64, entry_type u8, data [u32 length][bytes]
//! 06 Ack                 vlsn u64
//! 07 GroupChange         change_type u8, node: name str, node_type u8, host str, port u16,
//!                        node_id u32
//! 08 GroupChangeResponse accepted bool
//! 09 ElectionProposal    node_name str, vlsn u64, priority u32, term u64, dtvlsn u64 (7x only)
//! 0a ElectionVote        voter str, granted bool, term u64
//! 0b ElectionResult      master str, term u64
//! 0c Shutdown            reason str
//! ```
//!
//! Nothing in the bytes tells the layouts apart (noxu-rep 4.1.0 added `dtvlsn`): the caller
//! picks [`Layout`] explicitly. [`ElectionProposal::dtvlsn`](ProtocolMessage::ElectionProposal)
//! is `Some` exactly under `7x`; encoding a proposal whose `dtvlsn` does not match the layout
//! is `invalid_argument`.
//!
//! The bare message is what [`encode_message`] (or [`encode_message_into`]) and
//! [`decode_message`] handle (in-process channels carry it as is). Every noxu-rep network
//! channel (TCP, TLS, QUIC) carries it as `[u32 LE length][message]`, receivers refusing lengths
//! over 64 MiB: that framed form is [`ReplicationCodec`] (the [`Codec`]) and [`encode`] /
//! [`decode`] (layout 7x; other layouts through the codec). A TCP connection starts with a
//! service-name preamble `[u32 LE length 1..=256][name]` ([`encode_preamble`],
//! [`decode_preamble`]); `ProtocolMessage` traffic goes to [`SERVICE_ELECTION`].
//!
//! Decoding is the crate's, field by field and error text for error text (the [`Error`] reason
//! is the crate's `ProtocolError` string): any non-zero bool or presence byte is true (encoding
//! writes 0/1), strings must be strict UTF-8 (U+0000 and a leading BOM are kept). Kinds: input
//! ending inside a field is `incomplete` (offset = the field's start, as in the crate's text),
//! unknown tags, node types and change types are `malformed`, bad UTF-8 is `invalid_utf8`.
//!
//! One difference, by the project's rule: the crate ignores bytes after a message, while
//! [`decode_message`] refuses them (`trailing_bytes`) and the framed codec refuses a frame
//! whose message ends before the frame does (`malformed`). [`decode_message_prefix`] is the
//! crate's lenient form: it returns the message and how many bytes it used. A consequence:
//! under `3x`, a `7x` proposal is refused rather than silently losing its `dtvlsn`.

use std::mem::MaybeUninit;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::{codec, Codec, Error, ErrorKind, Limits, Protocol, Result};

mod decode;
mod encode;
#[cfg(feature = "json")]
mod json;
mod model;
pub mod ops;

pub use decode::{decode_message, decode_message_prefix, decode_preamble};
pub use encode::{encode_message, encode_message_into, encode_preamble};
pub use model::{GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode};

use decode::{parse, Reader};
use encode::too_big;

const P: Protocol = Protocol::Replication;

/// Length prefix of the transport framing.
pub const FRAME_HEADER_LEN: usize = 4;
/// The reference receivers' `MAX_FRAME_PAYLOAD`: 64 MiB (a length equal to it is accepted).
pub const MAX_FRAME_PAYLOAD: u64 = 64 << 20;
/// Longest service name the reference dispatcher accepts, in bytes (the shortest is 1).
pub const MAX_SERVICE_NAME_LEN: usize = 256;

/// The service that carries `ProtocolMessage` traffic (elections).
pub const SERVICE_ELECTION: &str = "ELECTION";
/// Every service name noxu-rep 7.11.2 registers.
pub const SERVICE_NAMES: [&str; 5] = [
    SERVICE_ELECTION,
    "ADMIN",
    "RESTORE",
    "PEER_FEEDER",
    "REP_SYNCUP",
];

/// Tag of [`ProtocolMessage::Handshake`].
pub const TAG_HANDSHAKE: u8 = 0x01;
/// Tag of [`ProtocolMessage::HandshakeResponse`].
pub const TAG_HANDSHAKE_RESPONSE: u8 = 0x02;
/// Tag of [`ProtocolMessage::Heartbeat`].
pub const TAG_HEARTBEAT: u8 = 0x03;
/// Tag of [`ProtocolMessage::HeartbeatResponse`].
pub const TAG_HEARTBEAT_RESPONSE: u8 = 0x04;
/// Tag of [`ProtocolMessage::LogEntry`].
pub const TAG_LOG_ENTRY: u8 = 0x05;
/// Tag of [`ProtocolMessage::Ack`].
pub const TAG_ACK: u8 = 0x06;
/// Tag of [`ProtocolMessage::GroupChange`].
pub const TAG_GROUP_CHANGE: u8 = 0x07;
/// Tag of [`ProtocolMessage::GroupChangeResponse`].
pub const TAG_GROUP_CHANGE_RESPONSE: u8 = 0x08;
/// Tag of [`ProtocolMessage::ElectionProposal`].
pub const TAG_ELECTION_PROPOSAL: u8 = 0x09;
/// Tag of [`ProtocolMessage::ElectionVote`].
pub const TAG_ELECTION_VOTE: u8 = 0x0a;
/// Tag of [`ProtocolMessage::ElectionResult`].
pub const TAG_ELECTION_RESULT: u8 = 0x0b;
/// Tag of [`ProtocolMessage::Shutdown`].
pub const TAG_SHUTDOWN: u8 = 0x0c;

/// The replication [`Codec`]: the transport framing `[u32 LE length][message]` every noxu-rep
/// network channel uses. Option `layout` = `7x` (default) | `3x`. Limit: `max_frame_size` =
/// largest message length accepted (default [`MAX_FRAME_PAYLOAD`], a length equal to it is
/// accepted; at most `u32::MAX`); encode refuses messages over it too, since the peer would.
///
/// A frame is checked whole: a message that needs more bytes than its frame holds, or that
/// ends before its frame does, is `malformed`; a zero-length frame is `malformed` ("empty
/// message"). Error offsets count from the start of the buffer (the reason keeps the crate's
/// text, whose offsets are message-relative).
#[derive(Debug, Clone)]
pub struct ReplicationCodec {
    limits: Limits,
    layout: Layout,
}

impl Default for ReplicationCodec {
    fn default() -> Self {
        ReplicationCodec {
            limits: Self::DEFAULT_LIMITS,
            layout: Layout::default(),
        }
    }
}

impl ReplicationCodec {
    /// The reference's limits: 64 MiB frames.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_frame_size: MAX_FRAME_PAYLOAD,
        max_decompressed_size: 0,
    };

    /// A default codec for `layout`.
    pub fn new(layout: Layout) -> Self {
        ReplicationCodec::default().with_layout(layout)
    }

    /// Set the layout (builder form of option `layout`).
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// The layout in force.
    pub fn layout(&self) -> Layout {
        self.layout
    }
}

impl Codec for ReplicationCodec {
    type Frame = ProtocolMessage;

    fn set_limits(&mut self, limits: Limits) -> Result<()> {
        self.limits = limits.check_u32_lengths(P)?;
        Ok(())
    }

    fn protocol(&self) -> Protocol {
        P
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "layout" => {
                self.layout = value.parse()?;
                Ok(())
            }
            _ => Err(Error::invalid_argument(
                P,
                format!("unknown option {key:?} (replication has \"layout\")"),
            )),
        }
    }

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ProtocolMessage>> {
        let Some(header) = src.get(..FRAME_HEADER_LEN) else {
            return Ok(None);
        };
        let declared = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        if u64::from(declared) > self.limits.max_frame_size {
            return Err(Error::too_large(
                P,
                0,
                "frame payload",
                declared.into(),
                self.limits.max_frame_size,
            ));
        }
        // Within max_frame_size <= u32::MAX; usize is at least 32 bits on every target Bytes
        // supports, and the sum is checked anyway.
        let Some(total) = usize::try_from(declared)
            .ok()
            .and_then(|n| n.checked_add(FRAME_HEADER_LEN))
        else {
            return Err(Error::too_large(
                P,
                0,
                "frame payload",
                declared.into(),
                usize::MAX as u64,
            ));
        };
        if src.len() < total {
            return Ok(None);
        }
        let body = &src[FRAME_HEADER_LEN..total];
        if body.first() == Some(&TAG_LOG_ENTRY) {
            // Only LogEntry carries a payload worth sharing: slice it out of the frame.
            let frame = src.split_to(total).freeze().slice(FRAME_HEADER_LEN..);
            return self
                .decode_body(&frame, |range| frame.slice(range))
                .map(Some);
        }
        let message = self.decode_body(body, |range| Bytes::copy_from_slice(&body[range]))?;
        src.advance(total);
        Ok(Some(message))
    }

    fn encoded_len(&self, message: &ProtocolMessage) -> Result<usize> {
        self.checked_len(message)?
            .checked_add(FRAME_HEADER_LEN)
            .ok_or_else(|| too_big("frame"))
    }

    fn encode(&mut self, message: &ProtocolMessage, dst: &mut BytesMut) -> Result<()> {
        let len = self.checked_len(message)?;
        dst.reserve(FRAME_HEADER_LEN + len);
        // checked_len bounds len by max_frame_size, itself at most u32::MAX.
        dst.put_u32_le(len as u32);
        message.put(dst);
        Ok(())
    }

    fn encode_to_slice(
        &mut self,
        message: &ProtocolMessage,
        dst: &mut [MaybeUninit<u8>],
    ) -> Result<()> {
        let len = self.checked_len(message)?;
        codec::fill_slice(P, dst, FRAME_HEADER_LEN + len, |out| {
            // checked_len bounds len by max_frame_size, itself at most u32::MAX.
            out.put_u32_le(len as u32);
            message.put(out);
        })
    }

    #[cfg(feature = "json")]
    fn to_json(&self, message: &ProtocolMessage) -> serde_json::Value {
        json::to_json(message)
    }

    #[cfg(feature = "json")]
    fn from_json(&self, value: &serde_json::Value) -> Result<ProtocolMessage> {
        json::from_json(value)
    }
}

/// Decode exactly one framed message (`[u32 LE length][message]`), layout `7x`, default limits.
pub fn decode(input: &[u8]) -> Result<ProtocolMessage> {
    codec::decode_exact(&mut ReplicationCodec::default(), input)
}

/// Encode one framed message (`[u32 LE length][message]`), layout `7x`, default limits.
pub fn encode(message: &ProtocolMessage) -> Result<Vec<u8>> {
    codec::encode_to_vec(&mut ReplicationCodec::default(), message)
}

/// Best-effort guess that `prefix` starts a replication TCP stream. Replication has no magic,
/// so this is conservative: either a service-name preamble naming one of [`SERVICE_NAMES`]
/// (at least its first 4 bytes present), or a frame whose length is within
/// [`MAX_FRAME_PAYLOAD`] and plausible for the tag (1..=12) that starts its body, and whose
/// body bytes present parse (as a whole message when the whole frame is there) under either
/// layout. [`crate::detect`] tries it after every other protocol except dataexchange.
pub fn sniff(prefix: &[u8]) -> bool {
    sniff_preamble(prefix) || sniff_frame(prefix)
}

fn sniff_preamble(prefix: &[u8]) -> bool {
    let Some(header) = prefix.get(..FRAME_HEADER_LEN) else {
        return false;
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let name = &prefix[FRAME_HEADER_LEN..];
    SERVICE_NAMES.iter().any(|known| {
        let shown = name.len().min(known.len());
        known.len() as u64 == u64::from(len)
            && shown >= known.len().min(4)
            && known.as_bytes().get(..shown) == name.get(..shown)
    })
}

fn sniff_frame(prefix: &[u8]) -> bool {
    let (Some(header), Some(&tag)) = (prefix.get(..FRAME_HEADER_LEN), prefix.get(FRAME_HEADER_LEN))
    else {
        return false;
    };
    let len = u64::from(u32::from_le_bytes([
        header[0], header[1], header[2], header[3],
    ]));
    // Smallest message of each tag (3x proposals are the short ones), and the exact size of
    // the fixed-size ones.
    let (min, exact) = match tag {
        TAG_HANDSHAKE => (10, false),
        TAG_HANDSHAKE_RESPONSE => (3, false),
        TAG_HEARTBEAT | TAG_HEARTBEAT_RESPONSE => (17, true),
        TAG_LOG_ENTRY => (14, false),
        TAG_ACK => (9, true),
        TAG_GROUP_CHANGE => (17, false),
        TAG_GROUP_CHANGE_RESPONSE => (2, true),
        TAG_ELECTION_PROPOSAL => (25, false),
        TAG_ELECTION_VOTE => (14, false),
        TAG_ELECTION_RESULT => (13, false),
        TAG_SHUTDOWN => (5, false),
        _ => return false,
    };
    if len < min || (exact && len != min) || len > MAX_FRAME_PAYLOAD {
        return false;
    }
    let body = &prefix[FRAME_HEADER_LEN..];
    let whole = body.len() as u64 >= len;
    let body = &body[..body.len().min(len as usize)];
    [Layout::V7, Layout::V3].into_iter().any(|layout| {
        let mut r = Reader { buf: body, pos: 0 };
        match parse(&mut r, layout, |_| Bytes::new()) {
            Ok(_) => whole && r.pos == body.len(),
            Err(e) => !whole && e.kind() == ErrorKind::Incomplete,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn proposal(dtvlsn: Option<u64>) -> ProtocolMessage {
        ProtocolMessage::ElectionProposal {
            node_name: "c".into(),
            vlsn: 1,
            priority: 2,
            term: 3,
            dtvlsn,
        }
    }

    #[test]
    fn frame_length_equal_to_limit_passes_the_header_check() {
        let mut codec = ReplicationCodec::default();
        let mut buf = BytesMut::from(&(MAX_FRAME_PAYLOAD as u32).to_le_bytes()[..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), None);
        assert_eq!(buf.len(), 4, "need-more must leave the buffer untouched");
        let mut buf = BytesMut::from(&(MAX_FRAME_PAYLOAD as u32 + 1).to_le_bytes()[..]);
        let e = codec.decode(&mut buf).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(0)));
    }

    #[test]
    fn encode_refuses_messages_over_the_frame_limit() {
        let mut codec = ReplicationCodec::with_limits(Limits {
            max_frame_size: 8,
            max_decompressed_size: 0,
        })
        .unwrap();
        let ack = ProtocolMessage::Ack { vlsn: 1 };
        let e = codec.encode(&ack, &mut BytesMut::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        codec.set_limits(ReplicationCodec::DEFAULT_LIMITS).unwrap();
        assert_eq!(codec.encoded_len(&ack).unwrap(), 13);
    }

    #[test]
    fn options_by_name() {
        let mut codec = ReplicationCodec::default();
        assert_eq!(codec.layout(), Layout::V7);
        codec.set_option("layout", "3x").unwrap();
        assert_eq!(codec.layout(), Layout::V3);
        codec.set_option("layout", "7x").unwrap();
        assert_eq!(codec.layout(), Layout::V7);
        for (k, v) in [("layout", "4x"), ("version", "7x")] {
            let e = codec.set_option(k, v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        }
        // Through the registry, as the CLI and bindings set it.
        let mut any = crate::AnyCodec::new(Protocol::Replication);
        any.set_option("layout", "3x").unwrap();
        let mut v3 = BytesMut::new();
        ReplicationCodec::new(Layout::V3)
            .encode(&proposal(None), &mut v3)
            .unwrap();
        let decoded = any.decode(&mut v3).unwrap();
        assert_eq!(decoded, Some(crate::AnyFrame::Replication(proposal(None))));
    }

    #[test]
    fn sniff_is_conservative() {
        let ack = encode(&ProtocolMessage::Ack { vlsn: 19 }).unwrap();
        assert!(sniff(&ack));
        assert!(sniff(&ack[..5]));
        assert!(!sniff(&ack[..4]));
        let mut bad_len = ack.clone();
        bad_len[0] = 10;
        assert!(!sniff(&bad_len), "an Ack is always 9 bytes");
        let mut bad_tag = ack.clone();
        bad_tag[4] = 13;
        assert!(!sniff(&bad_tag));
        assert!(sniff(&encode_preamble("ELECTION").unwrap()));
        assert!(sniff(b"\x0b\x00\x00\x00PEER"));
        assert!(!sniff(b"\x08\x00\x00\x00ELEX"));
        // Handshake with an invalid node type in a whole frame.
        assert!(!sniff(&[10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 9]));
        assert!(!sniff(b"GET / HTTP/1.1\r\n"));
        let text = crate::dataexchange::Frame::Text {
            payload: Bytes::from_static(b"hello"),
        };
        assert!(!sniff(&crate::dataexchange::encode(&text).unwrap()));
        // A 3x proposal is recognised too.
        let mut v3 = BytesMut::new();
        ReplicationCodec::new(Layout::V3)
            .encode(&proposal(None), &mut v3)
            .unwrap();
        assert!(sniff(&v3));
    }
}
