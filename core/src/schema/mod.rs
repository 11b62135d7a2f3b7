//! One description of every message type of every protocol, derived from the core's own types.
//!
//! Each model type is declared through [`described!`] (records and unions, with their doc
//! comments) or given a [`Describe`] impl computed from its own tables (enums), and the broker's
//! prost types are described by the build script from the same `.proto` descriptors prost
//! compiles. So the description cannot drift from the types: a field added to a model is a field
//! added to its description, and a type the description names must exist.
//!
//! The bindings' type layers (Python classes, conversions and stubs; C structs, views, exports
//! and `libwire.h`; Node readers/writers and `lib/wire.d.ts`) are generated from [`schema()`] by
//! `cargo run -p xtask -- gen`. Names are the canonical JSON's: a binding applies only its
//! language's case convention.

#[macro_use]
mod describe;
mod protocols;

pub(crate) use describe::field_name;
pub use describe::{Describe, EnumCode, FieldType};
pub use protocols::schema;

use crate::Protocol;

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// Binary data (`bytes::Bytes`): a view of the input where the binding can give one.
    Bytes,
    /// UTF-8 text (`String`).
    Text,
    /// A socket address (`std::net::SocketAddr`), shown as text (`"ip:port"`, `"[ip6]:port"`).
    SocketAddr,
    /// A JSON value (`serde_json::Value`): a canonical JSON document, native in each language.
    Json,
    /// Another type of the same protocol, by name.
    Ref(&'static str),
    /// A list.
    List(Box<Ty>),
    /// An optional value (`None` / `null`).
    Option(Box<Ty>),
    /// A map with sorted keys.
    Map(Box<Ty>, Box<Ty>),
}

/// What a field does on decode and encode, where it is not a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum Role {
    /// Read on decode, written on encode.
    #[default]
    Plain,
    /// Derived by the decoder; ignored on encode.
    DecodeOnly,
    /// Shown on decode; on encode the codec computes it when it is absent.
    OptionalOnEncode,
}

/// One field of a record or union variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct Field {
    /// The canonical name (snake_case, the canonical JSON's key).
    pub name: &'static str,
    /// The Rust field name (`r#type` for `type`).
    pub rust: &'static str,
    /// The field's type.
    pub ty: Ty,
    /// Its documentation.
    pub doc: String,
    /// Decode/encode role.
    pub role: Role,
}

/// One variant of a union.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct Variant {
    /// The canonical name (the canonical JSON's `type` where that is an identifier).
    pub name: &'static str,
    /// The Rust variant name.
    pub rust: &'static str,
    /// Its documentation.
    pub doc: String,
    /// The fields of a struct variant (empty for a unit variant or a wrapper).
    pub fields: Vec<Field>,
    /// The one type a wrapper variant holds (`Payload::Hello(Hello)`), else `None`.
    pub wraps: Option<&'static str>,
}

/// One named value of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct EnumValue {
    /// The canonical name (the canonical JSON's string).
    pub name: &'static str,
    /// The wire value.
    pub value: i64,
}

/// What a type is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum Kind {
    /// A struct: fields in wire order.
    Record {
        /// The fields.
        fields: Vec<Field>,
    },
    /// A Rust enum of variants, one of which is present.
    Union {
        /// The variants.
        variants: Vec<Variant>,
    },
    /// An integer with named values.
    Enum {
        /// Open: any value of `repr` is valid and unnamed ones are kept as numbers. Closed:
        /// only the named values exist.
        open: bool,
        /// The integer type.
        repr: Ty,
        /// The named values, in value order.
        values: Vec<EnumValue>,
        /// The Rust fields of this type hold the raw integer (prost's `i32`), not a Rust enum.
        raw: bool,
    },
}

/// One described type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct TypeDef {
    /// The canonical name.
    pub name: &'static str,
    /// The Rust path below `wire_core` (`dnode::Dmsg`).
    pub rust: String,
    /// Its documentation.
    pub doc: String,
    /// What it is.
    pub kind: Kind,
}

/// An argument or result of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct Param {
    /// The canonical name (snake_case).
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
}

/// A protocol operation besides the standard ones (`encode`, `decode`, `Decoder`, `to_json`,
/// `from_json`), offered by every binding under the same name.
///
/// It is implemented by `wire_core::<protocol>::ops::<name>`: the protocol's codec first (by
/// reference) when `options` is set, then the arguments in order: numbers and `bool` by value,
/// everything else by reference (`&Bytes`, `&str`, `&serde_json::Value`, `&T`); it returns
/// `Result<R>`, with R the one result or a tuple of the results, inside an `Option` when
/// `optional` is set (bytes as `Bytes`, text as `String`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct Operation {
    /// The canonical name (snake_case).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// The arguments.
    pub args: Vec<Param>,
    /// The results (none: nothing; one: a value; several: a tuple / object / out-parameters).
    pub returns: Vec<Param>,
    /// Whether it takes the protocol's options (limits and codec options).
    pub options: bool,
    /// Whether the results may be absent as a whole (`None` / `null` / a NULL handle).
    pub optional: bool,
}

/// A codec option taken by name (`AnyCodec::set_option`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct OptionDef {
    /// The option's name.
    pub name: &'static str,
    /// Its values (empty: an unsigned integer).
    pub values: Vec<&'static str>,
    /// Each value's name as an identifier, the Rust variant's (`V7` for the value `7x`), for
    /// bindings that make an enum of the values.
    pub names: Vec<&'static str>,
    /// The default value.
    pub default: String,
    /// Its documentation.
    pub doc: &'static str,
}

/// A constant a protocol publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct Constant {
    /// The name (SCREAMING_SNAKE_CASE).
    pub name: &'static str,
    /// Its value.
    pub value: ConstValue,
    /// Its documentation.
    pub doc: &'static str,
}

/// The value of a constant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum ConstValue {
    /// An unsigned integer.
    Int(u64),
    /// A text.
    Text(&'static str),
    /// A list of texts.
    TextList(Vec<&'static str>),
}

/// Everything one protocol offers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize))]
pub struct ProtocolSchema {
    /// The protocol.
    #[cfg_attr(feature = "json", serde(serialize_with = "protocol_name"))]
    pub protocol: Protocol,
    /// The name of the type its codec decodes and encodes.
    pub frame: &'static str,
    /// Every type, each after the types it refers to where there is no cycle.
    pub types: Vec<TypeDef>,
    /// Its operations besides the standard ones.
    pub operations: Vec<Operation>,
    /// Its codec options besides the limits.
    pub options: Vec<OptionDef>,
    /// Its constants.
    pub constants: Vec<Constant>,
}

#[cfg(feature = "json")]
fn protocol_name<S: serde::Serializer>(p: &Protocol, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.name())
}

impl ProtocolSchema {
    /// The type named `name`.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }
}

/// One line of doc text from a macro's `#[doc]` attributes.
pub(crate) fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole description as JSON (`wire schema` prints it): for generators in other languages.
#[cfg(feature = "json")]
pub fn schema_json() -> serde_json::Value {
    serde_json::to_value(schema()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(ty: &Ty, out: &mut Vec<&'static str>) {
        match ty {
            Ty::Ref(name) => out.push(name),
            Ty::List(t) | Ty::Option(t) => refs(t, out),
            Ty::Map(k, v) => {
                refs(k, out);
                refs(v, out);
            }
            _ => {}
        }
    }

    #[test]
    fn every_protocol_once_in_number_order() {
        let protocols: Vec<Protocol> = schema().iter().map(|p| p.protocol).collect();
        assert_eq!(protocols, Protocol::ALL);
    }

    /// Every `EnumCode` enum's values convert both ways as its description lists them; the
    /// closed ones refuse the next number.
    #[test]
    fn coded_enums_follow_their_values() {
        use crate::dnode::DmsgType;
        let Kind::Enum { values, .. } = DmsgType::describe().kind else {
            panic!("DmsgType is an enum");
        };
        for v in values {
            let t = DmsgType::from_code(v.value).expect("a named value");
            assert_eq!((t.code(), t.name()), (v.value, Some(v.name)));
        }
        assert_eq!(DmsgType::from_code(200).map(EnumCode::code), Some(200));
        assert!(DmsgType::from_code(256).is_none() && DmsgType::from_code(-1).is_none());
        fn closed<T: Describe + EnumCode>() {
            let Kind::Enum { values, .. } = T::describe().kind else {
                panic!("{} is an enum", T::NAME);
            };
            for v in &values {
                assert_eq!(T::from_code(v.value).map(EnumCode::code), Some(v.value));
            }
            let past = values.iter().map(|v| v.value).max().unwrap() + 1;
            assert!(T::from_code(past).is_none(), "{} is closed", T::NAME);
        }
        closed::<crate::chitchat::ProtocolVersion>();
        closed::<crate::chitchat::DeletionStatusMutation>();
        closed::<crate::replication::NodeType>();
        closed::<crate::replication::GroupChangeType>();
    }

    /// Every name a protocol's description uses is one of its types, and names are unique.
    #[test]
    fn every_option_value_has_an_identifier() {
        for p in schema() {
            for o in &p.options {
                assert_eq!(o.names.len(), o.values.len(), "{}", o.name);
                for n in &o.names {
                    let mut chars = n.chars();
                    assert!(chars.next().is_some_and(|c| c.is_ascii_alphabetic()), "{n}");
                    assert!(chars.all(|c| c.is_ascii_alphanumeric() || c == '_'), "{n}");
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        for p in schema() {
            let mut used = vec![p.frame];
            for t in &p.types {
                assert_eq!(
                    p.types.iter().filter(|u| u.name == t.name).count(),
                    1,
                    "{}: {} twice",
                    p.protocol,
                    t.name
                );
                match &t.kind {
                    Kind::Record { fields } => fields.iter().for_each(|f| refs(&f.ty, &mut used)),
                    Kind::Union { variants } => {
                        for v in variants {
                            v.fields.iter().for_each(|f| refs(&f.ty, &mut used));
                            used.extend(v.wraps);
                        }
                    }
                    Kind::Enum { .. } => {}
                }
            }
            for op in &p.operations {
                op.args
                    .iter()
                    .chain(&op.returns)
                    .for_each(|a| refs(&a.ty, &mut used));
            }
            for name in used {
                assert!(
                    p.get(name).is_some(),
                    "{}: {name} is not described",
                    p.protocol
                );
            }
        }
    }
}
