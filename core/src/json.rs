//! Helpers for the canonical JSON mapping (feature `json`).
//!
//! A message's canonical JSON is `{"type": <message type name>, "fields": {...}}`: exactly the
//! `type` and `fields` of an entry of `vectors/*.json`. Conventions: reference field names,
//! byte strings as lowercase hex, enums by name, integers as JSON numbers (u64 exact). Reading
//! is strict: a missing field, a value of the wrong type or range, or an unknown key is
//! `invalid_argument` naming the field.

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::{Codec, Error, Protocol, Result};

/// The canonical message document `{"type": type_name, "fields": fields}`.
pub fn message(type_name: &str, fields: Value) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::String(type_name.into()));
    map.insert("fields".into(), fields);
    Value::Object(map)
}

/// Split a message document into its type name and fields.
pub fn split_message(protocol: Protocol, value: &Value) -> Result<(&str, &Value)> {
    let doc = Fields::new(protocol, "message", value)?;
    doc.deny_unknown(&["type", "fields"])?;
    Ok((doc.str("type")?, doc.get("fields")?))
}

/// Lowercase hex string value.
pub fn hex_value(bytes: &[u8]) -> Value {
    Value::String(hex::encode(bytes))
}

/// A JSON object being read as one message's fields.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    protocol: Protocol,
    what: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// Read `value` as the fields of a `what` message.
    pub fn new(protocol: Protocol, what: &'a str, value: &'a Value) -> Result<Self> {
        match value {
            Value::Object(map) => Ok(Fields {
                protocol,
                what,
                map,
            }),
            other => Err(Error::invalid_argument(
                protocol,
                format!("{what}: expected a JSON object, got {}", type_name(other)),
            )),
        }
    }

    /// The protocol errors are reported for.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// An error about field `name`.
    pub fn error(&self, name: &str, problem: impl std::fmt::Display) -> Error {
        Error::invalid_argument(self.protocol, format!("{}.{name}: {problem}", self.what))
    }

    /// Whether field `name` is present (and not null).
    pub fn has(&self, name: &str) -> bool {
        self.map.get(name).is_some_and(|v| !v.is_null())
    }

    /// Field `name`, or `None` if absent or null.
    pub fn opt(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Field `name`, required.
    pub fn get(&self, name: &str) -> Result<&'a Value> {
        self.opt(name).ok_or_else(|| self.error(name, "missing"))
    }

    /// Reject keys outside `allowed`.
    pub fn deny_unknown(&self, allowed: &[&str]) -> Result<()> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.error(k, "unknown field")),
            None => Ok(()),
        }
    }

    /// Unsigned integer field that must fit in `T`.
    pub fn uint<T: TryFrom<u64>>(&self, name: &str) -> Result<T> {
        let v = self.get(name)?;
        v.as_u64().and_then(|n| T::try_from(n).ok()).ok_or_else(|| {
            self.error(
                name,
                format!(
                    "expected an unsigned integer of {} bits, got {v}",
                    std::mem::size_of::<T>() * 8
                ),
            )
        })
    }

    /// Signed integer field that must fit in `T`.
    pub fn int<T: TryFrom<i64>>(&self, name: &str) -> Result<T> {
        let v = self.get(name)?;
        v.as_i64().and_then(|n| T::try_from(n).ok()).ok_or_else(|| {
            self.error(
                name,
                format!(
                    "expected a signed integer of {} bits, got {v}",
                    std::mem::size_of::<T>() * 8
                ),
            )
        })
    }

    /// Boolean field.
    pub fn bool(&self, name: &str) -> Result<bool> {
        let v = self.get(name)?;
        v.as_bool()
            .ok_or_else(|| self.error(name, format!("expected true or false, got {v}")))
    }

    /// String field.
    pub fn str(&self, name: &str) -> Result<&'a str> {
        let v = self.get(name)?;
        v.as_str()
            .ok_or_else(|| self.error(name, format!("expected a string, got {}", type_name(v))))
    }

    /// Hex-encoded byte string field.
    pub fn bytes(&self, name: &str) -> Result<Bytes> {
        let s = self.str(name)?;
        hex::decode(s)
            .map(Bytes::from)
            .map_err(|e| self.error(name, format!("expected lowercase hex bytes: {e}")))
    }

    /// Array field.
    pub fn array(&self, name: &str) -> Result<&'a Vec<Value>> {
        let v = self.get(name)?;
        v.as_array()
            .ok_or_else(|| self.error(name, format!("expected an array, got {}", type_name(v))))
    }

    /// Nested object field, read as the fields of `what`.
    pub fn object(&self, name: &str, what: &'a str) -> Result<Fields<'a>> {
        Fields::new(self.protocol, what, self.get(name)?)
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The bare messages (no framing) a protocol decodes and encodes by type name, besides its
/// frames: dnode's `DmsgHeader` and `Handshake`, replication's `ProtocolMessage`, every broker
/// message type.
pub fn bare_message_names(protocol: Protocol) -> Vec<&'static str> {
    use crate::schema::Describe as _;
    match protocol {
        Protocol::Dnode => vec![
            crate::dnode::DmsgHeader::NAME,
            crate::dnode::Handshake::NAME,
        ],
        Protocol::Replication => vec![crate::replication::ProtocolMessage::NAME],
        Protocol::Broker => crate::broker::AnyMessage::TYPE_NAMES.to_vec(),
        Protocol::Chitchat | Protocol::Dataexchange => Vec::new(),
    }
}

fn unknown_bare(protocol: Protocol, name: &str) -> Error {
    let names = bare_message_names(protocol);
    Error::invalid_argument(
        protocol,
        if names.is_empty() {
            format!("{protocol} has no bare messages (asked for {name:?})")
        } else {
            format!(
                "{name:?} is not a bare {protocol} message (known: {})",
                names.join(", ")
            )
        },
    )
}

/// Decode exactly one bare message of type `name` (see [`bare_message_names`]) with `codec`'s
/// options, and give its canonical JSON.
pub fn decode_bare(codec: &crate::AnyCodec, name: &str, data: &Bytes) -> Result<Value> {
    use crate::{dnode, replication, AnyCodec};
    match codec {
        AnyCodec::Dnode(c) if name == "DmsgHeader" => match dnode::ops::parse_header(c, data)? {
            Some((header, len)) if len as usize == data.len() => Ok(dnode::header_to_json(&header)),
            Some((_, len)) => Err(Error::at(
                Protocol::Dnode,
                crate::ErrorKind::TrailingBytes,
                len as usize,
                format!("{} bytes after the header", data.len() - len as usize),
            )),
            None => Err(Error::incomplete(
                Protocol::Dnode,
                data.len(),
                "input ends inside the header",
            )),
        },
        AnyCodec::Dnode(_) if name == "Handshake" => Ok(dnode::handshake_to_json(
            &dnode::ops::decode_handshake(data)?,
        )),
        AnyCodec::Replication(c) if name == "ProtocolMessage" => {
            let message = replication::ops::decode_message(c, data)?;
            Ok(c.to_json(&message))
        }
        AnyCodec::Broker(_) => Ok(crate::broker::ops::decode_message(name, data)?.to_json()),
        other => Err(unknown_bare(other.protocol(), name)),
    }
}

/// Encode the bare message of type `name` from its canonical JSON with `codec`'s options.
pub fn encode_bare(codec: &crate::AnyCodec, name: &str, json: &Value) -> Result<Bytes> {
    use crate::{broker, dnode, replication, AnyCodec};
    match codec {
        AnyCodec::Dnode(c) if name == "DmsgHeader" => {
            dnode::ops::encode_header(c, &dnode::header_from_json(json)?)
        }
        AnyCodec::Dnode(_) if name == "Handshake" => {
            dnode::ops::encode_handshake(&dnode::handshake_from_json(json)?)
        }
        AnyCodec::Replication(c) if name == "ProtocolMessage" => {
            replication::ops::encode_message(c, &c.from_json(json)?)
        }
        AnyCodec::Broker(_) => {
            let message = broker::AnyMessage::from_json(json)?;
            if message.type_name() != name {
                return Err(Error::invalid_argument(
                    Protocol::Broker,
                    format!("the JSON is a {}, not a {name}", message.type_name()),
                ));
            }
            broker::ops::encode_message(&message)
        }
        other => Err(unknown_bare(other.protocol(), name)),
    }
}
