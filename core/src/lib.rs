//! wire-core: byte-exact codecs for five peer-to-peer wire protocols.
//!
//! Every protocol module has the same shape: plain data types named as the reference names
//! them, a [`Codec`] implementation (`decode` one frame from a buffer, `encode`, exact
//! `encoded_len`), one-shot `decode`/`encode` functions, and the canonical JSON mapping of the
//! conformance vectors (feature `json`). [`StreamDecoder`] turns any codec into a push/pull
//! stream decoder; [`AnyCodec`] picks a codec by [`Protocol`] at run time.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use bytes::BytesMut;

// First: its macros declare the protocols' model types.
#[macro_use]
pub mod schema;

mod codec;
mod error;
#[cfg(feature = "json")]
pub mod json;
mod le;
mod stream;
#[cfg(feature = "tokio")]
mod tokio_codec;

pub mod broker;
pub mod chitchat;
pub mod dataexchange;
pub mod dnode;
pub mod replication;

pub use codec::{
    decode_exact, decode_exact_owned, encode_to_vec, frame_length, set_option, Codec, Limits,
};
pub use error::{Error, ErrorKind, Result};
pub use stream::{decode_all, StreamDecoder};

/// The five protocols wire speaks, by their stable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Protocol {
    /// Dynomite's peer-to-peer DNODE header and payload.
    Dnode = 1,
    /// chitchat gossip messages.
    Chitchat = 2,
    /// Noxu DB replication `ProtocolMessage`.
    Replication = 3,
    /// running-process broker v1 frames.
    Broker = 4,
    /// Pilot Protocol data-exchange frames.
    Dataexchange = 5,
}

impl Protocol {
    /// Every protocol, in number order.
    pub const ALL: [Protocol; 5] = [
        Protocol::Dnode,
        Protocol::Chitchat,
        Protocol::Replication,
        Protocol::Broker,
        Protocol::Dataexchange,
    ];

    /// The stable name (`"dnode"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Dnode => "dnode",
            Protocol::Chitchat => "chitchat",
            Protocol::Replication => "replication",
            Protocol::Broker => "broker",
            Protocol::Dataexchange => "dataexchange",
        }
    }

    /// The stable number (the C `wire_protocol` value).
    pub const fn number(self) -> u32 {
        self as u32
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Protocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Protocol::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown protocol {s:?} (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Registers every protocol's codec: one line per protocol, in the order
/// [`detect`] tries them (most distinctive prefix first). Each module provides a codec type
/// implementing [`Codec`] and `fn sniff(prefix: &[u8]) -> bool`.
macro_rules! protocols {
    ($($variant:ident => $module:ident :: $codec:ident),* $(,)?) => {
        /// A frame of any protocol.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyFrame {
            $(
                #[doc = concat!("A `", stringify!($module), "` frame.")]
                $variant(<$module::$codec as Codec>::Frame),
            )*
        }

        impl AnyFrame {
            /// The frame's protocol.
            pub fn protocol(&self) -> Protocol {
                match self {
                    $(AnyFrame::$variant(_) => Protocol::$variant,)*
                }
            }
        }

        /// A codec chosen at run time.
        #[derive(Debug, Clone)]
        pub enum AnyCodec {
            $(
                #[doc = concat!("The `", stringify!($module), "` codec.")]
                $variant($module::$codec),
            )*
        }

        impl AnyCodec {
            /// The codec for `protocol` with the reference's limits and options.
            pub fn new(protocol: Protocol) -> AnyCodec {
                match protocol {
                    $(Protocol::$variant => AnyCodec::$variant($module::$codec::default()),)*
                }
            }

            /// The codec for `protocol` with the given limits.
            pub fn with_limits(protocol: Protocol, limits: Limits) -> Result<AnyCodec> {
                let mut codec = AnyCodec::new(protocol);
                codec.set_limits(limits)?;
                Ok(codec)
            }

            /// Decode exactly one frame (see [`decode_exact`]).
            pub fn decode_exact(&mut self, input: &[u8]) -> Result<AnyFrame> {
                decode_exact(self, input)
            }

            /// Length of the complete, validated first frame (see [`frame_length`]).
            pub fn frame_length(&mut self, input: &[u8]) -> Result<Option<usize>> {
                frame_length(self, input)
            }
        }

        impl Codec for AnyCodec {
            type Frame = AnyFrame;

            fn protocol(&self) -> Protocol {
                match self {
                    $(AnyCodec::$variant(_) => Protocol::$variant,)*
                }
            }

            fn limits(&self) -> Limits {
                match self {
                    $(AnyCodec::$variant(c) => c.limits(),)*
                }
            }

            fn set_limits(&mut self, limits: Limits) -> Result<()> {
                match self {
                    $(AnyCodec::$variant(c) => c.set_limits(limits),)*
                }
            }

            /// Besides each protocol's own options, the limits by name: `max_frame_size` and
            /// `max_decompressed_size`.
            fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
                match codec::limits_with_option(self, key, value) {
                    Some(limits) => self.set_limits(limits?),
                    None => match self {
                        $(AnyCodec::$variant(c) => c.set_option(key, value),)*
                    },
                }
            }

            fn decode(&mut self, src: &mut BytesMut) -> Result<Option<AnyFrame>> {
                match self {
                    $(AnyCodec::$variant(c) => Ok(c.decode(src)?.map(AnyFrame::$variant)),)*
                }
            }

            fn reset(&mut self) {
                match self {
                    $(AnyCodec::$variant(c) => c.reset(),)*
                }
            }

            fn encoded_len(&self, frame: &AnyFrame) -> Result<usize> {
                match (self, frame) {
                    $((AnyCodec::$variant(c), AnyFrame::$variant(f)) => c.encoded_len(f),)*
                    #[allow(unreachable_patterns)]
                    (c, f) => Err(mismatch(c.protocol(), f.protocol())),
                }
            }

            fn encoded_len_encodes(&self) -> bool {
                match self {
                    $(AnyCodec::$variant(c) => c.encoded_len_encodes(),)*
                }
            }

            fn encode(&mut self, frame: &AnyFrame, dst: &mut BytesMut) -> Result<()> {
                match (self, frame) {
                    $((AnyCodec::$variant(c), AnyFrame::$variant(f)) => c.encode(f, dst),)*
                    #[allow(unreachable_patterns)]
                    (c, f) => Err(mismatch(c.protocol(), f.protocol())),
                }
            }

            fn encode_to_slice(&mut self, frame: &AnyFrame, dst: &mut [std::mem::MaybeUninit<u8>]) -> Result<()> {
                match (self, frame) {
                    $((AnyCodec::$variant(c), AnyFrame::$variant(f)) => c.encode_to_slice(f, dst),)*
                    #[allow(unreachable_patterns)]
                    (c, f) => Err(mismatch(c.protocol(), f.protocol())),
                }
            }

            /// A frame of another protocol is shown with that protocol's default codec.
            #[cfg(feature = "json")]
            fn to_json(&self, frame: &AnyFrame) -> serde_json::Value {
                match (self, frame) {
                    $((AnyCodec::$variant(c), AnyFrame::$variant(f)) => c.to_json(f),)*
                    #[allow(unreachable_patterns)]
                    (_, f) => match f {
                        $(AnyFrame::$variant(f) => $module::$codec::default().to_json(f),)*
                    },
                }
            }

            #[cfg(feature = "json")]
            fn from_json(&self, value: &serde_json::Value) -> Result<AnyFrame> {
                match self {
                    $(AnyCodec::$variant(c) => Ok(AnyFrame::$variant(c.from_json(value)?)),)*
                }
            }
        }

        /// Best-effort guess of the protocol of a stream from its first bytes.
        ///
        /// None of these protocols carries a universal magic number (dataexchange has no magic
        /// at all), so this is a heuristic for tools and logs, never a substitute for knowing
        /// what a socket speaks. Give it at least the first 16 bytes of a stream.
        pub fn detect(prefix: &[u8]) -> Option<Protocol> {
            $(if $module::sniff(prefix) { return Some(Protocol::$variant); })*
            None
        }

        // The cfg must sit inside the repetition: outside, it gates only the first item.
        $(
            #[cfg(feature = "tokio")]
            crate::tokio_codec::impl_tokio_codec!($module::$codec);
        )*
    };
}

protocols! {
    Dnode => dnode::DnodeCodec,
    Chitchat => chitchat::ChitchatCodec,
    Broker => broker::BrokerCodec,
    Replication => replication::ReplicationCodec,
    Dataexchange => dataexchange::DataexchangeCodec,
}

fn mismatch(codec: Protocol, frame: Protocol) -> Error {
    Error::invalid_argument(codec, format!("a {frame} frame given to the {codec} codec"))
}
