//! The Python binding's type layer: the pyclasses, their conversions, operations, constants and
//! `register` functions (`bindings-python/src/generated.rs`), the stubs (`_wire.pyi`), the
//! enums (`_enums.py`) and the `wire.<protocol>` re-export modules.
//!
//! Names: a record is a class of its type name, a union of struct or unit variants is one class
//! per variant (the variant's name), a union of wrapper variants is the union of the wrapped
//! classes, an enum is an `IntEnum` of `wire._enums` (open ones: the member, else a plain int).
//! A record's fields may all be omitted (its Rust `Default` gives them); a variant's may not,
//! except optional ones. A record whose only plain field is another record R ("envelope", as
//! `Framed` of `Frame`) is accepted where R is, and R where it is (`From<R>`). A frame record
//! holding one union among other fields (chitchat's `ChitchatEnvelope { version, message }`) is
//! folded: it has no class, each variant's class carries the other fields too (optional, their
//! `Default` when omitted). A record used as a map key is hashable. An option with named values
//! is the enum type whose value names they are, else a `str` enum named after the option.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

use wire_core::schema::{
    ConstValue, Field, Kind, Operation, OptionDef, ProtocolSchema, Role, Ty, TypeDef, Variant,
};

use crate::{banner, Output};

/// Every file of the Python binding's type layer.
pub fn outputs(schema: &[ProtocolSchema]) -> Vec<Output> {
    let protocols: Vec<Proto<'_>> = schema.iter().map(Proto::new).collect();
    let mut out = vec![
        Output {
            path: PathBuf::from("bindings-python/src/generated.rs"),
            contents: rust(&protocols),
        },
        Output {
            path: PathBuf::from("bindings-python/python/wire/_wire.pyi"),
            contents: stubs(&protocols),
        },
        Output {
            path: PathBuf::from("bindings-python/python/wire/_enums.py"),
            contents: enums(&protocols),
        },
    ];
    for p in &protocols {
        out.push(Output {
            path: PathBuf::from(format!("bindings-python/python/wire/{}.py", p.name)),
            contents: module(p),
        });
    }
    out
}

/// One protocol's schema with the lookups the generator needs.
struct Proto<'a> {
    s: &'a ProtocolSchema,
    /// `dnode`.
    name: &'static str,
    /// `Dnode`.
    camel: String,
}

/// What a Python class stands for.
enum Class<'a> {
    /// A record type.
    Record(&'a TypeDef, &'a [Field]),
    /// A struct or unit variant of a union.
    Variant(&'a TypeDef, &'a Variant),
}

impl<'a> Class<'a> {
    fn name(&self) -> &'static str {
        match self {
            Class::Record(t, _) => t.name,
            Class::Variant(_, v) => v.name,
        }
    }
    fn fields(&self) -> &'a [Field] {
        match self {
            Class::Record(_, f) => f,
            Class::Variant(_, v) => &v.fields,
        }
    }
}

impl<'a> Proto<'a> {
    fn new(s: &'a ProtocolSchema) -> Self {
        let name = s.protocol.name();
        Proto {
            s,
            name,
            camel: camel(name),
        }
    }

    fn def(&self, name: &str) -> &'a TypeDef {
        self.s
            .get(name)
            .unwrap_or_else(|| panic!("{}: {name} is not described", self.name))
    }

    fn classes(&self) -> Vec<Class<'a>> {
        let mut out = Vec::new();
        for t in &self.s.types {
            match &t.kind {
                Kind::Record { .. } if self.folded(t.name).is_some() => {}
                Kind::Record { fields } => out.push(Class::Record(t, fields)),
                Kind::Union { variants } if !is_wrapper(variants) => {
                    out.extend(variants.iter().map(|v| Class::Variant(t, v)));
                }
                _ => {}
            }
        }
        out
    }

    /// When `name` is a folded frame record: its union field and its other fields.
    fn folded(&self, name: &str) -> Option<(&'a Field, Vec<&'a Field>)> {
        if name != self.s.frame {
            return None;
        }
        let Kind::Record { fields } = &self.def(name).kind else {
            return None;
        };
        let is_union = |f: &Field| matches!(&f.ty, Ty::Ref(n) if matches!(self.def(n).kind, Kind::Union { .. }));
        let (unions, rest): (Vec<&Field>, Vec<&Field>) = fields.iter().partition(|f| is_union(f));
        match unions.as_slice() {
            [u] if !rest.is_empty() => Some((*u, rest)),
            _ => None,
        }
    }

    /// The fields a variant of union `union` gets from the folded frame holding it.
    fn folded_into(&self, union: &str) -> Vec<&'a Field> {
        match self.folded(self.s.frame) {
            Some((u, rest)) if matches!(&u.ty, Ty::Ref(n) if *n == union) => rest,
            _ => Vec::new(),
        }
    }

    /// Whether record `name` keys a map somewhere (its class is then hashable).
    fn is_map_key(&self, name: &str) -> bool {
        fn keys(ty: &Ty, name: &str) -> bool {
            match ty {
                Ty::Map(k, v) => matches!(&**k, Ty::Ref(n) if *n == name) || keys(v, name),
                Ty::List(t) | Ty::Option(t) => keys(t, name),
                _ => false,
            }
        }
        self.s.types.iter().any(|t| match &t.kind {
            Kind::Record { fields } => fields.iter().any(|f| keys(&f.ty, name)),
            Kind::Union { variants } => variants
                .iter()
                .any(|v| v.fields.iter().any(|f| keys(&f.ty, name))),
            Kind::Enum { .. } => false,
        })
    }

    /// The Python enum of an option's values: the enum type whose value names they are, else
    /// a `str` enum named after the option; `None` for an integer option.
    fn option_enum(&self, o: &OptionDef) -> Option<(String, bool)> {
        if o.values.is_empty() {
            return None;
        }
        let typed = self.s.types.iter().find(|t| match &t.kind {
            Kind::Enum { values, .. } => values.iter().map(|v| v.name).eq(o.names.iter().copied()),
            _ => false,
        });
        Some(match typed {
            Some(t) => (t.name.to_owned(), true),
            None => (camel(o.name), false),
        })
    }

    /// The record that wraps record `inner` as its only plain field, and that field.
    fn envelope_of(&self, inner: &str) -> Option<(&'a TypeDef, &'a Field)> {
        self.s.types.iter().find_map(|t| {
            let Kind::Record { fields } = &t.kind else {
                return None;
            };
            let plain: Vec<&Field> = fields.iter().filter(|f| f.role == Role::Plain).collect();
            match plain.as_slice() {
                [f] if matches!(&f.ty, Ty::Ref(n) if *n == inner) && self.is_record(inner) => {
                    Some((t, *f))
                }
                _ => None,
            }
        })
    }

    fn is_record(&self, name: &str) -> bool {
        matches!(self.def(name).kind, Kind::Record { .. })
    }

    /// The core type of a field (raw enums are their `i32`).
    fn rust_ty(&self, ty: &Ty) -> String {
        crate::rust_ty(self.s, ty)
    }

    /// A field's type in `py_class!`: the core type, with the marker of a raw enum.
    fn field_ty(&self, ty: &Ty) -> String {
        let rust = self.rust_ty(ty);
        match ty {
            Ty::Ref(name) if is_raw_enum(self.def(name)) => format!("{rust} [E{name}]"),
            _ => {
                assert!(
                    !self.mentions_raw_enum(ty),
                    "{}: raw enums are supported as whole fields only",
                    self.name
                );
                rust
            }
        }
    }

    fn mentions_raw_enum(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Ref(name) => is_raw_enum(self.def(name)),
            Ty::List(t) | Ty::Option(t) => self.mentions_raw_enum(t),
            Ty::Map(k, v) => self.mentions_raw_enum(k) || self.mentions_raw_enum(v),
            _ => false,
        }
    }

    /// Rust code turning the owned core value `v` of type `ty` into a `PyResult<Bound<PyAny>>`.
    fn py_value(&self, ty: &Ty, v: &str) -> String {
        match ty {
            Ty::Ref(name) => match &self.def(name).kind {
                Kind::Record { .. } if self.folded(name).is_some() => {
                    format!("{}_into_py(py, {v})", snake(name))
                }
                Kind::Record { .. } => {
                    format!("Bound::new(py, Py{name}({v})).map(Bound::into_any)")
                }
                Kind::Union { .. } => format!("{}_into_py(py, {v})", snake(name)),
                Kind::Enum { .. } => format!("Conv::to_py(&{v}, py)"),
            },
            _ => format!("Conv::to_py(&{v}, py)"),
        }
    }

    /// The Python type of a value given to the binding.
    fn py_in(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bytes => "_Buffer".into(),
            Ty::Ref(name) => match &self.def(name).kind {
                Kind::Enum { .. } => format!("{name} | int"),
                _ => match self.envelope_of(name) {
                    Some((e, _)) => format!("{} | {}", self.py_class(e.name), self.py_ref(name)),
                    None => self.py_ref(name),
                },
            },
            Ty::List(t) => format!("list[{}]", self.py_in(t)),
            Ty::Option(t) => format!("{} | None", self.py_in(t)),
            Ty::Map(k, v) => format!("dict[{}, {}]", self.py_in(k), self.py_in(v)),
            _ => self.py_plain(ty),
        }
    }

    /// The Python type of a value the binding returns.
    fn py_out(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bytes => "bytes".into(),
            Ty::Ref(name) => match &self.def(name).kind {
                Kind::Enum { open: true, .. } => format!("{name} | int"),
                Kind::Enum { .. } => (*name).to_owned(),
                _ => self.py_ref(name),
            },
            Ty::List(t) => format!("list[{}]", self.py_out(t)),
            Ty::Option(t) => format!("{} | None", self.py_out(t)),
            Ty::Map(k, v) => format!("dict[{}, {}]", self.py_out(k), self.py_out(v)),
            _ => self.py_plain(ty),
        }
    }

    fn py_plain(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool",
            Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::I32 | Ty::I64 => "int",
            Ty::Text => "str",
            Ty::SocketAddr => "tuple[str, int]",
            Ty::Json => "dict[str, Any]",
            _ => unreachable!("{}: {ty:?} is not a plain type", self.name),
        }
        .into()
    }

    /// A record's class or a union's alias, in `_wire.pyi`.
    fn py_ref(&self, name: &str) -> String {
        if let Some((
            Field {
                ty: Ty::Ref(union), ..
            },
            _,
        )) = self.folded(name)
        {
            return self.py_ref(union);
        }
        match &self.def(name).kind {
            Kind::Union { .. } => format!("_{}_{}", self.name, ident(name)),
            _ => self.py_class(name),
        }
    }

    fn py_class(&self, name: &str) -> String {
        format!("{}_{name}", self.name)
    }

    /// The Python types a union stands for.
    fn union_members(&self, t: &TypeDef) -> Vec<String> {
        let Kind::Union { variants } = &t.kind else {
            unreachable!()
        };
        variants
            .iter()
            .map(|v| match v.wraps {
                Some(w) => self.py_ref(w),
                None => self.py_class(v.name),
            })
            .collect()
    }

    /// The keyword options of the protocol's codec, as stub parameters.
    fn option_params(&self) -> String {
        let mut out = String::from("max_frame_size: int = ..., max_decompressed_size: int = ...");
        for o in &self.s.options {
            let ty = match self.option_enum(o) {
                None => "int".to_owned(),
                Some((e, _)) => format!("{e} | str"),
            };
            write!(out, ", {}: {ty} = ...", o.name).unwrap();
        }
        out
    }

    /// What `encode`/`to_json` accept.
    fn py_frame_in(&self) -> String {
        match self.envelope_inner() {
            Some(inner) => format!("{} | {}", self.py_ref(self.s.frame), self.py_ref(inner)),
            None => self.py_ref(self.s.frame),
        }
    }

    /// The record the frame type is an envelope of.
    fn envelope_inner(&self) -> Option<&'static str> {
        self.s
            .types
            .iter()
            .find_map(|t| match self.envelope_of(t.name) {
                Some((e, _)) if e.name == self.s.frame => Some(t.name),
                _ => None,
            })
    }
}

fn is_wrapper(variants: &[Variant]) -> bool {
    let wrappers = variants.iter().filter(|v| v.wraps.is_some()).count();
    assert!(
        wrappers == 0 || wrappers == variants.len(),
        "a union mixes wrapper and struct variants"
    );
    wrappers > 0
}

fn is_raw_enum(t: &TypeDef) -> bool {
    matches!(t.kind, Kind::Enum { raw: true, .. })
}

/// `dataexchange` -> `Dataexchange`, `flavour` -> `Flavour`, `max_size` -> `MaxSize`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `HelloReply.result` -> `hello_reply_result`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '.' {
            out.push('_');
            prev_lower = false;
        } else if c.is_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// A type name as an identifier (`HelloReply.result` -> `HelloReply_result`).
fn ident(name: &str) -> String {
    name.replace('.', "_")
}

fn doc_lines(doc: &str, fallback: &str, prefix: &str) -> String {
    let doc = if doc.trim().is_empty() { fallback } else { doc };
    doc.lines()
        .map(|l| format!("{prefix}/// {l}").trim_end().to_owned() + "\n")
        .collect()
}

// --- Rust ----------------------------------------------------------------------------------

fn rust(protocols: &[Proto<'_>]) -> String {
    let mut out = banner("//");
    out.push_str(
        "//! Each protocol's classes, conversions, operations and constants, from wire-core's \
         schema.\n\n// The schema does not say which core types are `Copy`: every field value is cloned.\n\
         #![allow(clippy::clone_on_copy)]\n\nuse pyo3::prelude::*;\n\n",
    );
    for p in protocols {
        rust_protocol(&mut out, p);
    }
    out.push_str("/// Add every generated protocol's names to `_wire`.\n");
    out.push_str("pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {\n");
    for p in protocols {
        writeln!(out, "    {}::register(m)?;", p.name).unwrap();
    }
    out.push_str("    Ok(())\n}\n");
    out
}

fn rust_protocol(out: &mut String, p: &Proto<'_>) {
    let name = p.name;
    let camel = &p.camel;
    writeln!(out, "/// `wire.{name}`.").unwrap();
    writeln!(out, "pub mod {name} {{").unwrap();
    out.push_str(
        "    use std::borrow::Cow;\n\n    use pyo3::prelude::*;\n\n    \
         #[allow(unused_imports)]\n    use crate::api::{protocol_api, py_class, Proto, Via};\n    \
         #[allow(unused_imports)]\n    use crate::conv::{Conv, EnumClass, Field};\n    \
         #[allow(unused_imports)]\n    use crate::errors::{check, invalid, wrong_type};\n\n",
    );
    // Field paths of the frame and operation arguments: a protocol may need neither.
    let uses_protocol =
        !p.s.operations.is_empty() || (p.folded(p.s.frame).is_none() && !p.is_record(p.s.frame));
    if uses_protocol {
        writeln!(
            out,
            "    const PROTOCOL: wire_core::Protocol = wire_core::Protocol::{camel};\n"
        )
        .unwrap();
    }
    for t in &p.s.types {
        if let Kind::Enum {
            open, repr, raw, ..
        } = &t.kind
        {
            rust_enum(out, p, t, *open, repr, *raw);
        }
    }
    for class in p.classes() {
        rust_class(out, p, &class);
    }
    for t in &p.s.types {
        if let Kind::Union { variants } = &t.kind {
            rust_union(out, p, t, variants);
        }
    }
    rust_proto(out, p);
    for op in &p.s.operations {
        rust_op(out, p, op);
    }
    out.push_str("    /// Add the module's names to `_wire`.\n");
    out.push_str("    pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {\n");
    out.push_str("        register_api(m)?;\n        let py = m.py();\n");
    for class in p.classes() {
        let c = class.name();
        writeln!(
            out,
            "        m.add(\"{name}_{c}\", py.get_type::<Py{c}>())?;"
        )
        .unwrap();
    }
    for op in &p.s.operations {
        let o = op.name;
        writeln!(
            out,
            "        m.add(\"{name}_{o}\", wrap_pyfunction!({o}, m)?)?;"
        )
        .unwrap();
    }
    for c in &p.s.constants {
        let value = match &c.value {
            ConstValue::Int(v) => format!("{v}_u64"),
            ConstValue::Text(t) => format!("{t:?}"),
            ConstValue::TextList(l) => format!("vec!{l:?}"),
        };
        writeln!(out, "        m.add(\"{name}_{}\", {value})?;", c.name).unwrap();
    }
    out.push_str("        Ok(())\n    }\n}\n\n");
}

fn rust_enum(out: &mut String, p: &Proto<'_>, t: &TypeDef, open: bool, repr: &Ty, raw: bool) {
    let name = t.name;
    if raw {
        writeln!(out, "    /// Fields of enum type `{name}` (the raw `i32`).").unwrap();
        writeln!(out, "    pub struct E{name};\n").unwrap();
        writeln!(out, "    impl Via<i32> for E{name} {{").unwrap();
        out.push_str(
            "        fn to_py<'py>(value: &i32, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {\n",
        );
        writeln!(
            out,
            "            static CLASS: EnumClass = EnumClass::new(\"{name}\");"
        )
        .unwrap();
        out.push_str("            CLASS.member(py, i64::from(*value))\n        }\n");
        out.push_str(
            "        fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<i32> {\n",
        );
        out.push_str("            i32::from_py(ob, field)\n        }\n    }\n\n");
        return;
    }
    let rust = format!("wire_core::{}", t.rust);
    let repr = p.rust_ty(repr);
    let what = if open { "open" } else { "closed" };
    writeln!(
        out,
        "    /// `{name}` ({what}) as its `wire._enums` member, else a plain int."
    )
    .unwrap();
    writeln!(out, "    impl Conv for {rust} {{").unwrap();
    out.push_str(
        "        fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {\n",
    );
    writeln!(
        out,
        "            static CLASS: EnumClass = EnumClass::new(\"{name}\");"
    )
    .unwrap();
    out.push_str(
        "            CLASS.member(py, wire_core::schema::EnumCode::code(*self))\n        }\n",
    );
    out.push_str(
        "        fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {\n",
    );
    writeln!(out, "            let code = {repr}::from_py(ob, field)?;").unwrap();
    out.push_str(
        "            wire_core::schema::EnumCode::from_code(i64::from(code)).ok_or_else(|| {\n",
    );
    writeln!(
        out,
        "                invalid(ob.py(), field.0, format!(\"{{}}: {{code}} is not a {name}\", field.1))"
    )
    .unwrap();
    out.push_str("            })\n        }\n    }\n\n");
}

fn rust_class(out: &mut String, p: &Proto<'_>, class: &Class<'_>) {
    let c = class.name();
    let module = format!("wire.{}", p.name);
    match class {
        Class::Record(t, fields) => {
            let rust = format!("wire_core::{}", t.rust);
            out.push_str("    py_class! {\n");
            out.push_str(&doc_lines(&t.doc, &format!("`{c}`."), "        "));
            let hash = if p.is_map_key(c) {
                out.push_str("        #[derive(Hash)]\n");
                ", hash"
            } else {
                ""
            };
            writeln!(
                out,
                "        class Py{c}({}, \"{module}\", \"{c}\"{hash}) wraps {rust} {{}}",
                p.camel
            )
            .unwrap();
            if !fields.is_empty() {
                out.push_str("        optional {\n");
                for f in *fields {
                    writeln!(
                        out,
                        "            {}: {} = <{rust} as Default>::default().{},",
                        f.rust,
                        p.field_ty(&f.ty),
                        f.rust
                    )
                    .unwrap();
                }
                out.push_str("        }\n");
            }
            out.push_str("    }\n\n");
        }
        Class::Variant(t, v) => {
            out.push_str("    py_class! {\n");
            out.push_str(&doc_lines(
                &v.doc,
                &format!("`{}::{c}`.", t.name),
                "        ",
            ));
            let (required, optional): (Vec<&Field>, Vec<&Field>) = v
                .fields
                .iter()
                .partition(|f| !matches!(f.ty, Ty::Option(_)));
            writeln!(
                out,
                "        class Py{c}({}, \"{module}\", \"{c}\") fields {c}Fields {{",
                p.camel
            )
            .unwrap();
            for f in required {
                writeln!(out, "            {}: {},", f.rust, p.field_ty(&f.ty)).unwrap();
            }
            out.push_str("        }\n");
            let folded = p.folded_into(t.name);
            if !optional.is_empty() || !folded.is_empty() {
                out.push_str("        optional {\n");
                for f in optional {
                    writeln!(out, "            {}: {} = None,", f.rust, p.field_ty(&f.ty)).unwrap();
                }
                for f in folded {
                    writeln!(
                        out,
                        "            {}: {} = Default::default(),",
                        f.rust,
                        p.field_ty(&f.ty)
                    )
                    .unwrap();
                }
                out.push_str("        }\n");
            }
            out.push_str("    }\n\n");
        }
    }
}

fn rust_union(out: &mut String, p: &Proto<'_>, t: &TypeDef, variants: &[Variant]) {
    let rust = format!("wire_core::{}", t.rust);
    let f = snake(t.name);
    let name = t.name;
    writeln!(out, "    /// A `{name}` as its Python class.").unwrap();
    writeln!(
        out,
        "    fn {f}_into_py<'py>(py: Python<'py>, value: {rust}) -> PyResult<Bound<'py, PyAny>> {{"
    )
    .unwrap();
    out.push_str("        Ok(match value {\n");
    for v in variants {
        let vr = v.rust;
        match v.wraps {
            Some(w) => {
                assert!(p.is_record(w), "{name}: wrapped {w} is not a record");
                writeln!(
                    out,
                    "            {rust}::{vr}(v) => Bound::new(py, Py{w}(v))?.into_any(),"
                )
                .unwrap();
            }
            None => {
                let pat: Vec<&str> = v.fields.iter().map(|f| f.rust).collect();
                let pat = pat.join(", ");
                let c = v.name;
                let mut inits: Vec<String> = v.fields.iter().map(|f| f.rust.to_owned()).collect();
                inits.extend(
                    p.folded_into(name)
                        .iter()
                        .map(|f| format!("{}: Default::default()", f.rust)),
                );
                let body = format!(
                    "Bound::new(py, Py{c}({c}Fields {{ {} }}))?.into_any()",
                    inits.join(", ")
                );
                let pat = if v.fields.is_empty() {
                    String::new()
                } else {
                    format!(" {{ {pat} }}")
                };
                writeln!(out, "            {rust}::{vr}{pat} => {body},").unwrap();
            }
        }
    }
    out.push_str("        })\n    }\n\n");
    let members: Vec<&str> = variants.iter().map(|v| v.wraps.unwrap_or(v.name)).collect();
    let expected = format!("wire.{}.{} ({})", p.name, name, members.join(", "));
    writeln!(out, "    impl Conv for {rust} {{").unwrap();
    out.push_str(
        "        fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {\n",
    );
    writeln!(out, "            {f}_into_py(py, self.clone())\n        }}").unwrap();
    out.push_str(
        "        fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {\n",
    );
    for v in variants {
        let vr = v.rust;
        match v.wraps {
            Some(w) => {
                writeln!(out, "            if let Ok(c) = ob.cast::<Py{w}>() {{").unwrap();
                writeln!(
                    out,
                    "                return Ok({rust}::{vr}(c.get().0.clone()));"
                )
                .unwrap();
            }
            None => {
                let c = v.name;
                if v.fields.is_empty() {
                    writeln!(out, "            if ob.cast::<Py{c}>().is_ok() {{").unwrap();
                    writeln!(out, "                return Ok({rust}::{vr});").unwrap();
                } else {
                    writeln!(out, "            if let Ok(c) = ob.cast::<Py{c}>() {{").unwrap();
                    out.push_str("                let f = &c.get().0;\n");
                    let inits: Vec<String> = v
                        .fields
                        .iter()
                        .map(|f| format!("{0}: f.{0}.clone()", f.rust))
                        .collect();
                    writeln!(
                        out,
                        "                return Ok({rust}::{vr} {{ {} }});",
                        inits.join(", ")
                    )
                    .unwrap();
                }
            }
        }
        out.push_str("            }\n");
    }
    writeln!(
        out,
        "            Err(wrong_type(field.1, \"{expected}\", ob))\n        }}\n    }}\n"
    )
    .unwrap();
}

fn rust_proto(out: &mut String, p: &Proto<'_>) {
    let camel = &p.camel;
    let frame = p.def(p.s.frame);
    let frame_rust = format!("wire_core::{}", frame.rust);
    let folded = p.folded(frame.name);
    if let Some((u, rest)) = &folded {
        rust_folded(out, p, frame, u, rest);
    }
    writeln!(out, "    /// The protocol.\n    pub struct {camel};\n").unwrap();
    writeln!(out, "    impl Proto for {camel} {{").unwrap();
    writeln!(
        out,
        "        type C = wire_core::{}::{camel}Codec;\n",
        p.name
    )
    .unwrap();
    writeln!(
        out,
        "        fn to_py<'py>(py: Python<'py>, frame: {frame_rust}) -> PyResult<Bound<'py, PyAny>> {{"
    )
    .unwrap();
    writeln!(
        out,
        "            {}\n        }}\n",
        p.py_value(&Ty::Ref(frame.name), "frame")
    )
    .unwrap();
    writeln!(
        out,
        "        fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, {frame_rust}>> {{"
    )
    .unwrap();
    match &frame.kind {
        Kind::Record { .. } if folded.is_some() => {
            writeln!(
                out,
                "            {}_from_py(ob).map(Cow::Owned)",
                snake(frame.name)
            )
            .unwrap();
        }
        Kind::Record { .. } => {
            let c = frame.name;
            writeln!(out, "            if let Ok(c) = ob.cast::<Py{c}>() {{").unwrap();
            out.push_str("                return Ok(Cow::Borrowed(&c.get().0));\n            }\n");
            let mut expected = format!("wire.{}.{c}", p.name);
            if let Some(inner) = p.envelope_inner() {
                writeln!(out, "            if let Ok(c) = ob.cast::<Py{inner}>() {{").unwrap();
                out.push_str(
                    "                return Ok(Cow::Owned(From::from(c.get().0.clone())));\n            }\n",
                );
                write!(expected, " or wire.{}.{inner}", p.name).unwrap();
            }
            writeln!(
                out,
                "            Err(wrong_type(\"msg\", \"{expected}\", ob))"
            )
            .unwrap();
        }
        _ => {
            out.push_str(
                "            Conv::from_py(ob, Field(PROTOCOL, \"msg\")).map(Cow::Owned)\n",
            );
        }
    }
    out.push_str("        }\n    }\n\n");
    writeln!(
        out,
        "    protocol_api!({camel}, \"wire.{0}\", \"{0}\");\n",
        p.name
    )
    .unwrap();
}

/// The two conversions of a folded frame record: its union's variant classes carry its other
/// fields.
fn rust_folded(out: &mut String, p: &Proto<'_>, frame: &TypeDef, union: &Field, rest: &[&Field]) {
    let Ty::Ref(union_name) = &union.ty else {
        unreachable!()
    };
    let ut = p.def(union_name);
    let Kind::Union { variants } = &ut.kind else {
        unreachable!()
    };
    assert!(
        !is_wrapper(variants),
        "{}: a folded union has struct variants",
        p.name
    );
    let rust = format!("wire_core::{}", frame.rust);
    let urust = format!("wire_core::{}", ut.rust);
    let f = snake(frame.name);
    let u = union.rust;
    let rest_names: Vec<&str> = rest.iter().map(|f| f.rust).collect();
    writeln!(
        out,
        "    /// A `{}` as the class of its `{}`.",
        frame.name, union.name
    )
    .unwrap();
    writeln!(
        out,
        "    fn {f}_into_py<'py>(py: Python<'py>, value: {rust}) -> PyResult<Bound<'py, PyAny>> {{"
    )
    .unwrap();
    writeln!(
        out,
        "        let {rust} {{ {u}, {} }} = value;",
        rest_names.join(", ")
    )
    .unwrap();
    writeln!(out, "        Ok(match {u} {{").unwrap();
    for v in variants {
        let c = v.name;
        let own: Vec<&str> = v.fields.iter().map(|f| f.rust).collect();
        let pat = if own.is_empty() {
            String::new()
        } else {
            format!(" {{ {} }}", own.join(", "))
        };
        let all: Vec<&str> = own.iter().chain(&rest_names).copied().collect();
        writeln!(
            out,
            "            {urust}::{}{pat} => Bound::new(py, Py{c}({c}Fields {{ {} }}))?.into_any(),",
            v.rust,
            all.join(", ")
        )
        .unwrap();
    }
    out.push_str("        })\n    }\n\n");
    writeln!(out, "    /// A variant class as a `{}`.", frame.name).unwrap();
    writeln!(
        out,
        "    fn {f}_from_py(ob: &Bound<'_, PyAny>) -> PyResult<{rust}> {{"
    )
    .unwrap();
    let rest_inits: Vec<String> = rest_names
        .iter()
        .map(|n| format!("{n}: f.{n}.clone()"))
        .collect();
    for v in variants {
        let c = v.name;
        let own: Vec<String> = v
            .fields
            .iter()
            .map(|f| format!("{0}: f.{0}.clone()", f.rust))
            .collect();
        let message = if own.is_empty() {
            format!("{urust}::{}", v.rust)
        } else {
            format!("{urust}::{} {{ {} }}", v.rust, own.join(", "))
        };
        writeln!(out, "        if let Ok(c) = ob.cast::<Py{c}>() {{").unwrap();
        out.push_str("            let f = &c.get().0;\n");
        writeln!(
            out,
            "            return Ok({rust} {{ {u}: {message}, {} }});\n        }}",
            rest_inits.join(", ")
        )
        .unwrap();
    }
    let members: Vec<&str> = variants.iter().map(|v| v.name).collect();
    writeln!(
        out,
        "        Err(wrong_type(\"msg\", \"wire.{}.{} ({})\", ob))\n    }}\n",
        p.name,
        union_name,
        members.join(", ")
    )
    .unwrap();
}

fn rust_op(out: &mut String, p: &Proto<'_>, op: &Operation) {
    out.push_str(&doc_lines(op.doc, "", "    "));
    out.push_str("    #[pyfunction]\n");
    let mut sig: Vec<String> = op.args.iter().map(|a| a.name.to_owned()).collect();
    if op.options {
        sig.push("**options".into());
        writeln!(out, "    #[pyo3(signature = ({}))]", sig.join(", ")).unwrap();
    }
    write!(out, "    fn {}<'py>(\n        py: Python<'py>,\n", op.name).unwrap();
    for a in &op.args {
        writeln!(out, "        {}: &Bound<'py, PyAny>,", a.name).unwrap();
    }
    if op.options {
        out.push_str("        options: Option<&Bound<'py, pyo3::types::PyDict>>,\n");
    }
    out.push_str("    ) -> PyResult<Bound<'py, PyAny>> {\n");
    let mut call = Vec::new();
    if op.options {
        writeln!(
            out,
            "        let codec = crate::api::codec::<{}>(py, options)?;",
            p.camel
        )
        .unwrap();
        call.push("&codec".to_owned());
    }
    for a in &op.args {
        let n = a.name;
        let rust = p.rust_ty(&a.ty);
        let envelope = match &a.ty {
            Ty::Ref(inner) => p.envelope_of(inner),
            _ => None,
        };
        match envelope {
            Some((e, f)) => {
                writeln!(
                    out,
                    "        let {n}: {rust} = match {n}.cast::<Py{}>() {{\n            \
                     Ok(e) => e.get().0.{}.clone(),\n            \
                     Err(_) => Conv::from_py({n}, Field(PROTOCOL, \"{n}\"))?,\n        }};",
                    e.name, f.rust
                )
                .unwrap();
            }
            None => writeln!(
                out,
                "        let {n}: {rust} = Conv::from_py({n}, Field(PROTOCOL, \"{n}\"))?;"
            )
            .unwrap(),
        }
        let by_value = matches!(
            a.ty,
            Ty::Bool | Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::I32 | Ty::I64
        );
        call.push(if by_value {
            n.to_owned()
        } else {
            format!("&{n}")
        });
    }
    writeln!(
        out,
        "        {}check(py, wire_core::{}::ops::{}({}))?;",
        if op.returns.is_empty() {
            ""
        } else {
            "let result = "
        },
        p.name,
        op.name,
        call.join(", ")
    )
    .unwrap();
    let names: Vec<&str> = op.returns.iter().map(|r| r.name).collect();
    let value = match op.returns.as_slice() {
        [] => "Ok(py.None().into_bound(py))".to_owned(),
        [one] => p.py_value(&one.ty, "value"),
        many => {
            let items: Vec<String> = many
                .iter()
                .map(|r| format!("{}?", p.py_value(&r.ty, r.name)))
                .collect();
            format!(
                "pyo3::types::PyTuple::new(py, [{}]).map(Bound::into_any)",
                items.join(", ")
            )
        }
    };
    let pattern = match names.as_slice() {
        [] => "()".to_owned(),
        [_] => "value".to_owned(),
        many => format!("({})", many.join(", ")),
    };
    if op.optional {
        writeln!(
            out,
            "        match result {{\n            None => Ok(py.None().into_bound(py)),\n            \
             Some({pattern}) => {value},\n        }}"
        )
        .unwrap();
    } else if names.is_empty() {
        writeln!(out, "        {value}").unwrap();
    } else {
        writeln!(out, "        let {pattern} = result;\n        {value}").unwrap();
    }
    out.push_str("    }\n\n");
}

// --- Python --------------------------------------------------------------------------------

const STUB_HEAD: &str = r#""""Type stubs of wire._wire, the native module (checked by mypy.stubtest).

Names are prefixed by protocol; the wire.<protocol> modules re-export them without it.
"""

from typing import Any, ClassVar, final

__version__: str

class WireError(ValueError):
    code: str
    protocol: str | None
    offset: int | None
    reason: str

class IncompleteError(WireError): ...
class MalformedError(WireError): ...
class FrameTooLargeError(WireError): ...
class UnsupportedVersionError(WireError): ...
class InvalidUtf8Error(WireError): ...
class TrailingBytesError(WireError): ...
class InvalidArgumentError(WireError): ...

_Buffer = bytes | bytearray | memoryview

def detect(data: _Buffer) -> str | None: ...
"#;

/// The names `STUB_HEAD` declares.
const HEAD_NAMES: [&str; 10] = [
    "FrameTooLargeError",
    "IncompleteError",
    "InvalidArgumentError",
    "InvalidUtf8Error",
    "MalformedError",
    "TrailingBytesError",
    "UnsupportedVersionError",
    "WireError",
    "__version__",
    "detect",
];

/// Every enum class and option enum of the described protocols.
fn enum_names(protocols: &[Proto<'_>]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for p in protocols {
        for t in &p.s.types {
            if matches!(t.kind, Kind::Enum { .. }) {
                names.insert(t.name.to_owned());
            }
        }
        names.extend(
            p.s.options
                .iter()
                .filter_map(|o| p.option_enum(o).map(|(e, _)| e)),
        );
    }
    names
}

fn stubs(protocols: &[Proto<'_>]) -> String {
    let mut out = banner("#");
    let mut body = String::new();
    let mut names: BTreeSet<String> = HEAD_NAMES.iter().map(|s| (*s).to_owned()).collect();
    for p in protocols {
        stub_protocol(&mut body, &mut names, p);
    }
    let enums = enum_names(protocols);
    let head = STUB_HEAD.replacen(
        "from typing import Any, ClassVar, final\n",
        &format!(
            "from typing import Any, ClassVar, final\n\nfrom wire._enums import (\n{})\n",
            enums
                .iter()
                .map(|e| format!("    {e},\n"))
                .collect::<String>()
        ),
        1,
    );
    out.push_str(&head);
    out.push_str(&body);
    out.push_str("\n__all__ = [\n");
    for n in &names {
        writeln!(out, "    \"{n}\",").unwrap();
    }
    out.push_str("]\n");
    out
}

fn stub_protocol(out: &mut String, names: &mut BTreeSet<String>, p: &Proto<'_>) {
    let name = p.name;
    writeln!(out, "\n# {name}\n").unwrap();
    for class in p.classes() {
        let c = p.py_class(class.name());
        names.insert(c.clone());
        let record = matches!(class, Class::Record(..));
        let folded = match class {
            Class::Variant(t, _) => p.folded_into(t.name),
            Class::Record(..) => Vec::new(),
        };
        let fields: Vec<&Field> = class
            .fields()
            .iter()
            .chain(folded.iter().copied())
            .collect();
        let params: Vec<String> = fields
            .iter()
            .map(|f| {
                let ty = p.py_in(&f.ty);
                if record || folded.iter().any(|g| g.name == f.name) {
                    let ty = if ty.ends_with("| None") {
                        ty
                    } else {
                        format!("{ty} | None")
                    };
                    format!("{}: {ty} = None", f.name)
                } else if matches!(f.ty, Ty::Option(_)) {
                    format!("{}: {ty} = None", f.name)
                } else {
                    format!("{}: {ty}", f.name)
                }
            })
            .collect();
        let params = if params.is_empty() {
            String::new()
        } else {
            format!(", *, {}", params.join(", "))
        };
        writeln!(out, "@final\nclass {c}:").unwrap();
        writeln!(out, "    def __new__(cls{params}) -> {c}: ...").unwrap();
        for f in &fields {
            writeln!(
                out,
                "    @property\n    def {}(self) -> {}: ...",
                f.name,
                p.py_out(&f.ty)
            )
            .unwrap();
        }
        out.push_str("    def __eq__(self, value: object, /) -> bool: ...\n");
        if record && p.is_map_key(class.name()) {
            out.push_str("    def __hash__(self) -> int: ...\n\n");
        } else {
            out.push_str("    __hash__: ClassVar[None]  # type: ignore[assignment]\n\n");
        }
    }
    for t in &p.s.types {
        if let Kind::Union { .. } = t.kind {
            writeln!(
                out,
                "{} = {}",
                p.py_ref(t.name),
                p.union_members(t).join(" | ")
            )
            .unwrap();
        }
    }
    let opts = p.option_params();
    let frame_out = p.py_out(&Ty::Ref(p.s.frame));
    let frame_in = p.py_frame_in();
    out.push('\n');
    writeln!(
        out,
        "def {name}_decode(data: _Buffer, *, {opts}) -> {frame_out}: ..."
    )
    .unwrap();
    writeln!(
        out,
        "def {name}_encode(msg: {frame_in}, *, {opts}) -> bytes: ..."
    )
    .unwrap();
    writeln!(
        out,
        "def {name}_to_json(msg: {frame_in}) -> dict[str, Any]: ..."
    )
    .unwrap();
    writeln!(
        out,
        "def {name}_from_json(doc: dict[str, Any], *, {opts}) -> {frame_out}: ..."
    )
    .unwrap();
    writeln!(out, "@final\nclass {name}_Decoder:").unwrap();
    writeln!(
        out,
        "    def __new__(cls, *, {opts}) -> {name}_Decoder: ..."
    )
    .unwrap();
    writeln!(
        out,
        "    def feed(self, data: _Buffer) -> list[{frame_out}]: ..."
    )
    .unwrap();
    out.push_str("    def finish(self) -> None: ...\n");
    out.push_str("    @property\n    def buffered(self) -> int: ...\n");
    out.push_str("    @property\n    def position(self) -> int: ...\n\n");
    for f in ["decode", "encode", "to_json", "from_json", "Decoder"] {
        names.insert(format!("{name}_{f}"));
    }
    for op in &p.s.operations {
        let mut params: Vec<String> = op
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, p.py_in(&a.ty)))
            .collect();
        if op.options {
            params.push(format!("*, {opts}"));
        }
        let mut ret = match op.returns.as_slice() {
            [] => "None".to_owned(),
            [one] => p.py_out(&one.ty),
            many => format!(
                "tuple[{}]",
                many.iter()
                    .map(|r| p.py_out(&r.ty))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if op.optional {
            ret.push_str(" | None");
        }
        writeln!(
            out,
            "def {name}_{}({}) -> {ret}: ...",
            op.name,
            params.join(", ")
        )
        .unwrap();
        names.insert(format!("{name}_{}", op.name));
    }
    for c in &p.s.constants {
        let ty = match c.value {
            ConstValue::Int(_) => "int",
            ConstValue::Text(_) => "str",
            ConstValue::TextList(_) => "list[str]",
        };
        writeln!(out, "{name}_{}: {ty}", c.name).unwrap();
        names.insert(format!("{name}_{}", c.name));
    }
}

fn enums(protocols: &[Proto<'_>]) -> String {
    let mut out = banner("#");
    out.push_str(
        r#""""The protocols' enumerations, as Python enums.

Closed enums (a value outside them cannot be decoded) are returned as their members. Open ones
(where the wire carries any number) come back as the member when the value has a name, else as
a plain ``int``; ``IntEnum`` members compare equal to ints. Options with named values are
``str`` enums.
"""

import enum
"#,
    );
    for p in protocols {
        for t in &p.s.types {
            let Kind::Enum { open, values, .. } = &t.kind else {
                continue;
            };
            let what = if *open {
                "open: other values are plain ints"
            } else {
                "closed"
            };
            writeln!(out, "\n\nclass {}(enum.IntEnum):", t.name).unwrap();
            let first = t.doc.lines().next().unwrap_or_default().trim();
            let doc = if first.is_empty() {
                format!("``{}`` ({}; {what}).", t.name, p.name)
            } else {
                format!("{first} ({}; {what}).", p.name)
            };
            writeln!(out, "    \"\"\"{}\"\"\"\n", doc.replace('\\', "\\\\")).unwrap();
            for v in values {
                writeln!(out, "    {} = {}", v.name, v.value).unwrap();
            }
        }
        for o in &p.s.options {
            let Some((name, false)) = p.option_enum(o) else {
                continue;
            };
            writeln!(out, "\n\nclass {name}(str, enum.Enum):").unwrap();
            writeln!(
                out,
                "    \"\"\"Values of the {} option ``{}``: {}\"\"\"\n",
                p.name,
                o.name,
                o.doc.replace('`', "``")
            )
            .unwrap();
            for (n, v) in o.names.iter().zip(&o.values) {
                writeln!(out, "    {} = \"{v}\"", n.to_uppercase()).unwrap();
            }
        }
    }
    out
}

fn module(p: &Proto<'_>) -> String {
    let name = p.name;
    let mut out = banner("#");
    writeln!(
        out,
        "\"\"\"The {name} protocol: ``decode``, ``encode``, ``Decoder``, ``to_json`` and \
         ``from_json``, a class per message type, the protocol's operations and constants."
    )
    .unwrap();
    out.push_str("\nOptions (keyword arguments): ``max_frame_size``, ``max_decompressed_size``");
    for o in &p.s.options {
        write!(out, ", ``{}`` (default ``{}``)", o.name, o.default).unwrap();
    }
    out.push_str(".\n\"\"\"\n\n");
    let mut exports: BTreeSet<String> = BTreeSet::new();
    let mut imports: Vec<String> = Vec::new();
    let enums: Vec<String> = enum_names(std::slice::from_ref(p)).into_iter().collect();
    let unions: Vec<&TypeDef> =
        p.s.types
            .iter()
            .filter(|t| matches!(t.kind, Kind::Union { .. }) && !t.name.contains('.'))
            .collect();
    if !unions.is_empty() {
        out.push_str("from typing import Union\n\n");
    }
    if !enums.is_empty() {
        writeln!(out, "from wire._enums import {}", enums.join(", ")).unwrap();
        exports.extend(enums.iter().cloned());
    }
    let mut public: Vec<String> = p.classes().iter().map(|c| c.name().to_owned()).collect();
    public.extend(
        ["decode", "encode", "to_json", "from_json", "Decoder"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    public.extend(p.s.operations.iter().map(|o| o.name.to_owned()));
    public.extend(p.s.constants.iter().map(|c| c.name.to_owned()));
    for n in &public {
        imports.push(format!("from wire._wire import {name}_{n} as {n}"));
        exports.insert(n.clone());
    }
    imports.sort_by_key(|l| l.to_lowercase());
    for l in imports {
        out.push_str(&l);
        out.push('\n');
    }
    for t in unions {
        let members: Vec<String> = p
            .union_members(t)
            .iter()
            .map(|m| m.trim_start_matches(&format!("{name}_")).to_owned())
            .collect();
        writeln!(out, "\n{} = Union[{}]", t.name, members.join(", ")).unwrap();
        let first = t.doc.lines().next().unwrap_or_default();
        writeln!(out, "\"\"\"{first}\"\"\"").unwrap();
        exports.insert(t.name.to_owned());
    }
    out.push_str("\n__all__ = [\n");
    let mut exports: Vec<String> = exports.into_iter().collect();
    exports.sort();
    for e in exports {
        writeln!(out, "    \"{e}\",").unwrap();
    }
    out.push_str("]\n");
    out
}
