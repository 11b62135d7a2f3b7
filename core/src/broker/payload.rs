//! What rides in `Frame.payload`: the reference's payload-protocol registry (spec table S3).

use bytes::{BufMut, Bytes};
use prost::Message as _;

use super::{
    AdminReply, AdminRequest, DaemonProcess, Frame, FrameKind, HandoffAck, HandoffOffer, Hello,
    HelloReply, PayloadEncoding, ADMIN_PAYLOAD_PROTOCOL, BACKEND_HANDLE_PROBE_PAYLOAD_PROTOCOL,
    CONTROL_PAYLOAD_PROTOCOL, HANDOFF_PAYLOAD_PROTOCOL, P, PROTOCOL_VERSION,
};
use crate::{Error, Result};

/// Length of the probe nonce that starts both probe payloads.
pub const PROBE_NONCE_LEN: usize = 32;

/// Field 3 of `DaemonProcess` (reserved since 4.10.3), length-delimited: the key byte of the
/// legacy `exe_sha256` that probe responses still append.
const LEGACY_EXE_SHA256_KEY: u64 = 3 << 3 | 2;

/// The message a frame's payload carries, chosen from `payload_protocol` and `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadSchema {
    /// 0x0000 REQUEST.
    Hello,
    /// 0x0000 RESPONSE.
    HelloReply,
    /// 0xAD01 REQUEST.
    AdminRequest,
    /// 0xAD01 RESPONSE.
    AdminReply,
    /// 0xD0FF REQUEST (broker to backend).
    HandoffOffer,
    /// 0xD0FF RESPONSE (backend to broker) or EVENT (broker to client, "handoff ready").
    HandoffAck,
    /// 0xB232 RESPONSE: 32-byte nonce, prost `DaemonProcess`, legacy field 3.
    ProbeResponse,
}

impl PayloadSchema {
    /// The schema of `frame`'s payload, or `None` when the payload is opaque to v1: consumer
    /// and private-use ids, the v2 session lane, probe requests (32 raw nonce bytes), kinds the
    /// registry does not pair with the id, frames whose `envelope_version` is not 1, and
    /// compressed payloads (the reference refuses the last two before looking at the payload).
    pub fn of(frame: &Frame) -> Option<PayloadSchema> {
        if frame.envelope_version != PROTOCOL_VERSION
            || frame.payload_encoding != PayloadEncoding::None as i32
        {
            return None;
        }
        let kind = FrameKind::try_from(frame.kind).ok()?;
        Some(match (frame.payload_protocol, kind) {
            (CONTROL_PAYLOAD_PROTOCOL, FrameKind::Request) => PayloadSchema::Hello,
            (CONTROL_PAYLOAD_PROTOCOL, FrameKind::Response) => PayloadSchema::HelloReply,
            (ADMIN_PAYLOAD_PROTOCOL, FrameKind::Request) => PayloadSchema::AdminRequest,
            (ADMIN_PAYLOAD_PROTOCOL, FrameKind::Response) => PayloadSchema::AdminReply,
            (HANDOFF_PAYLOAD_PROTOCOL, FrameKind::Request) => PayloadSchema::HandoffOffer,
            (HANDOFF_PAYLOAD_PROTOCOL, FrameKind::Response | FrameKind::Event) => {
                PayloadSchema::HandoffAck
            }
            (BACKEND_HANDLE_PROBE_PAYLOAD_PROTOCOL, FrameKind::Response) => {
                PayloadSchema::ProbeResponse
            }
            _ => return None,
        })
    }

    /// The name the vectors give the payload's message type.
    pub fn type_name(self) -> &'static str {
        match self {
            PayloadSchema::Hello => "Hello",
            PayloadSchema::HelloReply => "HelloReply",
            PayloadSchema::AdminRequest => "AdminRequest",
            PayloadSchema::AdminReply => "AdminReply",
            PayloadSchema::HandoffOffer => "HandoffOffer",
            PayloadSchema::HandoffAck => "HandoffAck",
            PayloadSchema::ProbeResponse => ProbeResponse::TYPE_NAME,
        }
    }

    /// Decode `payload` as this schema's message; `malformed` (offsets within the payload)
    /// when it is not one.
    pub fn decode(self, payload: &Bytes) -> Result<Payload> {
        fn bare<M: prost::Message + Default>(name: &str, payload: &Bytes) -> Result<M> {
            M::decode(payload.clone()).map_err(|e| {
                Error::malformed(P, 0, format!("failed to decode {name} payload: {e}"))
            })
        }
        let name = self.type_name();
        Ok(match self {
            PayloadSchema::Hello => Payload::Hello(bare(name, payload)?),
            PayloadSchema::HelloReply => Payload::HelloReply(bare(name, payload)?),
            PayloadSchema::AdminRequest => Payload::AdminRequest(bare(name, payload)?),
            PayloadSchema::AdminReply => Payload::AdminReply(bare(name, payload)?),
            PayloadSchema::HandoffOffer => Payload::HandoffOffer(bare(name, payload)?),
            PayloadSchema::HandoffAck => Payload::HandoffAck(bare(name, payload)?),
            PayloadSchema::ProbeResponse => Payload::ProbeResponse(ProbeResponse::decode(payload)?),
        })
    }
}

described! {
    "broker::Payload"
    /// A decoded payload.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Payload {
        /// See [`PayloadSchema::Hello`].
        Hello(Hello),
        /// See [`PayloadSchema::HelloReply`].
        HelloReply(HelloReply),
        /// See [`PayloadSchema::AdminRequest`].
        AdminRequest(AdminRequest),
        /// See [`PayloadSchema::AdminReply`].
        AdminReply(AdminReply),
        /// See [`PayloadSchema::HandoffOffer`].
        HandoffOffer(HandoffOffer),
        /// See [`PayloadSchema::HandoffAck`].
        HandoffAck(HandoffAck),
        /// See [`PayloadSchema::ProbeResponse`].
        ProbeResponse(ProbeResponse),
    }
}

impl Payload {
    /// The payload's schema.
    pub fn schema(&self) -> PayloadSchema {
        match self {
            Payload::Hello(_) => PayloadSchema::Hello,
            Payload::HelloReply(_) => PayloadSchema::HelloReply,
            Payload::AdminRequest(_) => PayloadSchema::AdminRequest,
            Payload::AdminReply(_) => PayloadSchema::AdminReply,
            Payload::HandoffOffer(_) => PayloadSchema::HandoffOffer,
            Payload::HandoffAck(_) => PayloadSchema::HandoffAck,
            Payload::ProbeResponse(_) => PayloadSchema::ProbeResponse,
        }
    }

    /// The payload bytes (prost encoding; the probe response layout for probes).
    pub fn encode(&self) -> Bytes {
        match self {
            Payload::Hello(m) => m.encode_to_vec().into(),
            Payload::HelloReply(m) => m.encode_to_vec().into(),
            Payload::AdminRequest(m) => m.encode_to_vec().into(),
            Payload::AdminReply(m) => m.encode_to_vec().into(),
            Payload::HandoffOffer(m) => m.encode_to_vec().into(),
            Payload::HandoffAck(m) => m.encode_to_vec().into(),
            Payload::ProbeResponse(m) => m.encode(),
        }
    }
}

described! {
    "broker::ProbeResponse"
    /// The payload of a probe response (0xB232 RESPONSE), as `endpoint_probe_response_frame` writes
    /// it: the request's nonce, a prost `DaemonProcess`, then a hand-appended legacy field 3
    /// (`1a 20` + SHA-256) that current `DaemonProcess` decoders skip.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ProbeResponse {
        /// The 32-byte nonce echoed from the probe request.
        pub nonce: Bytes,
        /// The backend's process description (every field but the legacy field 3).
        pub daemon_process: DaemonProcess,
        /// Every field-3 record found after the nonce, raw (key, length and value), in order;
        /// empty when there is none. Written after the `DaemonProcess` fields.
        pub legacy_tag3_sha256_field: Bytes,
    }
}

impl ProbeResponse {
    /// The vectors' type name of this payload.
    pub const TYPE_NAME: &'static str = "probe response (nonce || DaemonProcess || legacy field 3)";

    /// Split a probe response payload. `malformed` when it is shorter than the nonce or the
    /// rest is not a `DaemonProcess`.
    pub fn decode(payload: &Bytes) -> Result<ProbeResponse> {
        if payload.len() < PROBE_NONCE_LEN {
            return Err(Error::malformed(
                P,
                0,
                format!(
                    "probe response payload of {} bytes is shorter than its {PROBE_NONCE_LEN}-byte nonce",
                    payload.len()
                ),
            ));
        }
        let nonce = payload.slice(..PROBE_NONCE_LEN);
        let rest = payload.slice(PROBE_NONCE_LEN..);
        let mut legacy = Vec::new();
        let mut pos = 0;
        while pos < rest.len() {
            let end = field_end(&rest, pos).ok_or_else(|| {
                Error::malformed(
                    P,
                    PROBE_NONCE_LEN + pos,
                    "failed to decode DaemonProcess payload: invalid protobuf field",
                )
            })?;
            if read_varint(&rest, pos).map(|(key, _)| key) == Some(LEGACY_EXE_SHA256_KEY) {
                legacy.extend_from_slice(&rest[pos..end]);
            }
            pos = end;
        }
        // DaemonProcess skips its reserved field 3, so the whole rest decodes as one.
        let daemon_process = DaemonProcess::decode(rest).map_err(|e| {
            Error::malformed(
                P,
                PROBE_NONCE_LEN,
                format!("failed to decode DaemonProcess payload: {e}"),
            )
        })?;
        Ok(ProbeResponse {
            nonce,
            daemon_process,
            legacy_tag3_sha256_field: legacy.into(),
        })
    }

    /// `nonce ++ prost(daemon_process) ++ legacy_tag3_sha256_field`.
    pub fn encode(&self) -> Bytes {
        let mut out = Vec::with_capacity(
            self.nonce.len()
                + self.daemon_process.encoded_len()
                + self.legacy_tag3_sha256_field.len(),
        );
        out.put_slice(&self.nonce);
        self.daemon_process.encode_raw(&mut out);
        out.put_slice(&self.legacy_tag3_sha256_field);
        out.into()
    }
}

/// A protobuf varint at `pos`: its value and the position after it.
fn read_varint(buf: &[u8], pos: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..10 {
        let byte = *buf.get(pos + i)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((value, pos + i + 1));
        }
    }
    None
}

/// The end of the top-level protobuf field starting at `pos` (groups are not expected in a
/// `DaemonProcess` and end the walk).
fn field_end(buf: &[u8], pos: usize) -> Option<usize> {
    let (key, pos) = read_varint(buf, pos)?;
    let end = match key & 7 {
        0 => read_varint(buf, pos)?.1,
        1 => pos.checked_add(8)?,
        2 => {
            let (len, pos) = read_varint(buf, pos)?;
            pos.checked_add(usize::try_from(len).ok()?)?
        }
        5 => pos.checked_add(4)?,
        _ => return None,
    };
    (end <= buf.len()).then_some(end)
}
