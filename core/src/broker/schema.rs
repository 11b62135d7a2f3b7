//! The schema description of the broker's types: the prost types' from the descriptors
//! (`build.rs` writes `broker_schema.rs`), [`Framed`]'s and [`AnyMessage`]'s by hand.

use super::v1::*;
use super::{AnyMessage, Framed};
use crate::schema::{Describe, EnumValue, Field, Kind, Role, Ty, TypeDef, Variant};

include!(concat!(env!("OUT_DIR"), "/broker_schema.rs"));

fn field(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        // prost's name for the field (raw identifier for a keyword).
        rust: if name == "type" { "r#type" } else { name },
        ty,
        doc: String::new(),
        role: Role::Plain,
    }
}

fn record(name: &'static str, fields: Vec<Field>) -> TypeDef {
    TypeDef {
        name,
        rust: format!("broker::v1::{name}"),
        doc: String::new(),
        kind: Kind::Record { fields },
    }
}

fn union(name: &'static str, rust: &str, variants: Vec<Variant>) -> TypeDef {
    TypeDef {
        name,
        rust: rust.to_owned(),
        doc: String::new(),
        kind: Kind::Union { variants },
    }
}

fn wrapper(name: &'static str, rust: &'static str, wraps: &'static str) -> Variant {
    Variant {
        name,
        rust,
        doc: String::new(),
        fields: Vec::new(),
        wraps: Some(wraps),
    }
}

/// A protobuf enum: open (unknown values are kept), stored as `i32` in prost's fields.
fn prost_enum(name: &'static str, values: &[(i32, &'static str)]) -> TypeDef {
    TypeDef {
        name,
        rust: format!("broker::v1::{name}"),
        doc: String::new(),
        kind: Kind::Enum {
            open: true,
            repr: Ty::I32,
            values: values
                .iter()
                .map(|&(value, name)| EnumValue {
                    name,
                    value: i64::from(value),
                })
                .collect(),
            raw: true,
        },
    }
}

by_ref!(Framed);

impl Describe for Framed {
    const NAME: &'static str = "Framed";
    fn describe() -> TypeDef {
        // Fails to compile when Framed gains or changes a field.
        let _ = |f: Framed| -> (Frame, u32) {
            let Framed { frame, body_length } = f;
            (frame, body_length)
        };
        TypeDef {
            name: Self::NAME,
            rust: "broker::Framed".to_owned(),
            doc: "A framed message: the `Frame` and the body length its header declared."
                .to_owned(),
            kind: Kind::Record {
                fields: vec![
                    field("frame", Ty::Ref(Frame::NAME)),
                    Field {
                        doc: "The header's body length; encoding writes the actual length."
                            .to_owned(),
                        role: Role::OptionalOnEncode,
                        ..field("body_length", Ty::U32)
                    },
                ],
            },
        }
    }
}

/// The broker's types, then [`super::ProbeResponse`], [`super::Payload`], [`Framed`] and
/// [`AnyMessage`].
pub(crate) fn types() -> Vec<TypeDef> {
    let mut types = broker_types();
    types.extend([
        super::ProbeResponse::describe(),
        super::Payload::describe(),
        Framed::describe(),
        AnyMessage::describe(),
    ]);
    types
}
