//! The C binding's type layer, `bindings-c/src/generated.rs`: for every described protocol its
//! C structs, constants, the conversions between them and the core's values (views into the
//! input; arguments lent to the encoders), the standard exports (`wire_<p>_decode`,
//! `wire_frame_<p>`, `wire_<p>_encoded_len`, `wire_<p>_encode`) and one export per schema
//! operation (`wire_<p>_<op>`, calling `wire_core::<p>::ops::<op>`). cbindgen turns it into
//! `include/libwire.h` with the hand-written mechanism.
//!
//! C shapes: scalars as themselves; enums as a typedef of their integer plus one constant per
//! value; bytes and text as `wire_slice`; a nested record by value; `Option` of a record as a
//! pointer (NULL: absent), of a scalar as `has_<name>` + value; lists and maps as pointer +
//! `<name>_len`; a union of struct variants as one flat struct whose `type` is the variant's
//! protocol constant (or, for the variant without one, its own `type` number); a union of
//! wrapped records as a type number (`WIRE_<P>_TYPE_<RECORD>`) plus a pointer to the record's
//! struct, or, inside a record (a oneof), one pointer per variant, at most one non-NULL.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use wire_core::schema::{ConstValue, Field, Kind, Operation, ProtocolSchema, Ty, TypeDef, Variant};

use crate::{banner, Output};

/// The generated file.
pub fn outputs(schema: &[ProtocolSchema]) -> Vec<Output> {
    let mut o = String::new();
    o.push_str(&banner("//"));
    o.push_str(HEAD);
    for p in schema {
        Proto::new(p).emit(&mut o);
    }
    handles(schema, &mut o);
    vec![Output {
        path: PathBuf::from("bindings-c/src/generated.rs"),
        contents: o,
    }]
}

const HEAD: &str = "\
//! The per-message layer of the C API: structs, constants, conversions and exports of every
//! protocol the core's schema describes (see xtask/src/c.rs for the shapes).
// Conversions of types without nested data leave `cx`, `l` or `P` unused.
#![allow(unused_variables, unused_imports, dead_code, clippy::all)]

use std::ffi::{c_char, c_void};

use bytes::Bytes;
use wire_core::{AnyCodec, AnyFrame, Codec, Protocol};

use crate::frame::{codec_for, decode_into, hand_out, Ctx, Held};
use crate::lend::{lend, ByteSource, Copied};
use crate::{
    arg, array_arg, bytes_arg, encode_out, ffi_fn, ffi_value, json_arg, lent_view, out,
    set_option, str_arg, str_ref, wire_frame, wire_limits, wire_slice, wire_socket_addr, wire_status, write_out,
    write_text, Fail, Res,
};
";

/// `HelloReply` -> `hello_reply`, `TypeJSON` -> `type_json`, `HelloReply.result` ->
/// `hello_reply_result`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            out.push('_');
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("__", "_")
}

fn upper(name: &str) -> String {
    snake(name).to_uppercase()
}

/// `hello_reply` -> `HelloReply`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A C field or parameter name as a Rust identifier.
fn ident(name: &str) -> String {
    match name {
        "type" | "ref" | "match" | "fn" | "mod" | "use" | "move" | "loop" | "in" => {
            format!("r#{name}")
        }
        _ => name.to_owned(),
    }
}

fn scalar(ty: &Ty) -> Option<&'static str> {
    Some(match ty {
        Ty::Bool => "bool",
        Ty::U8 => "u8",
        Ty::U16 => "u16",
        Ty::U32 => "u32",
        Ty::U64 => "u64",
        Ty::I32 => "i32",
        Ty::I64 => "i64",
        _ => return None,
    })
}

/// One protocol's generator.
struct Proto<'a> {
    s: &'a ProtocolSchema,
    /// `dnode`.
    p: &'static str,
    /// `Dnode` (the `Protocol`, `AnyFrame` and `AnyCodec` variant).
    v: String,
    /// The records some wrapper union wraps, numbered from 1 in schema order.
    numbered: Vec<&'a TypeDef>,
}

enum Class<'a> {
    Enum {
        repr: &'static str,
        raw: bool,
    },
    Record(&'a [Field]),
    /// A union of struct variants: `(discriminant field type, variants)`.
    Flat(&'a [Variant]),
    /// A union of wrapped records.
    Wrapper(&'a [Variant]),
}

impl<'a> Proto<'a> {
    fn new(s: &'a ProtocolSchema) -> Proto<'a> {
        let p = s.protocol.name();
        let wrapped: BTreeSet<&str> = s
            .types
            .iter()
            .filter_map(|t| match &t.kind {
                Kind::Union { variants } if variants.iter().all(|v| v.wraps.is_some()) => {
                    Some(variants.iter().filter_map(|v| v.wraps))
                }
                _ => None,
            })
            .flatten()
            .collect();
        let numbered = s
            .types
            .iter()
            .filter(|t| wrapped.contains(t.name))
            .collect();
        Proto {
            s,
            p,
            v: camel(p),
            numbered,
        }
    }

    fn def(&self, name: &str) -> &'a TypeDef {
        self.s
            .get(name)
            .unwrap_or_else(|| panic!("{}: no type {name}", self.p))
    }

    fn class(&self, name: &str) -> Class<'a> {
        match &self.def(name).kind {
            Kind::Enum { repr, raw, .. } => Class::Enum {
                repr: scalar(repr).expect("enum of an integer"),
                raw: *raw,
            },
            Kind::Record { fields } => Class::Record(fields),
            Kind::Union { variants } if variants.iter().all(|v| v.wraps.is_some()) => {
                Class::Wrapper(variants)
            }
            Kind::Union { variants } => {
                assert!(
                    variants.iter().all(|v| v.wraps.is_none()),
                    "{name}: a union mixes wrapped and struct variants"
                );
                Class::Flat(variants)
            }
        }
    }

    /// `wire_dnode_dmsg`.
    fn ctype(&self, name: &str) -> String {
        format!("wire_{}_{}", self.p, snake(name))
    }

    /// `wire_core::dnode::Dmsg`.
    fn rust(&self, name: &str) -> String {
        format!("wire_core::{}", self.def(name).rust)
    }

    fn konst(&self, name: &str) -> String {
        format!("WIRE_{}_{}", self.p.to_uppercase(), upper(name))
    }

    fn type_konst(&self, record: &str) -> String {
        format!("WIRE_{}_TYPE_{}", self.p.to_uppercase(), upper(record))
    }

    fn type_t(&self) -> String {
        format!("wire_{}_type", self.p)
    }

    /// The discriminant constant of a flat union variant: the protocol constant named like it.
    fn variant_konst(&self, v: &Variant) -> Option<String> {
        let name = upper(v.name);
        self.s
            .constants
            .iter()
            .any(|c| c.name == name)
            .then(|| self.konst(v.name))
    }

    /// A flat union's fallback variant (the one without a type constant, if the union is
    /// open) and the C type of its discriminant: the fallback's `type` number, or for a closed
    /// union the smallest unsigned integer holding every constant.
    fn discriminant(&self, variants: &'a [Variant]) -> (Option<&'a Variant>, &'static str) {
        let fallback: Vec<&'a Variant> = variants
            .iter()
            .filter(|v| self.variant_konst(v).is_none())
            .collect();
        assert!(
            fallback.len() <= 1,
            "{}: a flat union has at most one variant without a type constant",
            self.p
        );
        if let Some(v) = fallback.first() {
            let ty = v
                .fields
                .iter()
                .find(|f| f.name == "type")
                .and_then(|f| scalar(&f.ty))
                .expect("the fallback variant carries its `type` number");
            return (Some(v), ty);
        }
        let max = variants
            .iter()
            .map(|v| self.variant_value(v))
            .max()
            .unwrap_or(0);
        let ty = match max {
            0..=0xff => "u8",
            0x100..=0xffff => "u16",
            _ => "u32",
        };
        (None, ty)
    }

    /// The number of a variant's type constant.
    fn variant_value(&self, v: &Variant) -> u64 {
        let name = upper(v.name);
        self.s
            .constants
            .iter()
            .find_map(|c| match c.value {
                ConstValue::Int(n) if c.name == name => Some(n),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{}: no constant {name}", self.p))
    }

    fn emit(&self, o: &mut String) {
        let pu = self.p.to_uppercase();
        writeln!(
            o,
            "\n// ---- {p} ----\n\npub use self::{p}::*;\n\nmod {p} {{\nuse super::*;\n\nconst P: Protocol = Protocol::{v};",
            p = self.p,
            v = self.v
        )
        .unwrap();
        self.constants(o, &pu);
        self.options(o, &pu);
        self.enums(o);
        self.numbers(o);
        self.structs(o);
        self.views(o);
        self.args(o);
        self.standard(o);
        for op in &self.s.operations {
            self.operation(op, o);
        }
        o.push_str("}\n");
    }

    fn constants(&self, o: &mut String, pu: &str) {
        let discriminants: BTreeSet<String> = self
            .s
            .types
            .iter()
            .filter_map(|t| match self.class(t.name) {
                Class::Flat(vs) => Some(vs),
                _ => None,
            })
            .flat_map(|vs| {
                let ty = self.discriminant(vs).1;
                vs.iter()
                    .filter_map(|v| self.variant_konst(v).map(|k| (k, ty)))
                    .collect::<Vec<_>>()
            })
            .map(|(k, ty)| format!("{k}:{ty}"))
            .collect();
        for c in &self.s.constants {
            let name = format!("WIRE_{pu}_{}", c.name);
            let ty = discriminants
                .iter()
                .find_map(|d| d.strip_prefix(&format!("{name}:")))
                .unwrap_or("u64");
            let ConstValue::Int(value) = c.value else {
                continue;
            };
            writeln!(o, "\n/// {}\npub const {name}: {ty} = {value};", c.doc).unwrap();
        }
    }

    fn option_t(&self, name: &str) -> String {
        format!("wire_{}_{}", self.p, snake(name))
    }

    fn options(&self, o: &mut String, pu: &str) {
        for opt in &self.s.options {
            assert!(!opt.values.is_empty(), "numeric options are not shown in C");
            writeln!(
                o,
                "\n/// Option `{}` (`WIRE_{pu}_{}_*`): {}\npub type {} = u32;",
                opt.name,
                upper(opt.name),
                opt.doc,
                self.option_t(opt.name)
            )
            .unwrap();
            for (i, v) in opt.values.iter().enumerate() {
                writeln!(
                    o,
                    "/// `{}` = `{v}`{}.\npub const WIRE_{pu}_{}_{}: {} = {i};",
                    opt.name,
                    if *v == opt.default {
                        " (the default)"
                    } else {
                        ""
                    },
                    upper(opt.name),
                    upper(v),
                    self.option_t(opt.name)
                )
                .unwrap();
            }
        }
    }

    /// `, limits: *const wire_limits, flavour: wire_dnode_flavour`.
    fn option_params(&self) -> String {
        let mut s = String::from("limits: *const wire_limits, ");
        for opt in &self.s.options {
            write!(s, "{}: {}, ", ident(opt.name), self.option_t(opt.name)).unwrap();
        }
        s
    }

    /// The codec of `limits` and the option arguments.
    fn codec_fn(&self, o: &mut String) {
        writeln!(
            o,
            "\n/// The {p} codec with `limits` (NULL: defaults) and the options by index.\nfn {p}_codec({}) -> Res<AnyCodec> {{\n    let {}codec = codec_for(P, limits)?;",
            self.option_params().trim_end_matches(", "),
            if self.s.options.is_empty() { "" } else { "mut " },
            p = self.p
        )
        .unwrap();
        for opt in &self.s.options {
            // A fresh codec has the default already: only other values go through set_option.
            let default = opt
                .values
                .iter()
                .position(|v| *v == opt.default)
                .expect("an option's default is one of its values");
            writeln!(
                o,
                "    if {id} != {default} {{\n        set_option(&mut codec, \"{}\", &{:?}, {id}, \"{}\")?;\n    }}",
                opt.name,
                opt.values,
                self.option_t(opt.name),
                id = ident(opt.name),
            )
            .unwrap();
        }
        o.push_str("    Ok(codec)\n}\n");
    }

    fn option_args(&self) -> String {
        let mut s = String::from("limits, ");
        for opt in &self.s.options {
            write!(s, "{}, ", ident(opt.name)).unwrap();
        }
        s.trim_end_matches(", ").to_owned()
    }

    fn enums(&self, o: &mut String) {
        let mut seen = BTreeSet::new();
        for t in &self.s.types {
            let Kind::Enum { repr, values, .. } = &t.kind else {
                continue;
            };
            let repr = scalar(repr).unwrap();
            let ct = self.ctype(t.name);
            writeln!(
                o,
                "\n/// `{}` (`WIRE_{}_*`): {}\npub type {ct} = {repr};",
                t.name,
                self.p.to_uppercase(),
                first_line(&t.doc)
            )
            .unwrap();
            for v in values {
                let k = format!("WIRE_{}_{}", self.p.to_uppercase(), upper(v.name));
                assert!(seen.insert(k.clone()), "{k} twice");
                writeln!(
                    o,
                    "/// `{}.{}`.\npub const {k}: {ct} = {};",
                    t.name, v.name, v.value
                )
                .unwrap();
            }
            writeln!(
                o,
                "\n/// The name of a `{ct}` value (`\"{}\"`, ...); NULL for an unnamed value. Static.\n#[no_mangle]\npub extern \"C\" fn {ct}_name(value: {repr}) -> *const c_char {{\n    ffi_value(std::ptr::null(), || {{\n    let name: &'static std::ffi::CStr = match value {{",
                values.first().map_or("", |v| v.name)
            )
            .unwrap();
            for v in values {
                writeln!(o, "        {} => c\"{}\",", v.value, v.name).unwrap();
            }
            o.push_str(
                "        _ => return std::ptr::null(),\n    };\n    name.as_ptr()\n    })\n}\n",
            );
        }
    }

    fn numbers(&self, o: &mut String) {
        if self.numbered.is_empty() {
            return;
        }
        let tt = self.type_t();
        writeln!(
            o,
            "\n/// A {p} record type number (`WIRE_{}_TYPE_*`): what a `const void *` of a union points at.\npub type {tt} = u32;",
            self.p.to_uppercase(),
            p = self.p
        )
        .unwrap();
        for (i, t) in self.numbered.iter().enumerate() {
            writeln!(
                o,
                "/// `{}` (`{}`).\npub const {}: {tt} = {};",
                t.name,
                self.ctype(t.name),
                self.type_konst(t.name),
                i + 1
            )
            .unwrap();
        }
        writeln!(
            o,
            "\n/// The type name of a `{tt}` (`\"{}\"`, ...); NULL for another number. Static.\n#[no_mangle]\npub extern \"C\" fn {tt}_name(r#type: {tt}) -> *const c_char {{\n    ffi_value(std::ptr::null(), || {{\n    let name: &'static std::ffi::CStr = match r#type {{",
            self.numbered[0].name
        )
        .unwrap();
        for t in &self.numbered {
            writeln!(o, "        {} => c\"{}\",", self.type_konst(t.name), t.name).unwrap();
        }
        o.push_str("        _ => return std::ptr::null(),\n    };\n    name.as_ptr()\n    })\n}\n");
        writeln!(
            o,
            "\n/// The type number of the record named `name` (NUL-terminated); `WIRE_INVALID_ARGUMENT` if none.\n#[no_mangle]\npub extern \"C\" fn {tt}_from_name(name: *const c_char, r#type: *mut {tt}) -> wire_status {{\n    ffi_fn!({{\n        // SAFETY: the caller gives a NUL-terminated string and a writable out-pointer.\n        let name = unsafe {{ crate::cstr_arg(name, \"name\")? }};\n        let t = unsafe {{ out(r#type, \"type\")? }};\n        *t = match name {{",
        )
        .unwrap();
        for t in &self.numbered {
            writeln!(
                o,
                "            \"{}\" => {},",
                t.name,
                self.type_konst(t.name)
            )
            .unwrap();
        }
        writeln!(
            o,
            "            _ => return Err(Fail::invalid(P, format!(\"no {p} type named {{name:?}}\"))),\n        }};\n        Ok(())\n    }})\n}}",
            p = self.p
        )
        .unwrap();
    }

    /// The C fields of one schema field: `(name, C type, doc)`.
    fn c_fields(&self, f: &Field) -> Vec<(String, String, String)> {
        let n = f.name.to_owned();
        let doc = first_line(&f.doc);
        let one = |t: String| vec![(n.clone(), t, doc.clone())];
        match &f.ty {
            Ty::Option(inner) => match &**inner {
                Ty::Ref(r) => match self.class(r) {
                    Class::Record(_) | Class::Flat(_) => one(format!("*const {}", self.ctype(r)))
                        .into_iter()
                        .map(|(n, t, d)| (n, t, format!("{d} (NULL: absent)")))
                        .collect(),
                    Class::Wrapper(vs) => vs
                        .iter()
                        .map(|v| {
                            (
                                snake(v.name),
                                format!("*const {}", self.ctype(v.wraps.unwrap())),
                                format!("`{}` is a `{}` (NULL: it is not).", f.name, v.name),
                            )
                        })
                        .collect(),
                    Class::Enum { .. } => self.optional(f, &self.ctype(r)),
                },
                other => self.optional(f, &self.elem(other)),
            },
            Ty::List(inner) => vec![
                (n.clone(), format!("*const {}", self.elem(inner)), doc),
                (
                    format!("{n}_len"),
                    "usize".into(),
                    format!("Number of `{n}`."),
                ),
            ],
            Ty::Map(..) => vec![
                (
                    n.clone(),
                    format!("*const {}", self.map_entry(f)),
                    format!("{doc} (decoded: in key order)"),
                ),
                (
                    format!("{n}_len"),
                    "usize".into(),
                    format!("Number of `{n}` entries."),
                ),
            ],
            Ty::Ref(r) => {
                if let Class::Wrapper(_) = self.class(r) {
                    panic!("{}: a union of records as a plain field", f.name)
                }
                one(self.ctype(r))
            }
            other => one(self.elem(other)),
        }
    }

    /// The entry struct of a map field: `wire_<p>_map_entry` for maps of text to bytes or
    /// text, else `wire_<p>_<field>_entry`.
    fn map_entry(&self, f: &Field) -> String {
        let Ty::Map(k, v) = &f.ty else {
            panic!("{}: not a map", f.name)
        };
        if self.elem(k) == "wire_slice" && self.elem(v) == "wire_slice" {
            format!("wire_{}_map_entry", self.p)
        } else {
            format!("wire_{}_{}_entry", self.p, f.name)
        }
    }

    fn optional(&self, f: &Field, t: &str) -> Vec<(String, String, String)> {
        vec![
            (
                format!("has_{}", f.name),
                "bool".into(),
                format!("Whether `{}` is set.", f.name),
            ),
            (
                f.name.to_owned(),
                t.to_owned(),
                format!("{} (when `has_{}`).", first_line(&f.doc), f.name),
            ),
        ]
    }

    /// The C type of a value (list element, scalar, slice, struct).
    fn elem(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bytes | Ty::Text | Ty::Json => "wire_slice".into(),
            Ty::SocketAddr => "wire_socket_addr".into(),
            Ty::Ref(r) => self.ctype(r),
            other => scalar(other)
                .unwrap_or_else(|| panic!("{other:?} inside a list or option"))
                .into(),
        }
    }

    fn structs(&self, o: &mut String) {
        let mut entries = BTreeSet::new();
        for f in self.s.types.iter().flat_map(|t| fields_of(&t.kind)) {
            let Ty::Map(k, v) = &f.ty else { continue };
            let entry = self.map_entry(f);
            if !entries.insert(entry.clone()) {
                continue;
            }
            writeln!(
                o,
                "\n/// One entry of a {p} map.\n#[repr(C)]\n#[derive(Debug, Clone, Copy)]\npub struct {entry} {{\n    /// The key.\n    pub key: {},\n    /// The value.\n    pub value: {},\n}}",
                self.elem(k),
                self.elem(v),
                p = self.p
            )
            .unwrap();
        }
        for t in &self.s.types {
            let fields: Vec<(String, String, String)> = match self.class(t.name) {
                Class::Record(fs) => fs.iter().flat_map(|f| self.c_fields(f)).collect(),
                Class::Flat(vs) => {
                    let (fallback, ty) = self.discriminant(vs);
                    let mut out = vec![(
                        "type".to_owned(),
                        ty.to_owned(),
                        format!(
                            "The variant: `WIRE_{}_*`{}.",
                            self.p.to_uppercase(),
                            if fallback.is_some() {
                                ", or the number of an unknown one"
                            } else {
                                ""
                            }
                        ),
                    )];
                    for v in vs {
                        for f in v.fields.iter().filter(|f| f.name != "type") {
                            let cf = self.c_fields(f);
                            for (n, ty, d) in cf {
                                match out.iter_mut().find(|(m, _, _)| *m == n) {
                                    Some((_, t2, d2)) => {
                                        assert_eq!(*t2, ty, "{}.{n}: two types", t.name);
                                        if !d2.contains(v.name) {
                                            write!(d2, " `{}`.", v.name).unwrap();
                                        }
                                    }
                                    None => out.push((n, ty, format!("{d} `{}`.", v.name))),
                                }
                            }
                        }
                    }
                    out
                }
                _ => continue,
            };
            writeln!(
                o,
                "\n/// `{}`: {}\n#[repr(C)]\n#[derive(Debug, Clone, Copy)]\npub struct {} {{",
                t.name,
                first_line(&t.doc),
                self.ctype(t.name)
            )
            .unwrap();
            for (n, ty, d) in fields {
                writeln!(o, "    /// {d}\n    pub {}: {ty},", ident(&n)).unwrap();
            }
            o.push_str("}\n");
        }
    }

    /// Rust expression of the C view of a value `x` (a reference) of type `ty`.
    fn view_expr(&self, ty: &Ty, x: &str) -> String {
        match ty {
            Ty::Bytes => format!("cx.view({x})"),
            Ty::Text => format!("cx.view(({x}).as_bytes())"),
            Ty::SocketAddr => format!("crate::addr_view({x})"),
            Ty::Json => format!("cx.text({x}.to_string())"),
            Ty::Ref(r) => match self.class(r) {
                Class::Enum { raw: true, .. } => format!("*{x}"),
                Class::Enum { repr, .. } => {
                    format!("wire_core::schema::EnumCode::code(*{x}) as {repr}")
                }
                Class::Record(_) | Class::Flat(_) => format!("view_{}({x}, cx)", snake(r)),
                Class::Wrapper(_) => unreachable!(),
            },
            other => {
                scalar(other).expect("a value");
                format!("*{x}")
            }
        }
    }

    /// Statements binding `<field>` (and `<field>_len`, ...) locals, then the struct fields.
    fn view_field(&self, f: &Field, src: &str, lets: &mut String, fields: &mut String) {
        let n = f.name;
        let id = ident(n);
        match &f.ty {
            Ty::Option(inner) => match &**inner {
                Ty::Ref(r) if matches!(self.class(r), Class::Wrapper(_)) => {
                    let Class::Wrapper(vs) = self.class(r) else {
                        unreachable!()
                    };
                    for v in vs {
                        let vn = snake(v.name);
                        writeln!(
                            lets,
                            "    let {vn} = match {src} {{\n        Some({}::{}(x)) => {{\n            let v = view_{}(x, cx);\n            cx.arena.one(v)\n        }}\n        _ => std::ptr::null(),\n    }};",
                            self.rust(r),
                            v.rust,
                            snake(v.wraps.unwrap())
                        )
                        .unwrap();
                        writeln!(fields, "        {},", ident(&vn)).unwrap();
                    }
                }
                Ty::Ref(r) if matches!(self.class(r), Class::Record(_) | Class::Flat(_)) => {
                    writeln!(
                        lets,
                        "    let f_{n} = match {src} {{\n        Some(x) => {{\n            let v = view_{}(x, cx);\n            cx.arena.one(v)\n        }}\n        None => std::ptr::null(),\n    }};",
                        snake(r)
                    )
                    .unwrap();
                    writeln!(fields, "        {id}: f_{n},").unwrap();
                }
                other => {
                    writeln!(
                        lets,
                        "    let (has_{n}, f_{n}) = match {src} {{\n        Some(x) => (true, {}),\n        None => (false, unsafe {{ std::mem::zeroed() }}),\n    }};",
                        self.view_expr(other, "x")
                    )
                    .unwrap();
                    writeln!(fields, "        has_{n},\n        {id}: f_{n},").unwrap();
                }
            },
            Ty::List(inner) => {
                writeln!(
                    lets,
                    "    let items: Vec<_> = ({src}).iter().map(|x| {}).collect();\n    let (f_{n}, {n}_len) = cx.arena.slice(items);",
                    self.view_expr(inner, "x")
                )
                .unwrap();
                writeln!(fields, "        {id}: f_{n},\n        {n}_len,").unwrap();
            }
            Ty::Map(k, v) => {
                writeln!(
                    lets,
                    "    let items: Vec<_> = ({src}).iter().map(|(k, v)| {} {{ key: {}, value: {} }}).collect();\n    let (f_{n}, {n}_len) = cx.arena.slice(items);",
                    self.map_entry(f),
                    self.view_expr(k, "k"),
                    self.view_expr(v, "v")
                )
                .unwrap();
                writeln!(fields, "        {id}: f_{n},\n        {n}_len,").unwrap();
            }
            other => {
                writeln!(fields, "        {id}: {},", self.view_expr(other, src)).unwrap();
            }
        }
    }

    fn views(&self, o: &mut String) {
        for t in &self.s.types {
            let rust = self.rust(t.name);
            let sn = snake(t.name);
            match self.class(t.name) {
                Class::Record(fs) => {
                    let (mut lets, mut fields) = (String::new(), String::new());
                    for f in fs {
                        self.view_field(f, &format!("&m.{}", f.rust), &mut lets, &mut fields);
                    }
                    writeln!(
                        o,
                        "\npub(crate) fn view_{sn}(m: &{rust}, cx: &mut Ctx) -> {} {{\n{lets}    {} {{\n{fields}    }}\n}}",
                        self.ctype(t.name),
                        self.ctype(t.name)
                    )
                    .unwrap();
                }
                Class::Flat(vs) => {
                    let (fallback, _) = self.discriminant(vs);
                    writeln!(
                        o,
                        "\npub(crate) fn view_{sn}(m: &{rust}, cx: &mut Ctx) -> {} {{\n    match m {{",
                        self.ctype(t.name)
                    )
                    .unwrap();
                    for v in vs {
                        let binds: Vec<String> =
                            v.fields.iter().map(|f| f.rust.to_owned()).collect();
                        let (mut lets, mut fields) = (String::new(), String::new());
                        if !fallback.is_some_and(|f| std::ptr::eq(v, f)) {
                            writeln!(
                                fields,
                                "        r#type: {},",
                                self.variant_konst(v).unwrap()
                            )
                            .unwrap();
                        }
                        for f in &v.fields {
                            self.view_field(f, f.rust, &mut lets, &mut fields);
                        }
                        writeln!(
                            o,
                            "        {rust}::{} {{ {} }} => {{\n{lets}    {} {{\n{fields}        ..unsafe {{ std::mem::zeroed() }}\n    }}\n        }}",
                            v.rust,
                            binds.join(", "),
                            self.ctype(t.name)
                        )
                        .unwrap();
                    }
                    o.push_str("    }\n}\n");
                }
                Class::Wrapper(vs) => {
                    writeln!(
                        o,
                        "\n/// The type number and C view of a `{}`.\npub(crate) fn view_{sn}(m: &{rust}, cx: &mut Ctx) -> ({}, *const c_void) {{\n    match m {{",
                        t.name,
                        self.type_t()
                    )
                    .unwrap();
                    for v in vs {
                        let w = v.wraps.unwrap();
                        writeln!(
                            o,
                            "        {rust}::{}(x) => {{\n            let v = view_{}(x, cx);\n            ({}, cx.arena.one(v).cast())\n        }}",
                            v.rust,
                            snake(w),
                            self.type_konst(w)
                        )
                        .unwrap();
                    }
                    o.push_str("    }\n}\n");
                }
                Class::Enum { .. } => {}
            }
        }
    }

    /// Rust expression of the core value of a C value `x` (a reference) of type `ty`.
    fn arg_expr(&self, ty: &Ty, x: &str, what: &str) -> String {
        match ty {
            Ty::Bytes => format!("l.slice({x}, \"{what}\")?"),
            Ty::Text => format!("str_arg(P, {x}, \"{what}\")?"),
            Ty::SocketAddr => format!("crate::addr_arg(P, {x}, \"{what}\")?"),
            Ty::Json => format!("json_arg(P, {x}, \"{what}\")?"),
            Ty::Ref(r) => match self.class(r) {
                Class::Enum { raw: true, .. } => format!("*{x}"),
                Class::Enum { .. } => format!(
                    "<{} as wire_core::schema::EnumCode>::from_code(i64::from(*{x})).ok_or_else(|| Fail::invalid(P, format!(\"{what} {{}} is not a {r}\", *{x})))?",
                    self.rust(r)
                ),
                Class::Record(_) | Class::Flat(_) => format!("arg_{}({x}, l)?", snake(r)),
                Class::Wrapper(_) => unreachable!(),
            },
            _ => format!("*{x}"),
        }
    }

    /// Statements binding `f_<field>` from the C struct `c`.
    fn arg_field(&self, owner: &str, f: &Field, out: &mut String) {
        let n = f.name;
        let id = ident(n);
        let what = format!("{owner}.{n}");
        match &f.ty {
            Ty::Option(inner) => match &**inner {
                Ty::Ref(r) if matches!(self.class(r), Class::Wrapper(_)) => {
                    let Class::Wrapper(vs) = self.class(r) else {
                        unreachable!()
                    };
                    writeln!(out, "    let mut f_{n} = None;").unwrap();
                    for v in vs {
                        writeln!(
                            out,
                            "    if let Some(x) = c.{}.as_ref() {{\n        if f_{n}.is_some() {{\n            return Err(Fail::invalid(P, \"{what}: more than one member set\"));\n        }}\n        f_{n} = Some({}::{}(arg_{}(x, l)?));\n    }}",
                            ident(&snake(v.name)),
                            self.rust(r),
                            v.rust,
                            snake(v.wraps.unwrap()),
                        )
                        .unwrap();
                    }
                }
                Ty::Ref(r) if matches!(self.class(r), Class::Record(_) | Class::Flat(_)) => {
                    writeln!(
                        out,
                        "    let f_{n} = match c.{id}.as_ref() {{\n        Some(x) => Some(arg_{}(x, l)?),\n        None => None,\n    }};",
                        snake(r)
                    )
                    .unwrap();
                }
                other => writeln!(
                    out,
                    "    let f_{n} = if c.has_{n} {{ Some({}) }} else {{ None }};",
                    self.arg_expr(other, &format!("&c.{id}"), &what)
                )
                .unwrap(),
            },
            Ty::List(inner) => writeln!(
                out,
                "    let f_{n} = array_arg(c.{id}, c.{n}_len, \"{what}\")?\n        .iter()\n        .map(|x| Ok({}))\n        .collect::<Res<_>>()?;",
                self.arg_expr(inner, "x", &what)
            )
            .unwrap(),
            Ty::Map(k, v) => writeln!(
                out,
                "    let f_{n} = array_arg(c.{id}, c.{n}_len, \"{what}\")?\n        .iter()\n        .map(|e| Ok(({}, {})))\n        .collect::<Res<_>>()?;",
                self.arg_expr(k, "&e.key", &what),
                self.arg_expr(v, "&e.value", &what)
            )
            .unwrap(),
            other => writeln!(
                out,
                "    let f_{n} = {};",
                self.arg_expr(other, &format!("&c.{id}"), &what)
            )
            .unwrap(),
        }
    }

    fn args(&self, o: &mut String) {
        for t in &self.s.types {
            let rust = self.rust(t.name);
            let sn = snake(t.name);
            match self.class(t.name) {
                Class::Record(fs) => {
                    let mut body = String::new();
                    for f in fs {
                        self.arg_field(t.name, f, &mut body);
                    }
                    let inits: Vec<String> = fs
                        .iter()
                        .map(|f| format!("{}: f_{}", f.rust, f.name))
                        .collect();
                    writeln!(
                        o,
                        "\npub(crate) unsafe fn arg_{sn}(c: &{}, l: &impl ByteSource) -> Res<{rust}> {{\n{body}    Ok({rust} {{ {} }})\n}}",
                        self.ctype(t.name),
                        inits.join(", ")
                    )
                    .unwrap();
                }
                Class::Flat(vs) => {
                    let (fallback, _) = self.discriminant(vs);
                    writeln!(
                        o,
                        "\npub(crate) unsafe fn arg_{sn}(c: &{}, l: &impl ByteSource) -> Res<{rust}> {{\n    Ok(match c.r#type {{",
                        self.ctype(t.name)
                    )
                    .unwrap();
                    for v in vs {
                        let mut body = String::new();
                        for f in v.fields.iter().filter(|f| f.name != "type") {
                            self.arg_field(v.name, f, &mut body);
                        }
                        let inits: Vec<String> = v
                            .fields
                            .iter()
                            .map(|f| {
                                if f.name == "type" {
                                    format!("{}: c.r#type", f.rust)
                                } else {
                                    format!("{}: f_{}", f.rust, f.name)
                                }
                            })
                            .collect();
                        let pat = if fallback.is_some_and(|f| std::ptr::eq(v, f)) {
                            "_".to_owned()
                        } else {
                            self.variant_konst(v).unwrap()
                        };
                        writeln!(
                            o,
                            "        {pat} => {{\n{body}    {rust}::{} {{ {} }}\n        }}",
                            v.rust,
                            inits.join(", ")
                        )
                        .unwrap();
                    }
                    if fallback.is_none() {
                        writeln!(
                            o,
                            "        n => return Err(Fail::invalid(P, format!(\"{}.type {{n}} is not a {} type\"))),",
                            t.name, t.name
                        )
                        .unwrap();
                    }
                    o.push_str("    })\n}\n");
                }
                Class::Wrapper(vs) => {
                    writeln!(
                        o,
                        "\n/// The `{}` of type number `t` at `x` (a struct of that type).\npub(crate) unsafe fn arg_{sn}(t: {}, x: *const c_void, l: &impl ByteSource) -> Res<{rust}> {{\n    if x.is_null() {{\n        return Err(Fail::null(\"{sn}\"));\n    }}\n    Ok(match t {{",
                        t.name,
                        self.type_t()
                    )
                    .unwrap();
                    for v in vs {
                        let w = v.wraps.unwrap();
                        writeln!(
                            o,
                            "        {} => {rust}::{}(arg_{}(&*x.cast::<{}>(), l)?),",
                            self.type_konst(w),
                            v.rust,
                            snake(w),
                            self.ctype(w)
                        )
                        .unwrap();
                    }
                    writeln!(
                        o,
                        "        t => return Err(Fail::invalid(P, format!(\"{{t}} is not a {} type number\"))),\n    }})\n}}",
                        t.name
                    )
                    .unwrap();
                }
                Class::Enum { .. } => {}
            }
        }
    }

    fn standard(&self, o: &mut String) {
        let p = self.p;
        let frame = self.s.frame;
        let ct = self.ctype(frame);
        let params = self.option_params();
        let args = self.option_args();
        let v = &self.v;
        self.codec_fn(o);
        writeln!(
            o,
            "
/// Decode exactly one {p} frame (`limits` NULL: defaults). `*frame` is a new handle (NULL on
/// failure); read it with `wire_frame_{p}`.
#[no_mangle]
pub extern \"C\" fn wire_{p}_decode(buf: *const u8, len: usize, {params}frame: *mut *mut wire_frame) -> wire_status {{
    ffi_fn!({{
        // SAFETY: the caller gives `len` readable bytes at `buf`.
        let input = unsafe {{ bytes_arg(buf, len, \"buf\")? }};
        decode_into({p}_codec({args})?, input, frame)
    }})
}}

/// The {p} frame of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern \"C\" fn wire_frame_{p}(frame: *const wire_frame) -> *const {ct} {{
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || match unsafe {{ frame.as_ref() }}.map(wire_frame::view) {{
        Some(View::{v}Frame(f)) => f,
        _ => std::ptr::null(),
    }})
}}

/// Exact encoded size of `frame` (`limits` NULL: defaults).
#[no_mangle]
pub extern \"C\" fn wire_{p}_encoded_len(frame: *const {ct}, {params}len: *mut usize) -> wire_status {{
    ffi_fn!({{
        let AnyCodec::{v}(codec) = {p}_codec({args})? else {{ unreachable!(\"the {p} codec\") }};
        lend(|l| {{
            // SAFETY: the caller gives a filled struct and a writable out-pointer.
            let f = unsafe {{ arg_{sf}(arg(frame, \"frame\")?, l)? }};
            *unsafe {{ out(len, \"len\")? }} = codec.encoded_len(&f)?;
            Ok(())
        }})
    }})
}}

/// Encode `frame` into `out` (`cap` bytes). `*out_len` is always set to the encoded size;
/// `WIRE_BUFFER_TOO_SMALL` when `cap` is under it (nothing written).
#[no_mangle]
pub extern \"C\" fn wire_{p}_encode(frame: *const {ct}, {params}out: *mut u8, cap: usize, out_len: *mut usize) -> wire_status {{
    ffi_fn!({{
        let AnyCodec::{v}(mut codec) = {p}_codec({args})? else {{ unreachable!(\"the {p} codec\") }};
        lend(|l| {{
            // SAFETY: the caller gives a filled struct, `cap` writable bytes and `out_len`.
            let f = unsafe {{ arg_{sf}(arg(frame, \"frame\")?, l)? }};
            unsafe {{ encode_out(&mut codec, &f, l.range(), out, cap, out_len) }}
        }})
    }})
}}",
            sf = snake(frame)
        )
        .unwrap();
    }

    /// One schema operation as `wire_<p>_<op>`.
    fn operation(&self, op: &Operation, o: &mut String) {
        let p = self.p;
        let handle = op.returns.iter().any(|r| matches!(r.ty, Ty::Ref(_)));
        assert!(
            !op.optional || handle,
            "{}: optional results need a handle",
            op.name
        );
        let mut params = Vec::new();
        let mut pre = String::new();
        let mut call = Vec::new();
        if op.options {
            params.push(self.option_params().trim_end_matches(", ").to_owned());
            writeln!(
                pre,
                "        let codec = {p}_codec({})?;",
                self.option_args()
            )
            .unwrap();
            writeln!(
                pre,
                "        let AnyCodec::{}(codec) = &codec else {{ unreachable!(\"the {p} codec\") }};",
                self.v
            )
            .unwrap();
            call.push("codec".to_owned());
        }
        let mut origin = None;
        for a in &op.args {
            let n = a.name;
            let id = ident(n);
            match &a.ty {
                Ty::Bytes => {
                    params.insert(
                        params.len() - usize::from(op.options),
                        format!("{id}: *const u8, {n}_len: usize"),
                    );
                    writeln!(
                        pre,
                        "        let {n}_in = unsafe {{ bytes_arg({id}, {n}_len, \"{n}\")? }};"
                    )
                    .unwrap();
                    if handle {
                        writeln!(
                            pre,
                            "        let {n}_bytes = Bytes::copy_from_slice({n}_in);"
                        )
                        .unwrap();
                        origin.get_or_insert(n);
                    } else {
                        writeln!(pre, "        let {n}_bytes = l.bytes({n}_in);").unwrap();
                    }
                    call.push(format!("&{n}_bytes"));
                }
                Ty::Text | Ty::Json => {
                    params.insert(
                        params.len() - usize::from(op.options),
                        format!("{id}: *const u8, {n}_len: usize"),
                    );
                    let s = format!("&wire_slice {{ ptr: {id}, len: {n}_len }}");
                    if a.ty == Ty::Text {
                        writeln!(
                            pre,
                            "        let {n}_v = unsafe {{ str_ref(P, {s}, \"{n}\")? }};"
                        )
                        .unwrap();
                        call.push(format!("{n}_v"));
                    } else {
                        writeln!(
                            pre,
                            "        let {n}_v = unsafe {{ json_arg(P, {s}, \"{n}\")? }};"
                        )
                        .unwrap();
                        call.push(format!("&{n}_v"));
                    }
                }
                Ty::Ref(r) => match self.class(r) {
                    Class::Record(_) | Class::Flat(_) => {
                        params.insert(
                            params.len() - usize::from(op.options),
                            format!("{id}: *const {}", self.ctype(r)),
                        );
                        let src = if handle { "&Copied" } else { "l" };
                        writeln!(
                            pre,
                            "        let {n}_v = unsafe {{ arg_{}(arg({id}, \"{n}\")?, {src})? }};",
                            snake(r)
                        )
                        .unwrap();
                        call.push(format!("&{n}_v"));
                    }
                    Class::Wrapper(_) => {
                        params.insert(
                            params.len() - usize::from(op.options),
                            format!("{n}_type: {}, {id}: *const c_void", self.type_t()),
                        );
                        let src = if handle { "&Copied" } else { "l" };
                        writeln!(
                            pre,
                            "        let {n}_v = unsafe {{ arg_{}({n}_type, {id}, {src})? }};",
                            snake(r)
                        )
                        .unwrap();
                        call.push(format!("&{n}_v"));
                    }
                    Class::Enum { .. } => {
                        params.insert(
                            params.len() - usize::from(op.options),
                            format!("{id}: {}", self.ctype(r)),
                        );
                        call.push(self.arg_expr(&a.ty, &format!("&{id}"), n));
                    }
                },
                other => {
                    let t = scalar(other).unwrap_or_else(|| panic!("{}: arg {other:?}", op.name));
                    params.insert(params.len() - usize::from(op.options), format!("{id}: {t}"));
                    call.push(id);
                }
            }
        }
        // Results.
        let names: Vec<String> = op
            .returns
            .iter()
            .map(|r| {
                if op.args.iter().any(|a| a.name == r.name) {
                    format!("{}_out", r.name)
                } else {
                    r.name.to_owned()
                }
            })
            .collect();
        let single_buffer =
            op.returns.len() == 1 && matches!(op.returns[0].ty, Ty::Bytes | Ty::Text | Ty::Json);
        let mut outs = String::new();
        let mut post = String::new();
        // Text copied out last: a too-small buffer still leaves every other result set.
        let mut post_text = String::new();
        let mut doc_results = Vec::new();
        for (i, (r, n)) in op.returns.iter().zip(&names).enumerate() {
            let id = ident(n);
            let val = if op.returns.len() == 1 {
                "r".to_owned()
            } else {
                format!("r.{i}")
            };
            match &r.ty {
                Ty::Bytes if single_buffer => {
                    params.push("out: *mut u8, cap: usize, out_len: *mut usize".into());
                    writeln!(
                        post,
                        "        unsafe {{ write_out(&{val}, out, cap, out_len)? }};"
                    )
                    .unwrap();
                    doc_results.push("the bytes to `out` (`*out_len` is always the size; `WIRE_BUFFER_TOO_SMALL` when `cap` is under it)".to_owned());
                }
                Ty::Text | Ty::Json if single_buffer => {
                    params.push("out: *mut c_char, cap: usize, needed: *mut usize".into());
                    writeln!(
                        post,
                        "        unsafe {{ write_text(&{val}.to_string(), out, cap, needed)? }};"
                    )
                    .unwrap();
                    doc_results.push(
                        "the text and a NUL to `out` (`*needed` is always its length)".to_owned(),
                    );
                }
                Ty::Text => {
                    params.push(format!(
                        "{id}: *mut c_char, {n}_cap: usize, {n}_needed: *mut usize"
                    ));
                    writeln!(
                        post_text,
                        "        unsafe {{ write_text(&{val}, {id}, {n}_cap, {n}_needed)? }};"
                    )
                    .unwrap();
                    doc_results.push(format!(
                        "the `{n}` text and a NUL to `{n}` (`*{n}_needed` is always its length; written last)"
                    ));
                }
                Ty::Bytes => {
                    params.push(format!("{id}: *mut wire_slice"));
                    writeln!(
                        outs,
                        "        let {n}_o = unsafe {{ out({id}, \"{n}\")? }};"
                    )
                    .unwrap();
                    writeln!(post, "        *{n}_o = lent_view(l, &{val})?;").unwrap();
                    doc_results.push(format!("`*{n}` (a view into the arguments)"));
                }
                Ty::Ref(t) => {
                    params.push(format!("{id}: *mut *mut wire_frame"));
                    writeln!(outs, "        let {n}_o = unsafe {{ out({id}, \"{n}\")? }};\n        *{n}_o = std::ptr::null_mut();").unwrap();
                    let o_arg =
                        origin.map_or("None".to_owned(), |a| format!("Some((&{a}_bytes, {a}_in))"));
                    // A frame is held as the codec decodes it: read like one, JSON included.
                    let (held, getter) = if *t == self.s.frame {
                        let codec = if op.options {
                            format!("AnyCodec::{}(codec.clone())", self.v)
                        } else {
                            "AnyCodec::new(P)".to_owned()
                        };
                        (
                            format!("Held::Frame(AnyFrame::{}({val}), {codec})", self.v),
                            format!("wire_frame_{p}"),
                        )
                    } else {
                        (
                            format!(
                                "Held::Value(Box::new(Value::{}{}({val})))",
                                self.v,
                                camel(&snake(t))
                            ),
                            format!("wire_frame_{p}_{}", snake(t)),
                        )
                    };
                    writeln!(post, "        hand_out({held}, {o_arg}, {n}_o);").unwrap();
                    doc_results.push(format!("`*{n}` a new handle (read it with `{getter}`)"));
                }
                other => {
                    let t =
                        scalar(other).unwrap_or_else(|| panic!("{}: result {other:?}", op.name));
                    params.push(format!("{id}: *mut {t}"));
                    writeln!(
                        outs,
                        "        let {n}_o = unsafe {{ out({id}, \"{n}\")? }};"
                    )
                    .unwrap();
                    writeln!(post, "        *{n}_o = {val};").unwrap();
                    doc_results.push(format!("`*{n}`"));
                }
            }
        }
        let result = if op.optional {
            format!(
                "        let Some(r) = wire_core::{p}::ops::{}({})? else {{\n            return Ok(());\n        }};\n",
                op.name,
                call.join(", ")
            )
        } else {
            format!(
                "        let r = wire_core::{p}::ops::{}({})?;\n",
                op.name,
                call.join(", ")
            )
        };
        let absent = if op.optional {
            " `WIRE_OK` with NULL handles when there is none."
        } else {
            ""
        };
        let body = format!("{outs}{pre}{result}{post}{post_text}        Ok(())");
        let body = if handle {
            format!("        // SAFETY: the caller gives the arguments' memory and writable out-pointers.\n{body}\n")
        } else {
            format!(
                "        lend(|l| {{\n        // SAFETY: the caller gives the arguments' memory and writable out-pointers.\n{body}\n        }})\n"
            )
        };
        writeln!(
            o,
            "\n/// {}\n///\n/// Gives {}.{absent}\n#[no_mangle]\npub extern \"C\" fn wire_{p}_{}({}) -> wire_status {{\n    ffi_fn!({{\n{body}    }})\n}}",
            op.doc.replace('\n', "\n/// "),
            doc_results.join(", "),
            op.name,
            params.join(", ")
        )
        .unwrap();
    }
}

/// The fields of a record or of every variant of a union.
fn fields_of(kind: &Kind) -> Vec<&Field> {
    match kind {
        Kind::Record { fields } => fields.iter().collect(),
        Kind::Union { variants } => variants.iter().flat_map(|v| &v.fields).collect(),
        Kind::Enum { .. } => Vec::new(),
    }
}

fn first_line(doc: &str) -> String {
    let line = doc.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        "(undocumented)".to_owned()
    } else {
        line.to_owned()
    }
}

/// What a handle can hold besides a frame (the values operations return), its view, and the
/// getters of both.
fn handles(schema: &[ProtocolSchema], o: &mut String) {
    let mut values = Vec::new();
    for s in schema {
        let mut seen = BTreeSet::new();
        for op in &s.operations {
            for r in &op.returns {
                if let Ty::Ref(t) = &r.ty {
                    if *t != s.frame && seen.insert(*t) {
                        values.push((Proto::new(s), *t));
                    }
                }
            }
        }
    }
    o.push_str("\n// ---- handles ----\n\n/// A value an operation returned, owned by a handle.\npub(crate) enum Value {\n");
    for (g, t) in &values {
        writeln!(o, "    {}{}({}),", g.v, camel(&snake(t)), g.rust(t)).unwrap();
    }
    o.push_str(
        "}\n\n/// The C view of what a handle holds: a frame or a value.\npub(crate) enum View {\n",
    );
    for s in schema {
        let g = Proto::new(s);
        writeln!(o, "    {}Frame({}),", g.v, g.ctype(s.frame)).unwrap();
    }
    for (g, t) in &values {
        match g.class(t) {
            Class::Wrapper(_) => writeln!(
                o,
                "    {}{}({}, *const c_void),",
                g.v,
                camel(&snake(t)),
                g.type_t()
            )
            .unwrap(),
            _ => writeln!(o, "    {}{}({}),", g.v, camel(&snake(t)), g.ctype(t)).unwrap(),
        }
    }
    o.push_str("}\n\n/// The view of a frame.\npub(crate) fn frame_view(f: &AnyFrame, cx: &mut Ctx) -> View {\n    match f {\n");
    for s in schema {
        let g = Proto::new(s);
        writeln!(
            o,
            "        AnyFrame::{v}(m) => View::{v}Frame({}::view_{}(m, cx)),",
            g.p,
            snake(s.frame),
            v = g.v
        )
        .unwrap();
    }
    o.push_str("    }\n}\n\nimpl Value {\n    pub(crate) fn view(&self, cx: &mut Ctx) -> View {\n        match self {\n");
    for (g, t) in &values {
        let vn = format!("{}{}", g.v, camel(&snake(t)));
        match g.class(t) {
            Class::Wrapper(_) => writeln!(
                o,
                "            Value::{vn}(m) => {{\n                let (t, p) = {}::view_{}(m, cx);\n                View::{vn}(t, p)\n            }}",
                g.p,
                snake(t)
            )
            .unwrap(),
            _ => writeln!(
                o,
                "            Value::{vn}(m) => View::{vn}({}::view_{}(m, cx)),",
                g.p,
                snake(t)
            )
            .unwrap(),
        }
    }
    o.push_str("        }\n    }\n\n    pub(crate) fn protocol(&self) -> Protocol {\n        match self {\n");
    for (g, t) in &values {
        writeln!(
            o,
            "            Value::{}{}(_) => Protocol::{},",
            g.v,
            camel(&snake(t)),
            g.v
        )
        .unwrap();
    }
    o.push_str("        }\n    }\n\n    /// The canonical JSON, through the protocol's `<value>_to_json` operation; `None` when it has none.\n    pub(crate) fn to_json(&self) -> Option<wire_core::Result<serde_json::Value>> {\n        Some(match self {\n");
    for (g, t) in &values {
        let to_json = g.s.operations.iter().find(|op| {
            op.args.len() == 1
                && op.args[0].ty == Ty::Ref(t)
                && op.returns.len() == 1
                && op.returns[0].ty == Ty::Json
        });
        if let Some(op) = to_json {
            writeln!(
                o,
                "            Value::{}{}(m) => wire_core::{}::ops::{}(m),",
                g.v,
                camel(&snake(t)),
                g.p,
                op.name
            )
            .unwrap();
        }
    }
    o.push_str("            #[allow(unreachable_patterns)]\n            _ => return None,\n        })\n    }\n}\n");
    for (g, t) in &values {
        let vn = format!("{}{}", g.v, camel(&snake(t)));
        let getter = format!("wire_frame_{}_{}", g.p, snake(t));
        match g.class(t) {
            Class::Wrapper(_) => writeln!(
                o,
                "
/// The `{t}` of a handle, to be cast to the struct of `*type` (`{}_name` names it); NULL when
/// the handle holds something else.
#[no_mangle]
pub extern \"C\" fn {getter}(frame: *const wire_frame, r#type: *mut {tt}) -> *const c_void {{
    ffi_value(std::ptr::null(), || {{
        // SAFETY: the caller gives NULL or a live handle, and NULL or a writable `type`.
        match unsafe {{ frame.as_ref() }}.map(wire_frame::view) {{
            Some(View::{vn}(t, p)) => {{
                if let Some(out) = unsafe {{ r#type.as_mut() }} {{
                    *out = *t;
                }}
                *p
            }}
            _ => std::ptr::null(),
        }}
    }})
}}",
                g.type_t(),
                tt = g.type_t()
            )
            .unwrap(),
            _ => writeln!(
                o,
                "
/// The `{t}` of a handle; NULL when the handle holds something else.
#[no_mangle]
pub extern \"C\" fn {getter}(frame: *const wire_frame) -> *const {ct} {{
    // SAFETY: the caller gives NULL or a live handle.
    ffi_value(std::ptr::null(), || match unsafe {{ frame.as_ref() }}.map(wire_frame::view) {{
        Some(View::{vn}(v)) => v,
        _ => std::ptr::null(),
    }})
}}",
                ct = g.ctype(t)
            )
            .unwrap(),
        }
    }
}
