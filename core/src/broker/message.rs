//! Every message of the v1 package, bare (prost bytes, no framing), by type name.

use prost::Message as _;

use super::v1::*;
use super::P;
use crate::{Error, Result};

/// A message type of the v1 package.
pub trait BrokerMessage: prost::Message + Default + Clone + PartialEq + Into<AnyMessage> {
    /// The proto message name (`"Hello"`, ...), as the vectors' `type`.
    const TYPE_NAME: &'static str;

    /// Decode bare prost bytes; `malformed` with prost's reason.
    fn decode_bare(bytes: &[u8]) -> Result<Self> {
        Self::decode(bytes).map_err(|e| {
            Error::malformed(P, 0, format!("failed to decode {}: {e}", Self::TYPE_NAME))
        })
    }
}

/// Defines [`AnyMessage`] over the message list `build.rs` writes from the descriptors.
macro_rules! any_message {
    ($($name:ident),* $(,)?) => {
        /// Any message of the v1 package.
        // By value like the messages themselves: CacheManifest is the largest by far, and
        // boxing it alone would make it the one variant built differently.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyMessage {
            $(
                #[doc = concat!("A `", stringify!($name), "`.")]
                $name($name),
            )*
        }

        $(
            impl BrokerMessage for $name {
                const TYPE_NAME: &'static str = stringify!($name);
            }

            impl From<$name> for AnyMessage {
                fn from(m: $name) -> AnyMessage {
                    AnyMessage::$name(m)
                }
            }

            impl TryFrom<AnyMessage> for $name {
                type Error = AnyMessage;

                fn try_from(m: AnyMessage) -> std::result::Result<$name, AnyMessage> {
                    match m {
                        AnyMessage::$name(m) => Ok(m),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }
        )*

        impl crate::schema::Describe for AnyMessage {
            const NAME: &'static str = "AnyMessage";
            fn describe() -> crate::schema::TypeDef {
                crate::schema::TypeDef {
                    name: Self::NAME,
                    rust: "broker::AnyMessage".to_owned(),
                    doc: "Any message of the v1 package, bare (no framing).".to_owned(),
                    kind: crate::schema::Kind::Union {
                        variants: vec![$(crate::schema::Variant {
                            name: stringify!($name),
                            rust: stringify!($name),
                            doc: String::new(),
                            fields: Vec::new(),
                            wraps: Some(stringify!($name)),
                        }),*],
                    },
                }
            }
        }

        impl AnyMessage {
            /// Every message type name of the package, in `.proto` order.
            pub const TYPE_NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The message's type name.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(AnyMessage::$name(_) => stringify!($name),)*
                }
            }

            /// Decode bare prost bytes as message `type_name`.
            pub fn decode(type_name: &str, bytes: &[u8]) -> Result<AnyMessage> {
                match type_name {
                    $(stringify!($name) => $name::decode_bare(bytes).map(AnyMessage::$name),)*
                    other => Err(unknown_type(other)),
                }
            }

            /// Exact length of [`AnyMessage::encode`].
            pub fn encoded_len(&self) -> usize {
                match self {
                    $(AnyMessage::$name(m) => m.encoded_len(),)*
                }
            }

            /// The bare prost bytes.
            pub fn encode(&self) -> Vec<u8> {
                match self {
                    $(AnyMessage::$name(m) => m.encode_to_vec(),)*
                }
            }

            /// Canonical JSON `{"type": name, "fields": {...}}`.
            #[cfg(feature = "json")]
            pub fn to_json(&self) -> serde_json::Value {
                use super::json::JsonMessage;
                match self {
                    $(AnyMessage::$name(m) => crate::json::message(stringify!($name), m.to_json_fields()),)*
                }
            }

            /// Parse canonical JSON; `invalid_argument` naming the field on anything else.
            #[cfg(feature = "json")]
            pub fn from_json(value: &serde_json::Value) -> Result<AnyMessage> {
                use super::json::JsonMessage;
                let (type_name, fields) = crate::json::split_message(P, value)?;
                match type_name {
                    $(stringify!($name) => Ok(AnyMessage::$name($name::from_json_fields(
                        &crate::json::Fields::new(P, stringify!($name), fields)?,
                    )?)),)*
                    other => Err(unknown_type(other)),
                }
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/broker_messages.rs"));

fn unknown_type(name: &str) -> Error {
    Error::invalid_argument(
        P,
        format!(
            "unknown broker v1 message type {name:?} (expected one of: {})",
            AnyMessage::TYPE_NAMES.join(", ")
        ),
    )
}

/// Decode bare prost bytes (no framing) as message `type_name` (`"Hello"`, `"CacheManifest"`,
/// ...).
pub fn decode_message(type_name: &str, bytes: &[u8]) -> Result<AnyMessage> {
    AnyMessage::decode(type_name, bytes)
}

/// Encode a message as bare prost bytes (no framing).
pub fn encode_message(message: &AnyMessage) -> Vec<u8> {
    message.encode()
}
