//! How a Rust type names its schema type: [`FieldType`] for every type a field can have,
//! [`Describe`] for every described type, and the [`described!`] macro that declares a model
//! type and its description in one place.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use bytes::Bytes;

use super::{Ty, TypeDef};

/// The schema type of a Rust field type.
pub trait FieldType {
    /// The type.
    fn ty() -> Ty;
}

/// The wire value of a described enum whose Rust fields hold a Rust enum (not `raw`): what a
/// binding converts to and from its language's integers.
pub trait EnumCode: Sized + Copy {
    /// The wire value.
    fn code(self) -> i64;
    /// The value of wire value `code`: `None` when the enum has no such value (closed enums:
    /// an unnamed value; any enum: a value outside its integer type).
    fn from_code(code: i64) -> Option<Self>;
}

/// A described type: a record, union or enum with a name.
pub trait Describe {
    /// The canonical name.
    const NAME: &'static str;
    /// The description.
    fn describe() -> TypeDef;
}

macro_rules! scalar {
    ($($t:ty => $ty:ident),* $(,)?) => {$(
        impl FieldType for $t {
            fn ty() -> Ty {
                Ty::$ty
            }
        }
    )*};
}

scalar!(
    bool => Bool, u8 => U8, u16 => U16, u32 => U32, u64 => U64, i32 => I32, i64 => I64,
    Bytes => Bytes, String => Text, SocketAddr => SocketAddr,
);

impl<T: FieldType> FieldType for Vec<T> {
    fn ty() -> Ty {
        Ty::List(Box::new(T::ty()))
    }
}

impl<T: FieldType> FieldType for Option<T> {
    fn ty() -> Ty {
        Ty::Option(Box::new(T::ty()))
    }
}

impl<K: FieldType, V: FieldType> FieldType for BTreeMap<K, V> {
    fn ty() -> Ty {
        Ty::Map(Box::new(K::ty()), Box::new(V::ty()))
    }
}

/// A described type is a field type by reference.
macro_rules! by_ref {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::schema::FieldType for $t {
            fn ty() -> $crate::schema::Ty {
                $crate::schema::Ty::Ref(<$t as $crate::schema::Describe>::NAME)
            }
        }
    )*};
}

/// The canonical name of a Rust field name (`r#type` -> `type`).
pub(crate) fn field_name(rust: &'static str) -> &'static str {
    rust.strip_prefix("r#").unwrap_or(rust)
}

/// The doc text of a list of attributes (the `#[doc]` ones, which `///` comments become).
macro_rules! doc_of {
    (@acc [$($d:expr),*]) => { $crate::schema::doc_text(&[$($d),*]) };
    (@acc [$($d:expr),*] #[doc = $x:literal] $($rest:tt)*) => {
        doc_of!(@acc [$($d,)* $x] $($rest)*)
    };
    (@acc [$($d:expr),*] #[$($other:tt)*] $($rest:tt)*) => { doc_of!(@acc [$($d),*] $($rest)*) };
    ($($attrs:tt)*) => { doc_of!(@acc [] $($attrs)*) };
}

/// Declares a model type and its [`Describe`] impl from the same tokens: a struct with named
/// fields (a record), or an enum of struct or unit variants, or of variants that each wrap one
/// described type (a union). The doc comments become
/// the description's docs. A variant may be followed by `as "Name"`: its canonical name, where
/// it differs from the Rust name. The Rust path below `wire_core` comes before the item.
macro_rules! described {
    (
        $path:literal
        $(#[$($attr:tt)*])*
        pub struct $name:ident {
            $(
                $(#[$($fattr:tt)*])*
                pub $f:ident : $t:ty
            ),* $(,)?
        }
    ) => {
        $(#[$($attr)*])*
        pub struct $name {
            $(
                $(#[$($fattr)*])*
                pub $f: $t,
            )*
        }

        described!(@impl $name, $path, [$(#[$($attr)*])*], $crate::schema::Kind::Record {
                        fields: vec![$(described!(@field $f, $t, $(#[$($fattr)*])*)),*],
                    });
    };
    (
        $path:literal
        $(#[$($attr:tt)*])*
        pub enum $name:ident {
            $(
                $(#[$($vattr:tt)*])*
                $v:ident $(as $vname:literal)? $({
                    $(
                        $(#[$($fattr:tt)*])*
                        $f:ident : $t:ty
                    ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$($attr)*])*
        pub enum $name {
            $(
                $(#[$($vattr)*])*
                $v $({
                    $(
                        $(#[$($fattr)*])*
                        $f: $t,
                    )*
                })?,
            )*
        }

        described!(@impl $name, $path, [$(#[$($attr)*])*], $crate::schema::Kind::Union {
                        variants: vec![$(
                            $crate::schema::Variant {
                                name: described!(@name $v $(, $vname)?),
                                rust: stringify!($v),
                                doc: doc_of!($(#[$($vattr)*])*),
                                fields: vec![$($(
                                    described!(@field $f, $t, $(#[$($fattr)*])*)
                                ),*)?],
                                wraps: None,
                            }
                        ),*],
                    });
    };
    (
        $path:literal
        $(#[$($attr:tt)*])*
        pub enum $name:ident {
            $(
                $(#[$($vattr:tt)*])*
                $v:ident($wt:ty)
            ),* $(,)?
        }
    ) => {
        $(#[$($attr)*])*
        pub enum $name {
            $(
                $(#[$($vattr)*])*
                $v($wt),
            )*
        }

        described!(@impl $name, $path, [$(#[$($attr)*])*], $crate::schema::Kind::Union {
                        variants: vec![$(
                            $crate::schema::Variant {
                                name: stringify!($v),
                                rust: stringify!($v),
                                doc: doc_of!($(#[$($vattr)*])*),
                                fields: Vec::new(),
                                wraps: Some(<$wt as $crate::schema::Describe>::NAME),
                            }
                        ),*],
                    });
    };
    (@impl $name:ident, $path:literal, [$($attrs:tt)*], $kind:expr) => {
        by_ref!($name);

        impl $crate::schema::Describe for $name {
            const NAME: &'static str = stringify!($name);
            fn describe() -> $crate::schema::TypeDef {
                $crate::schema::TypeDef {
                    name: stringify!($name),
                    rust: $path.to_owned(),
                    doc: doc_of!($($attrs)*),
                    kind: $kind,
                }
            }
        }
    };
    (@field $f:ident, $t:ty, $($attrs:tt)*) => {
        $crate::schema::Field {
            name: $crate::schema::field_name(stringify!($f)),
            rust: stringify!($f),
            ty: <$t as $crate::schema::FieldType>::ty(),
            doc: doc_of!($($attrs)*),
            role: $crate::schema::Role::Plain,
        }
    };
    (@name $v:ident) => { stringify!($v) };
    (@name $v:ident, $vname:literal) => { $vname };
}

/// [`Describe`] for an enum from its own value table (`values` yields `(wire value, name)`), and
/// its [`EnumCode`](crate::schema::EnumCode) from its conversions to and from the `$int` it is on
/// the wire (`code`: `fn(T) -> $int`, `from_code`: `fn($int) -> Option<T>`).
macro_rules! described_enum {
    (
        $t:ty, $path:literal, $doc:literal, open: $open:expr, repr: $repr:ident as $int:ty,
        code: $code:expr, from_code: $from:expr, values: $values:expr
    ) => {
        by_ref!($t);

        impl $crate::schema::EnumCode for $t {
            fn code(self) -> i64 {
                i64::from(($code)(self))
            }
            fn from_code(code: i64) -> Option<Self> {
                <$int>::try_from(code).ok().and_then($from)
            }
        }

        impl $crate::schema::Describe for $t {
            const NAME: &'static str = stringify!($t);
            fn describe() -> $crate::schema::TypeDef {
                $crate::schema::TypeDef {
                    name: stringify!($t),
                    rust: $path.to_owned(),
                    doc: $doc.to_owned(),
                    kind: $crate::schema::Kind::Enum {
                        open: $open,
                        repr: $crate::schema::Ty::$repr,
                        values: $values
                            .into_iter()
                            .map(|(value, name)| $crate::schema::EnumValue {
                                name,
                                value: i64::from(value),
                            })
                            .collect(),
                        raw: false,
                    },
                }
            }
        }
    };
}
