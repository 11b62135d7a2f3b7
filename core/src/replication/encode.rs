//! Encoding: sizes checked up front, then the bytes written without checks.

use bytes::{BufMut, BytesMut};

use super::{Layout, ProtocolMessage, ReplicationCodec, FRAME_HEADER_LEN, MAX_SERVICE_NAME_LEN, P};
use crate::{Error, Result};

impl ProtocolMessage {
    /// Exact size of the bare message under `layout`; `invalid_argument` when it cannot be
    /// encoded (a string or data over `u32::MAX` bytes, or `dtvlsn` not matching the layout).
    pub fn encoded_len(&self, layout: Layout) -> Result<usize> {
        let fixed = |n: usize| Ok(1 + n);
        match self {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                ..
            } => sum(&[
                1,
                prefixed("Handshake.node_name", node_name.len())?,
                prefixed("Handshake.group_name", group_name.len())?,
                1,
            ]),
            ProtocolMessage::HandshakeResponse { reason, .. } => match reason {
                None => fixed(2),
                Some(r) => sum(&[3, prefixed("HandshakeResponse.reason", r.len())?]),
            },
            ProtocolMessage::Heartbeat { .. } | ProtocolMessage::HeartbeatResponse { .. } => {
                fixed(16)
            }
            ProtocolMessage::LogEntry { data, .. } => {
                sum(&[10, prefixed("LogEntry.data", data.len())?])
            }
            ProtocolMessage::Ack { .. } => fixed(8),
            ProtocolMessage::GroupChange { node, .. } => sum(&[
                2,
                prefixed("GroupChange.node.name", node.name.len())?,
                1,
                prefixed("GroupChange.node.host", node.host.len())?,
                6,
            ]),
            ProtocolMessage::GroupChangeResponse { .. } => fixed(1),
            ProtocolMessage::ElectionProposal {
                node_name, dtvlsn, ..
            } => {
                let tail = match (layout, dtvlsn) {
                    (Layout::V7, Some(_)) => 8,
                    (Layout::V3, None) => 0,
                    (Layout::V7, None) => {
                        return Err(Error::invalid_argument(
                            P,
                            "ElectionProposal.dtvlsn: required by layout 7x",
                        ))
                    }
                    (Layout::V3, Some(_)) => return Err(Error::invalid_argument(
                        P,
                        "ElectionProposal.dtvlsn: layout 3x has no dtvlsn (use None, or layout 7x)",
                    )),
                };
                sum(&[
                    1,
                    prefixed("ElectionProposal.node_name", node_name.len())?,
                    20,
                    tail,
                ])
            }
            ProtocolMessage::ElectionVote { voter, .. } => {
                sum(&[1, prefixed("ElectionVote.voter", voter.len())?, 9])
            }
            ProtocolMessage::ElectionResult { master, .. } => {
                sum(&[1, prefixed("ElectionResult.master", master.len())?, 8])
            }
            ProtocolMessage::Shutdown { reason } => {
                sum(&[1, prefixed("Shutdown.reason", reason.len())?])
            }
        }
    }

    /// Append the bare message to `dst` without checking it (see [`Self::encoded_len`]).
    pub(super) fn put(&self, dst: &mut impl BufMut) {
        dst.put_u8(self.tag());
        match self {
            ProtocolMessage::Handshake {
                node_name,
                group_name,
                node_type,
            } => {
                put_str(dst, node_name);
                put_str(dst, group_name);
                dst.put_u8(node_type.code());
            }
            ProtocolMessage::HandshakeResponse { accepted, reason } => {
                dst.put_u8(u8::from(*accepted));
                dst.put_u8(u8::from(reason.is_some()));
                if let Some(r) = reason {
                    put_str(dst, r);
                }
            }
            ProtocolMessage::Heartbeat {
                master_vlsn: vlsn,
                timestamp_ms,
            }
            | ProtocolMessage::HeartbeatResponse {
                replica_vlsn: vlsn,
                timestamp_ms,
            } => {
                dst.put_u64_le(*vlsn);
                dst.put_u64_le(*timestamp_ms);
            }
            ProtocolMessage::LogEntry {
                vlsn,
                entry_type,
                data,
            } => {
                dst.put_u64_le(*vlsn);
                dst.put_u8(*entry_type);
                put_bytes(dst, data);
            }
            ProtocolMessage::Ack { vlsn } => dst.put_u64_le(*vlsn),
            ProtocolMessage::GroupChange { change_type, node } => {
                dst.put_u8(change_type.code());
                put_str(dst, &node.name);
                dst.put_u8(node.node_type.code());
                put_str(dst, &node.host);
                dst.put_u16_le(node.port);
                dst.put_u32_le(node.node_id);
            }
            ProtocolMessage::GroupChangeResponse { accepted } => dst.put_u8(u8::from(*accepted)),
            ProtocolMessage::ElectionProposal {
                node_name,
                vlsn,
                priority,
                term,
                dtvlsn,
            } => {
                put_str(dst, node_name);
                dst.put_u64_le(*vlsn);
                dst.put_u32_le(*priority);
                dst.put_u64_le(*term);
                if let Some(d) = dtvlsn {
                    dst.put_u64_le(*d);
                }
            }
            ProtocolMessage::ElectionVote {
                voter,
                granted,
                term,
            } => {
                put_str(dst, voter);
                dst.put_u8(u8::from(*granted));
                dst.put_u64_le(*term);
            }
            ProtocolMessage::ElectionResult { master, term } => {
                put_str(dst, master);
                dst.put_u64_le(*term);
            }
            ProtocolMessage::Shutdown { reason } => put_str(dst, reason),
        }
    }
}

/// Size of a length-prefixed field of `len` bytes; refuses lengths the u32 prefix cannot
/// carry (the reference would wrap them).
fn prefixed(field: &str, len: usize) -> Result<usize> {
    if u32::try_from(len).is_err() {
        return Err(Error::invalid_argument(
            P,
            format!("{field}: {len} bytes do not fit the u32 length prefix"),
        ));
    }
    len.checked_add(4).ok_or_else(|| too_big(field))
}

fn sum(parts: &[usize]) -> Result<usize> {
    parts
        .iter()
        .try_fold(0usize, |acc, &n| acc.checked_add(n))
        .ok_or_else(|| too_big("message"))
}

pub(super) fn too_big(what: &str) -> Error {
    Error::invalid_argument(P, format!("{what}: size overflows usize"))
}

// Lengths were checked to fit u32 by `encoded_len` before any `put`.
fn put_bytes(dst: &mut impl BufMut, bytes: &[u8]) {
    dst.put_u32_le(bytes.len() as u32);
    dst.put_slice(bytes);
}

fn put_str(dst: &mut impl BufMut, s: &str) {
    put_bytes(dst, s.as_bytes());
}

/// Encode one bare message (no framing), byte-identical to the crate's `encode()`.
pub fn encode_message(message: &ProtocolMessage, layout: Layout) -> Result<Vec<u8>> {
    let mut buf = BytesMut::with_capacity(message.encoded_len(layout)?);
    message.put(&mut buf);
    Ok(buf.into())
}

/// Append one bare message to `dst` (exactly [`ProtocolMessage::encoded_len`] bytes); on
/// error nothing is appended.
pub fn encode_message_into(
    message: &ProtocolMessage,
    layout: Layout,
    dst: &mut BytesMut,
) -> Result<()> {
    dst.reserve(message.encoded_len(layout)?);
    message.put(dst);
    Ok(())
}

/// Encode the service-name preamble a TCP connection starts with: `[u32 LE length][name]`.
/// `invalid_argument` for an empty name or one over [`MAX_SERVICE_NAME_LEN`] bytes, which the
/// reference refuses to send.
pub fn encode_preamble(service: &str) -> Result<Vec<u8>> {
    let len = service.len();
    if len == 0 || len > MAX_SERVICE_NAME_LEN {
        return Err(Error::invalid_argument(
            P,
            format!("service name length {len} out of range [1, {MAX_SERVICE_NAME_LEN}]"),
        ));
    }
    let mut buf = Vec::with_capacity(FRAME_HEADER_LEN + len);
    buf.extend_from_slice(&(len as u32).to_le_bytes());
    buf.extend_from_slice(service.as_bytes());
    Ok(buf)
}

impl ReplicationCodec {
    /// Frame length (message size) of `message`, checked against the limit.
    pub(super) fn checked_len(&self, message: &ProtocolMessage) -> Result<usize> {
        self.limits
            .check_encode(P, "message", message.encoded_len(self.layout)?)
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;
    use crate::replication::tests::proposal;
    use crate::ErrorKind;

    #[test]
    fn lengths_over_u32_are_refused() {
        assert!(prefixed("f", u32::MAX as usize).is_ok());
        if let Some(over) = (u32::MAX as usize).checked_add(1) {
            let e = prefixed("Shutdown.reason", over).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.reason().starts_with("Shutdown.reason"), "{e}");
        }
        assert_eq!(
            sum(&[usize::MAX, 1]).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn dtvlsn_must_match_the_layout() {
        let mut dst = BytesMut::from(&b"x"[..]);
        assert!(encode_message_into(&proposal(Some(4)), Layout::V3, &mut dst).is_err());
        encode_message_into(&proposal(None), Layout::V3, &mut dst).unwrap();
        assert_eq!(dst.len(), 1 + 26);
        assert_eq!(
            encode_message(&proposal(Some(4)), Layout::V7)
                .unwrap()
                .len(),
            34
        );
        assert_eq!(
            encode_message(&proposal(None), Layout::V3).unwrap().len(),
            26
        );
        for (m, layout) in [
            (proposal(None), Layout::V7),
            (proposal(Some(4)), Layout::V3),
        ] {
            let e = encode_message(&m, layout).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        }
    }
}
