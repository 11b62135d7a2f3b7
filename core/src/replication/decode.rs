//! Decoding, field by field and error text for error text as the crate does.

use std::ops::Range;

use bytes::Bytes;

use super::{
    GroupChangeType, Layout, NodeType, ProtocolMessage, RepNode, ReplicationCodec,
    FRAME_HEADER_LEN, MAX_SERVICE_NAME_LEN, P, TAG_ACK, TAG_ELECTION_PROPOSAL, TAG_ELECTION_RESULT,
    TAG_ELECTION_VOTE, TAG_GROUP_CHANGE, TAG_GROUP_CHANGE_RESPONSE, TAG_HANDSHAKE,
    TAG_HANDSHAKE_RESPONSE, TAG_HEARTBEAT, TAG_HEARTBEAT_RESPONSE, TAG_LOG_ENTRY, TAG_SHUTDOWN,
};
use crate::{Error, ErrorKind, Result};

/// Reads fields in order with the crate's bounds checks and error texts.
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    /// The next `n` bytes, or the crate's "unexpected end" error at the field's start.
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let start = self.pos;
        let bytes = start
            .checked_add(n)
            .and_then(|end| self.buf.get(start..end))
            .ok_or_else(|| {
                Error::incomplete(
                    P,
                    start,
                    format!("unexpected end of message at offset {start}, need {n} more bytes"),
                )
            })?;
        self.pos = start + n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// Any non-zero byte is true, like the crate.
    fn bool(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }

    fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_le_bytes)
    }

    /// A `[u32 length][bytes]` field: the range of its bytes. The length is checked against
    /// the input before anything is copied.
    fn prefixed(&mut self) -> Result<Range<usize>> {
        let len = self.u32()?;
        let start = self.pos;
        // A length that does not fit usize cannot fit the input either.
        self.take(usize::try_from(len).unwrap_or(usize::MAX))?;
        Ok(start..self.pos)
    }

    fn string(&mut self) -> Result<String> {
        let range = self.prefixed()?;
        let bytes = &self.buf[range.clone()];
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(Error::at(
                P,
                ErrorKind::InvalidUtf8,
                range.start + e.valid_up_to(),
                format!("invalid UTF-8 in string: {e}"),
            )),
        }
    }

    fn node_type(&mut self) -> Result<NodeType> {
        let at = self.pos;
        let code = self.u8()?;
        NodeType::from_code(code)
            .ok_or_else(|| Error::malformed(P, at, format!("unknown node type: {code}")))
    }
}

/// Parse one message from the front of `r`'s input (the crate's decode), leaving `r.pos` at
/// its end. `data` turns the range of `LogEntry.data` into bytes (a zero-copy slice when the
/// input is already `Bytes`). Inlined and returning the bare message so that it is built in
/// place: returning it in a tuple cost store-forwarding stalls (decode twice as slow).
#[inline]
pub(super) fn parse(
    r: &mut Reader<'_>,
    layout: Layout,
    data: impl FnOnce(Range<usize>) -> Bytes,
) -> Result<ProtocolMessage> {
    let Some(&tag) = r.buf.first() else {
        return Err(Error::incomplete(P, 0, "empty message"));
    };
    r.pos = 1;
    Ok(match tag {
        TAG_HANDSHAKE => ProtocolMessage::Handshake {
            node_name: r.string()?,
            group_name: r.string()?,
            node_type: r.node_type()?,
        },
        TAG_HANDSHAKE_RESPONSE => {
            let accepted = r.bool()?;
            let reason = if r.bool()? { Some(r.string()?) } else { None };
            ProtocolMessage::HandshakeResponse { accepted, reason }
        }
        TAG_HEARTBEAT => ProtocolMessage::Heartbeat {
            master_vlsn: r.u64()?,
            timestamp_ms: r.u64()?,
        },
        TAG_HEARTBEAT_RESPONSE => ProtocolMessage::HeartbeatResponse {
            replica_vlsn: r.u64()?,
            timestamp_ms: r.u64()?,
        },
        TAG_LOG_ENTRY => ProtocolMessage::LogEntry {
            vlsn: r.u64()?,
            entry_type: r.u8()?,
            data: data(r.prefixed()?),
        },
        TAG_ACK => ProtocolMessage::Ack { vlsn: r.u64()? },
        TAG_GROUP_CHANGE => {
            let at = r.pos;
            let code = r.u8()?;
            let change_type = GroupChangeType::from_code(code)
                .ok_or_else(|| Error::malformed(P, at, format!("unknown change type: {code}")))?;
            let node = RepNode {
                name: r.string()?,
                node_type: r.node_type()?,
                host: r.string()?,
                port: r.u16()?,
                node_id: r.u32()?,
            };
            ProtocolMessage::GroupChange { change_type, node }
        }
        TAG_GROUP_CHANGE_RESPONSE => ProtocolMessage::GroupChangeResponse {
            accepted: r.bool()?,
        },
        TAG_ELECTION_PROPOSAL => ProtocolMessage::ElectionProposal {
            node_name: r.string()?,
            vlsn: r.u64()?,
            priority: r.u32()?,
            term: r.u64()?,
            dtvlsn: match layout {
                Layout::V7 => Some(r.u64()?),
                Layout::V3 => None,
            },
        },
        TAG_ELECTION_VOTE => ProtocolMessage::ElectionVote {
            voter: r.string()?,
            granted: r.bool()?,
            term: r.u64()?,
        },
        TAG_ELECTION_RESULT => ProtocolMessage::ElectionResult {
            master: r.string()?,
            term: r.u64()?,
        },
        TAG_SHUTDOWN => ProtocolMessage::Shutdown {
            reason: r.string()?,
        },
        other => {
            return Err(Error::malformed(
                P,
                0,
                format!("unknown message tag: {other}"),
            ))
        }
    })
}

/// Decode the bare message at the front of `input` like the crate does: bytes after it are
/// ignored. Returns the message and the number of bytes it used.
pub fn decode_message_prefix(input: &[u8], layout: Layout) -> Result<(ProtocolMessage, usize)> {
    let mut r = Reader { buf: input, pos: 0 };
    let message = parse(&mut r, layout, |range| {
        Bytes::copy_from_slice(&input[range])
    })?;
    Ok((message, r.pos))
}

/// Decode exactly one bare message (no framing): bytes after it are `trailing_bytes` (the crate
/// ignores them; see [`decode_message_prefix`]).
pub fn decode_message(input: &[u8], layout: Layout) -> Result<ProtocolMessage> {
    let mut r = Reader { buf: input, pos: 0 };
    let message = parse(&mut r, layout, |range| {
        Bytes::copy_from_slice(&input[range])
    })?;
    check_trailing(input.len(), r.pos)?;
    Ok(message)
}

fn check_trailing(len: usize, used: usize) -> Result<()> {
    match len - used {
        0 => Ok(()),
        extra => Err(Error::at(
            P,
            ErrorKind::TrailingBytes,
            used,
            format!("{extra} bytes after the end of the message"),
        )),
    }
}

/// Decode the service-name preamble at the front of `input`: the name and the bytes it used
/// (framed messages follow it). A length outside 1..=256 is `malformed` and checked before the
/// name is read (the reference dispatcher closes the connection on it, and on a name that is
/// not UTF-8). Names outside [`SERVICE_NAMES`] are returned: routing them is the caller's
/// business.
pub fn decode_preamble(input: &[u8]) -> Result<(String, usize)> {
    let Some(header) = input.get(..FRAME_HEADER_LEN) else {
        return Err(Error::incomplete(
            P,
            input.len(),
            "input ends inside the service-name length",
        ));
    };
    let declared = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let len = usize::try_from(declared)
        .ok()
        .filter(|n| (1..=MAX_SERVICE_NAME_LEN).contains(n))
        .ok_or_else(|| {
            Error::malformed(
                P,
                0,
                format!("service name length {declared} out of range [1, {MAX_SERVICE_NAME_LEN}]"),
            )
        })?;
    let end = FRAME_HEADER_LEN + len;
    let Some(name) = input.get(FRAME_HEADER_LEN..end) else {
        return Err(Error::incomplete(
            P,
            input.len(),
            format!("input ends inside the {len}-byte service name"),
        ));
    };
    match std::str::from_utf8(name) {
        Ok(name) => Ok((name.to_owned(), end)),
        Err(e) => Err(Error::at(
            P,
            ErrorKind::InvalidUtf8,
            FRAME_HEADER_LEN + e.valid_up_to(),
            format!("invalid UTF-8 in service name: {e}"),
        )),
    }
}

impl ReplicationCodec {
    /// Decode a whole frame body: exactly one message (errors at frame offsets).
    #[inline]
    pub(super) fn decode_body(
        &self,
        body: &[u8],
        data: impl FnOnce(Range<usize>) -> Bytes,
    ) -> Result<ProtocolMessage> {
        if body.is_empty() {
            // The crate's receive yields the empty payload and its decode refuses it.
            return Err(Error::malformed(P, FRAME_HEADER_LEN, "empty message"));
        }
        let mut r = Reader { buf: body, pos: 0 };
        let message = parse(&mut r, self.layout, data).map_err(|e| {
            let e = e.shifted(FRAME_HEADER_LEN);
            if e.kind() == ErrorKind::Incomplete {
                let reason = format!("{}; the {}-byte frame ends first", e.reason(), body.len());
                Error::malformed(P, e.offset().unwrap_or(FRAME_HEADER_LEN), reason)
            } else {
                e
            }
        })?;
        if r.pos != body.len() {
            return Err(Error::malformed(
                P,
                FRAME_HEADER_LEN + r.pos,
                format!(
                    "the {}-byte frame holds a {}-byte message and {} more bytes",
                    body.len(),
                    r.pos,
                    body.len() - r.pos
                ),
            ));
        }
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;
    use crate::replication::tests::proposal;
    use crate::replication::{decode, encode_preamble, SERVICE_ELECTION};

    #[test]
    fn frames_must_hold_exactly_one_message() {
        // A 7x proposal framed, read as 3x: the 8 dtvlsn bytes are left over.
        let framed =
            codec::encode_to_vec(&mut ReplicationCodec::default(), &proposal(Some(9))).unwrap();
        let e = codec::decode_exact(&mut ReplicationCodec::new(Layout::V3), &framed).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(30)));
        // The frame ends inside the message.
        let e = decode(&[2, 0, 0, 0, 6, 0]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Malformed, Some(5)));
        assert_eq!(
            e.reason(),
            "unexpected end of message at offset 1, need 8 more bytes; the 2-byte frame ends first"
        );
    }

    #[test]
    fn preamble() {
        let bytes = encode_preamble(SERVICE_ELECTION).unwrap();
        assert_eq!(hex::encode(&bytes), "08000000454c454354494f4e");
        assert_eq!(decode_preamble(&bytes).unwrap(), ("ELECTION".into(), 12));
        assert_eq!(
            decode_preamble(&bytes[..7]).unwrap_err().kind(),
            ErrorKind::Incomplete
        );
        assert!(encode_preamble("").is_err());
        assert!(encode_preamble(&"x".repeat(257)).is_err());
        assert!(encode_preamble(&"x".repeat(256)).is_ok());
        for bad in [&[0, 0, 0, 0][..], &[1, 1, 0, 0], &[0xff, 0xff, 0xff, 0xff]] {
            assert_eq!(
                decode_preamble(bad).unwrap_err().kind(),
                ErrorKind::Malformed
            );
        }
        let e = decode_preamble(&[2, 0, 0, 0, b'a', 0xff]).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidUtf8, Some(5)));
    }
}
