//! Canonical JSON, exactly the vectors' `fields`:
//! - a message: `{"type": <type name>, "fields": {id, type, flags, version, same_dc (0/1),
//!   mlen, data (hex), plen, payload (hex)}}`; a header alone has no `payload`;
//! - the type is its reference name, or the number when it has none (the message type is
//!   then the decimal string);
//! - on input mlen and plen must equal the lengths of data and payload, and mlen is at
//!   least 1 (an empty data field is only a convenience of the Rust encoder);
//! - a handshake: `{"type": "Handshake", "fields": {magic: "44485331", flags: 0,
//!   capabilities: {version: 1, entries: [{name, supported: [hex, ...]}]}}}`.

use bytes::Bytes;
use serde_json::{json, Value};

use super::*;
use crate::json::{hex_value, message, split_message, Fields};

fn type_value(t: DmsgType) -> Value {
    match t.name() {
        Some(name) => Value::String(name.into()),
        None => Value::from(t.as_u8()),
    }
}

fn message_type(t: DmsgType) -> String {
    match t.name() {
        Some(name) => name.into(),
        None => t.as_u8().to_string(),
    }
}

fn fields(
    id: u64,
    r#type: DmsgType,
    flags: u8,
    version: u8,
    same_dc: bool,
    data: &[u8],
    plen: u64,
) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), id.into());
    map.insert("type".into(), type_value(r#type));
    map.insert("flags".into(), flags.into());
    map.insert("version".into(), version.into());
    map.insert("same_dc".into(), u8::from(same_dc).into());
    map.insert("mlen".into(), data.len().into());
    map.insert("data".into(), hex_value(data));
    map.insert("plen".into(), plen.into());
    map
}

pub(super) fn to_json(m: &Dmsg) -> Value {
    let plen = m.payload.len() as u64;
    let mut map = fields(m.id, m.r#type, m.flags, m.version, m.same_dc, &m.data, plen);
    map.insert("payload".into(), hex_value(&m.payload));
    message(&message_type(m.r#type), Value::Object(map))
}

/// Canonical JSON of a header alone (the `header_vectors` form: no `payload`).
pub fn header_to_json(header: &DmsgHeader) -> Value {
    let h = header;
    let map = fields(
        h.id,
        h.r#type,
        h.flags,
        h.version,
        h.same_dc,
        &h.data,
        h.plen.into(),
    );
    message(&message_type(h.r#type), Value::Object(map))
}

fn read_type(f: &Fields<'_>) -> Result<DmsgType> {
    let v = f.get("type")?;
    if let Some(name) = v.as_str() {
        return DmsgType::from_name(name)
            .ok_or_else(|| f.error("type", format!("unknown type name {name:?}")));
    }
    let n: u8 = f.uint("type")?;
    Ok(DmsgType::from_u8(n))
}

fn read_header(type_name: &str, f: &Fields<'_>) -> Result<DmsgHeader> {
    let r#type = read_type(f)?;
    if message_type(r#type) != type_name {
        return Err(Error::invalid_argument(
            P,
            format!(
                "message type {type_name:?} does not match fields.type {}",
                message_type(r#type)
            ),
        ));
    }
    let same_dc = match f.uint::<u8>("same_dc")? {
        0 => false,
        1 => true,
        n => return Err(f.error("same_dc", format!("expected 0 or 1, got {n}"))),
    };
    let data = f.bytes("data")?;
    let mlen: u64 = f.uint("mlen")?;
    if mlen != data.len() as u64 {
        return Err(f.error(
            "mlen",
            format!("{mlen} does not match data of {} bytes", data.len()),
        ));
    }
    if data.is_empty() {
        return Err(f.error("data", "must have at least one byte (mlen 0 is invalid)"));
    }
    Ok(DmsgHeader {
        id: f.uint("id")?,
        r#type,
        flags: f.uint("flags")?,
        version: f.uint("version")?,
        same_dc,
        data,
        plen: f.uint("plen")?,
    })
}

const HEADER_KEYS: [&str; 8] = [
    "id", "type", "flags", "version", "same_dc", "mlen", "data", "plen",
];

pub(super) fn from_json(value: &Value) -> Result<Dmsg> {
    let (type_name, fields) = split_message(P, value)?;
    let f = Fields::new(P, type_name, fields)?;
    let mut allowed = HEADER_KEYS.to_vec();
    allowed.push("payload");
    f.deny_unknown(&allowed)?;
    let header = read_header(type_name, &f)?;
    let payload = f.bytes("payload")?;
    Dmsg::from_header(header, payload).map_err(|e| f.error("plen", e.reason()))
}

/// Parse the canonical JSON of a header alone.
pub fn header_from_json(value: &Value) -> Result<DmsgHeader> {
    let (type_name, fields) = split_message(P, value)?;
    let f = Fields::new(P, type_name, fields)?;
    f.deny_unknown(&HEADER_KEYS)?;
    read_header(type_name, &f)
}

/// Canonical JSON of a handshake payload.
pub fn handshake_to_json(hs: &Handshake) -> Value {
    let entries: Vec<Value> = hs
        .capabilities
        .entries
        .iter()
        .map(|e| {
            let supported: Vec<Value> = e.supported.iter().map(|v| hex_value(v)).collect();
            json!({"name": e.name, "supported": supported})
        })
        .collect();
    message(
        "Handshake",
        json!({
            "magic": hex_value(HANDSHAKE_MAGIC),
            "flags": 0,
            "capabilities": {"version": CAP_AD_VERSION, "entries": entries},
        }),
    )
}

/// Parse the canonical JSON of a handshake payload.
pub fn handshake_from_json(value: &Value) -> Result<Handshake> {
    let (type_name, fields) = split_message(P, value)?;
    if type_name != "Handshake" {
        return Err(Error::invalid_argument(
            P,
            format!("message type {type_name:?} is not Handshake"),
        ));
    }
    let f = Fields::new(P, "Handshake", fields)?;
    f.deny_unknown(&["magic", "flags", "capabilities"])?;
    if f.bytes("magic")?[..] != HANDSHAKE_MAGIC[..] {
        return Err(f.error("magic", "expected 44485331 (DHS1)"));
    }
    if f.uint::<u16>("flags")? != 0 {
        return Err(f.error("flags", "only 0 is defined"));
    }
    let caps = f.object("capabilities", "capabilities")?;
    caps.deny_unknown(&["version", "entries"])?;
    if caps.uint::<u8>("version")? != CAP_AD_VERSION {
        return Err(caps.error("version", "only 1 is defined"));
    }
    let mut entries = Vec::new();
    for entry in caps.array("entries")? {
        let e = Fields::new(P, "capabilities.entries[]", entry)?;
        e.deny_unknown(&["name", "supported"])?;
        let supported = e
            .array("supported")?
            .iter()
            .map(|v| {
                v.as_str()
                    .and_then(|s| hex::decode(s).ok())
                    .map(Bytes::from)
                    .ok_or_else(|| e.error("supported", format!("expected hex strings, got {v}")))
            })
            .collect::<Result<Vec<_>>>()?;
        entries.push(CapabilityAdEntry {
            name: e.str("name")?.to_owned(),
            supported,
        });
    }
    Ok(Handshake::new(entries))
}
