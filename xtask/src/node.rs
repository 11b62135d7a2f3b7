//! The Node binding's type layer: `bindings-node/src/generated.rs` (each type's tape impl and
//! the operations' dispatch), `bindings-node/lib/generated.js` (the definitions `lib/wire.js`
//! compiles its readers and writers from, the operations, constants and the core's tables) and
//! `bindings-node/lib/wire.d.ts`.
//!
//! Shapes in JS, all read off the schema: fields are camelCase; a union of struct variants is
//! `{type: <variant name>, ...fields}`, except that a variant with its own `type` field is
//! discriminated by that (numeric) field; a union whose variants wrap the records named like
//! them is the record's fields beside `type`; any other wrapping union (a protobuf oneof) is
//! `{<variant name>: value}`; enums are their value names (an unnamed value of an open enum is
//! its number); a map of text to text is an object; a map from a record to a record is a list
//! of entries (`<Value>Entry`: the key as a field named after its type, then the value's fields,
//! in key order, as in the canonical JSON); u64/i64 are bigint; JSON crosses as text.

use std::fmt::Write as _;
use std::path::PathBuf;

use wire_core::schema::{
    ConstValue, Field, Kind, Operation, ProtocolSchema, Role, Ty, TypeDef, Variant,
};
use wire_core::{ErrorKind, Protocol};

use crate::{banner, rust_ty, Output};

pub fn outputs(schema: &[ProtocolSchema]) -> Vec<Output> {
    vec![
        Output {
            path: PathBuf::from("bindings-node/src/generated.rs"),
            contents: rust(schema),
        },
        Output {
            path: PathBuf::from("bindings-node/lib/generated.js"),
            contents: js(schema),
        },
        Output {
            path: PathBuf::from("bindings-node/lib/wire.d.ts"),
            contents: dts(schema),
        },
    ]
}

/// snake_case to camelCase; a later word `json` is `JSON`, as in JS's own `toJSON`.
fn camel(name: &str) -> String {
    let mut words = name.split('_');
    let mut out = words.next().unwrap_or_default().to_owned();
    for word in words {
        if word == "json" {
            out.push_str("JSON");
        } else {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn def<'a>(p: &'a ProtocolSchema, name: &str) -> &'a TypeDef {
    p.get(name)
        .unwrap_or_else(|| panic!("{}: {name} is not described", p.protocol))
}

fn is_enum(p: &ProtocolSchema, name: &str) -> bool {
    matches!(def(p, name).kind, Kind::Enum { .. })
}

/// The entry type of a map from a record to a record: its name, the key's field name and type,
/// and the value's type.
fn map_entry(ty: &Ty) -> Option<(String, String, &'static str, &'static str)> {
    match ty {
        Ty::Map(k, v) => match (&**k, &**v) {
            (Ty::Ref(k), Ty::Ref(v)) => {
                let mut key = (*k).to_owned();
                key[..1].make_ascii_lowercase();
                Some((format!("{v}Entry"), key, *k, *v))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Every map entry type the fields of `p` use, once each.
fn map_entries(p: &ProtocolSchema) -> Vec<(String, String, &'static str, &'static str)> {
    let mut out: Vec<(String, String, &'static str, &'static str)> = Vec::new();
    for t in &p.types {
        let fields: Vec<&Field> = match &t.kind {
            Kind::Record { fields } => fields.iter().collect(),
            Kind::Union { variants } => variants.iter().flat_map(|v| &v.fields).collect(),
            Kind::Enum { .. } => Vec::new(),
        };
        for entry in fields.iter().filter_map(|f| map_entry(&f.ty)) {
            if out.iter().all(|e| e.0 != entry.0) {
                out.push(entry);
            }
        }
    }
    out
}

fn record_fields<'a>(p: &'a ProtocolSchema, name: &str) -> &'a [Field] {
    match &def(p, name).kind {
        Kind::Record { fields } => fields,
        _ => panic!("{}: {name} is not a record", p.protocol),
    }
}

/// How a union shows in JS.
enum UnionShape {
    /// `{type, ...fields}`.
    Struct,
    /// The wrapped record's fields beside `type`.
    Flattened,
    /// `{member: value}`.
    Oneof,
}

fn union_shape(name: &str, variants: &[Variant]) -> UnionShape {
    if variants.iter().all(|v| v.wraps.is_none()) {
        UnionShape::Struct
    } else if variants.iter().all(|v| v.wraps == Some(v.name)) {
        UnionShape::Flattened
    } else if variants.iter().all(|v| v.wraps.is_some()) {
        UnionShape::Oneof
    } else {
        panic!("{name}: a union mixing wrapper and struct variants has no JS shape")
    }
}

/// A variant discriminated by its own numeric `type` field (dataexchange's unknown frame).
fn numeric_tag(v: &Variant) -> bool {
    v.fields.iter().any(|f| f.name == "type")
}

// ---- Rust ----------------------------------------------------------------------------------

fn rust_take(p: &ProtocolSchema, f: &Field) -> String {
    match f.role {
        Role::Plain => "Tape::take(r)?".into(),
        Role::DecodeOnly => "Default::default()".into(),
        Role::OptionalOnEncode => format!(
            "<Option<{}> as Tape>::take(r)?.unwrap_or_default()",
            rust_ty(p, &f.ty)
        ),
    }
}

fn rust_type(out: &mut String, p: &ProtocolSchema, t: &TypeDef) {
    let path = format!("wire_core::{}", t.rust);
    match &t.kind {
        Kind::Enum { raw: true, .. } => {}
        Kind::Enum { repr, .. } => {
            let word = match repr {
                Ty::I32 => "i64::from(v as i32)",
                _ => "i64::from(v)",
            };
            let _ = writeln!(
                out,
                "impl Tape for {path} {{
    fn put(&self, w: &mut Writer) {{
        w.word(EnumCode::code(*self) as u32);
    }}
    fn take(r: &mut Reader) -> Take<Self> {{
        let v = r.word()?;
        <Self as EnumCode>::from_code({word}).ok_or_else(|| format!(\"{{v}} is not a {name} value\"))
    }}
}}
",
                name = t.name,
            );
        }
        Kind::Record { fields } => {
            let puts: String = fields
                .iter()
                .map(|f| format!("\n        self.{}.put(w);", f.rust))
                .collect();
            let takes: String = fields
                .iter()
                .map(|f| format!("\n            {}: {},", f.rust, rust_take(p, f)))
                .collect();
            let _ = writeln!(
                out,
                "impl Tape for {path} {{
    fn put(&self, w: &mut Writer) {{{puts}
    }}
    fn take(r: &mut Reader) -> Take<Self> {{
        Ok(Self {{{takes}
        }})
    }}
}}
"
            );
        }
        Kind::Union { variants } => {
            let mut puts = String::new();
            let mut takes = String::new();
            for (i, v) in variants.iter().enumerate() {
                if v.wraps.is_some() {
                    let _ = write!(
                        puts,
                        "\n            Self::{}(m) => {{\n                w.word({i});\n                m.put(w);\n            }}",
                        v.rust
                    );
                    let _ = write!(
                        takes,
                        "\n            {i} => Self::{}(Tape::take(r)?),",
                        v.rust
                    );
                } else {
                    let names: Vec<&str> = v.fields.iter().map(|f| f.rust).collect();
                    let fields_put: String = names
                        .iter()
                        .map(|n| format!("\n                {n}.put(w);"))
                        .collect();
                    let _ = write!(
                        puts,
                        "\n            Self::{} {{ {} }} => {{\n                w.word({i});{fields_put}\n            }}",
                        v.rust,
                        names.join(", ")
                    );
                    let fields_take: Vec<String> = v
                        .fields
                        .iter()
                        .map(|f| format!("{}: {}", f.rust, rust_take(p, f)))
                        .collect();
                    let _ = write!(
                        takes,
                        "\n            {i} => Self::{} {{ {} }},",
                        v.rust,
                        fields_take.join(", ")
                    );
                }
            }
            let _ = writeln!(
                out,
                "impl Tape for {path} {{
    fn put(&self, w: &mut Writer) {{
        match self {{{puts}
        }}
    }}
    fn take(r: &mut Reader) -> Take<Self> {{
        Ok(match r.word()? {{{takes}
            n => return Err(format!(\"{name}: no variant {{n}}\")),
        }})
    }}
}}
",
                name = t.name
            );
        }
    }
}

fn rust_op(out: &mut String, p: &ProtocolSchema, index: usize, op: &Operation) {
    let protocol = format!("{:?}", p.protocol);
    let _ = writeln!(out, "        (Protocol::{protocol}, {index}) => {{");
    let mut call_args = Vec::new();
    if op.options {
        let _ = write!(
            out,
            "            let AnyCodec::{protocol}(codec) = codec else {{\n                return Err(wrong_codec(protocol));\n            }};\n"
        );
        call_args.push("codec".to_owned());
    }
    for (i, a) in op.args.iter().enumerate() {
        let _ = writeln!(
            out,
            "            let a{i}: {} = arg(protocol, r)?;",
            rust_ty(p, &a.ty)
        );
        let by_value = matches!(
            a.ty,
            Ty::Bool | Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::I32 | Ty::I64
        );
        call_args.push(if by_value {
            format!("a{i}")
        } else {
            format!("&a{i}")
        });
    }
    let _ = writeln!(out, "            done(protocol, r)?;");
    let call = format!(
        "wire_core::{}::ops::{}({})?",
        p.protocol.name(),
        op.name,
        call_args.join(", ")
    );
    let names: Vec<String> = (0..op.returns.len()).map(|i| format!("r{i}")).collect();
    let pattern = match names.len() {
        0 => "()".to_owned(),
        1 => names[0].clone(),
        _ => format!("({})", names.join(", ")),
    };
    let puts: String = names.iter().map(|n| format!(" {n}.put(w);")).collect();
    if op.optional {
        let _ = writeln!(
            out,
            "            match {call} {{\n                None => w.word(0),\n                Some({pattern}) => {{\n                    w.word(1);{puts}\n                }}\n            }}"
        );
    } else if names.is_empty() {
        let _ = writeln!(out, "            {call};");
    } else {
        let _ = writeln!(
            out,
            "            let {pattern} = {call};\n           {puts}"
        );
    }
    let _ = writeln!(out, "        }}");
}

fn rust(schema: &[ProtocolSchema]) -> String {
    let mut out = banner("//");
    out.push_str(
        "//! How each described type crosses on the tape (its fields in the schema's order), and the
//! protocols' extra operations called by number (`lib/generated.js` lists them in that order).

use wire_core::schema::EnumCode;
use wire_core::{AnyCodec, Error, Protocol};

use crate::tape::{arg, done, wrong_codec, Reader, Take, Tape, Writer};

",
    );
    for p in schema {
        let _ = writeln!(out, "// ---- {} ----\n", p.protocol.name());
        for t in &p.types {
            rust_type(&mut out, p, t);
        }
    }
    out.push_str(
        "/// Run operation `op` of `protocol` on the arguments `r` holds, writing its results to `w`.
pub fn operation(
    protocol: Protocol,
    op: u32,
    codec: &AnyCodec,
    r: &mut Reader,
    w: &mut Writer,
) -> Result<(), Error> {
    match (protocol, op) {
",
    );
    for p in schema {
        for (i, op) in p.operations.iter().enumerate() {
            rust_op(&mut out, p, i, op);
        }
    }
    out.push_str(
        "        _ => return Err(Error::invalid_argument(protocol, format!(\"no operation {op}\"))),
    }
    Ok(())
}
",
    );
    out
}

// ---- JS ------------------------------------------------------------------------------------

/// The kind expression `lib/wire.js` compiles a reader and writer from.
fn js_kind(p: &ProtocolSchema, ty: &Ty) -> String {
    match ty {
        Ty::Bool => "'bool'".into(),
        Ty::U8 => "'u8'".into(),
        Ty::U16 => "'u16'".into(),
        Ty::U32 => "'u32'".into(),
        Ty::U64 => "'u64'".into(),
        Ty::I32 => "'i32'".into(),
        Ty::I64 => "'i64'".into(),
        Ty::Bytes => "'bytes'".into(),
        Ty::Text | Ty::SocketAddr => "'string'".into(),
        Ty::Json => "'json'".into(),
        Ty::Ref(name) if is_enum(p, name) => format!("{{ enum: {} }}", quote(name)),
        Ty::Ref(name) => format!("{{ ref: {} }}", quote(name)),
        Ty::List(t) => format!("{{ list: {} }}", js_kind(p, t)),
        Ty::Option(t) => format!("{{ option: {} }}", js_kind(p, t)),
        Ty::Map(k, v) if **k == Ty::Text && **v == Ty::Text => "'map'".into(),
        Ty::Map(..) => match map_entry(ty) {
            Some((entry, ..)) => format!("{{ list: {{ ref: {} }} }}", quote(&entry)),
            None => panic!("{}: this map has no JS shape", p.protocol),
        },
    }
}

fn js_fields(p: &ProtocolSchema, fields: &[Field]) -> String {
    let list: Vec<String> = fields
        .iter()
        .map(|f| {
            let role = match f.role {
                Role::Plain => String::new(),
                Role::DecodeOnly => ", 'decodeOnly'".into(),
                Role::OptionalOnEncode => ", 'optionalOnEncode'".into(),
            };
            format!("[{}, {}{role}]", quote(&camel(f.name)), js_kind(p, &f.ty))
        })
        .collect();
    format!("[{}]", list.join(", "))
}

fn js_def(p: &ProtocolSchema, t: &TypeDef) -> String {
    match &t.kind {
        Kind::Enum {
            open, repr, values, ..
        } => {
            let values: Vec<String> = values
                .iter()
                .map(|v| format!("[{}, {}]", v.value, quote(v.name)))
                .collect();
            let width = if *repr == Ty::I32 { "i32" } else { "u8" };
            format!(
                "{{ enum: [{}], open: {open}, width: '{width}' }}",
                values.join(", ")
            )
        }
        Kind::Record { fields } => format!("{{ record: {} }}", js_fields(p, fields)),
        Kind::Union { variants } => match union_shape(t.name, variants) {
            UnionShape::Struct => {
                let list: Vec<String> = variants
                    .iter()
                    .map(|v| {
                        let tag = if numeric_tag(v) {
                            "null".to_owned()
                        } else {
                            quote(v.name)
                        };
                        format!("\n      [{tag}, {}]", js_fields(p, &v.fields))
                    })
                    .collect();
                format!("{{ union: [{}] }}", list.join(","))
            }
            UnionShape::Flattened | UnionShape::Oneof => {
                let tag = match union_shape(t.name, variants) {
                    UnionShape::Flattened => "wrapper",
                    _ => "oneof",
                };
                let list: Vec<String> = variants
                    .iter()
                    .map(|v| {
                        let wraps = v.wraps.unwrap_or_default();
                        format!("[{}, {{ ref: {} }}]", quote(v.name), quote(wraps))
                    })
                    .collect();
                format!("{{ {tag}: [{}] }}", list.join(", "))
            }
        },
    }
}

fn js_params(p: &ProtocolSchema, params: &[wire_core::schema::Param]) -> String {
    let list: Vec<String> = params
        .iter()
        .map(|a| format!("[{}, {}]", quote(&camel(a.name)), js_kind(p, &a.ty)))
        .collect();
    format!("[{}]", list.join(", "))
}

/// A constant's value in JS (integers beyond 2^53 as bigint), and its TypeScript type.
fn js_const(v: &ConstValue) -> (String, &'static str) {
    match v {
        ConstValue::Int(n) if *n <= 1 << 53 => (n.to_string(), "number"),
        ConstValue::Int(n) => (format!("{n}n"), "bigint"),
        ConstValue::Text(t) => (quote(t), "string"),
        ConstValue::TextList(list) => {
            let items: Vec<String> = list.iter().map(|t| quote(t)).collect();
            (format!("[{}]", items.join(", ")), "ReadonlyArray<string>")
        }
    }
}

fn js(schema: &[ProtocolSchema]) -> String {
    let mut out = banner("//");
    out.push_str(
        "// Every described type of every protocol as lib/wire.js compiles it, the operations (their
// index is the native `operation` number), the constants, and the core's protocol and error
// tables.
'use strict';

",
    );
    let protocols: Vec<String> = Protocol::ALL
        .iter()
        .map(|p| format!("{}: {}", p.name(), p.number()))
        .collect();
    let _ = writeln!(out, "const PROTOCOLS = {{ {} }};\n", protocols.join(", "));
    let codes: Vec<String> = ErrorKind::ALL
        .iter()
        .map(|k| quote(&format!("WIRE_{}", k.code().to_ascii_uppercase())))
        .collect();
    let _ = writeln!(out, "const ERROR_CODES = [{}];\n", codes.join(", "));
    out.push_str("const SCHEMA = {\n");
    for p in schema {
        let _ = writeln!(out, "  {}: {{", p.protocol.name());
        let _ = writeln!(out, "    frame: {},", quote(p.frame));
        out.push_str("    types: {\n");
        for t in &p.types {
            let _ = writeln!(out, "      {}: {},", quote(t.name), js_def(p, t));
        }
        for (entry, key, k, v) in map_entries(p) {
            let value = js_fields(p, record_fields(p, v));
            let _ = writeln!(
                out,
                "      {}: {{ record: [[{}, {{ ref: {} }}], {}] }},",
                quote(&entry),
                quote(&key),
                quote(k),
                &value[1..value.len() - 1]
            );
        }
        out.push_str("    },\n    operations: [\n");
        for op in &p.operations {
            let _ = writeln!(
                out,
                "      [{}, {}, {}, {}, {}],",
                quote(&camel(op.name)),
                js_params(p, &op.args),
                js_params(p, &op.returns),
                op.options,
                op.optional
            );
        }
        out.push_str("    ],\n    constants: {");
        for c in &p.constants {
            let _ = write!(out, " {}: {},", c.name, js_const(&c.value).0);
        }
        out.push_str(" },\n  },\n");
    }
    out.push_str("};\n\nmodule.exports = { PROTOCOLS, ERROR_CODES, SCHEMA };\n");
    out
}

// ---- TypeScript ----------------------------------------------------------------------------

/// A type name as a TypeScript identifier (`HelloReply.result` -> `HelloReply_result`).
fn ts_id(name: &str) -> String {
    name.replace('.', "_")
}

/// The TypeScript type of `ty`; `ns` prefixes the protocol's own types (outside its namespace);
/// `input`: an argument (bytes are any Uint8Array).
fn ts(ty: &Ty, ns: &str, input: bool) -> String {
    match ty {
        Ty::Bool => "boolean".into(),
        Ty::U8 | Ty::U16 | Ty::U32 | Ty::I32 => "number".into(),
        Ty::U64 | Ty::I64 => "bigint".into(),
        Ty::Bytes if input => "Uint8Array".into(),
        Ty::Bytes => "Buffer".into(),
        Ty::Text | Ty::SocketAddr => "string".into(),
        Ty::Json => "CanonicalJSON".into(),
        Ty::Ref(name) => format!("{ns}{}", ts_id(name)),
        Ty::List(t) => format!("Array<{}>", ts(t, ns, input)),
        Ty::Option(t) => format!("{} | null", ts(t, ns, input)),
        Ty::Map(..) => match map_entry(ty) {
            Some((entry, ..)) => format!("Array<{ns}{entry}>"),
            None => "Record<string, string>".into(),
        },
    }
}

fn ts_field(f: &Field) -> String {
    let optional = f.role != Role::Plain || matches!(f.ty, Ty::Option(_));
    format!(
        "{}{}: {}",
        camel(f.name),
        if optional { "?" } else { "" },
        ts(&f.ty, "", false)
    )
}

fn ts_decl(t: &TypeDef) -> String {
    let name = ts_id(t.name);
    let doc = t.doc.lines().next().filter(|d| !d.is_empty());
    let mut out = doc.map_or_else(String::new, |d| {
        format!("  /** {} */\n", d.replace("*/", "*\\/"))
    });
    match &t.kind {
        Kind::Enum { open, values, .. } => {
            let mut names: Vec<String> = values.iter().map(|v| quote(v.name)).collect();
            if *open {
                names.push("number".into());
            }
            let _ = write!(out, "  type {name} = {}", names.join(" | "));
        }
        Kind::Record { fields } => {
            let lines: String = fields
                .iter()
                .map(|f| format!("    {}\n", ts_field(f)))
                .collect();
            let _ = write!(out, "  interface {name} {{\n{lines}  }}");
        }
        Kind::Union { variants } => {
            let shape = union_shape(t.name, variants);
            let lines: Vec<String> = variants
                .iter()
                .map(|v| match shape {
                    UnionShape::Struct => {
                        let mut parts = Vec::new();
                        if !numeric_tag(v) {
                            parts.push(format!("type: {}", quote(v.name)));
                        }
                        parts.extend(v.fields.iter().map(|f| {
                            if f.name == "type" {
                                "type: number".to_owned()
                            } else {
                                ts_field(f)
                            }
                        }));
                        format!("    | {{ {} }}", parts.join("; "))
                    }
                    UnionShape::Flattened => format!(
                        "    | ({{ type: {} }} & {})",
                        quote(v.name),
                        ts_id(v.wraps.unwrap_or_default())
                    ),
                    UnionShape::Oneof => format!(
                        "    | {{ {}: {} }}",
                        v.name,
                        ts_id(v.wraps.unwrap_or_default())
                    ),
                })
                .collect();
            let _ = write!(out, "  type {name} =\n{}", lines.join("\n"));
        }
    }
    out
}

fn ts_op(p: &ProtocolSchema, op: &Operation) -> String {
    let ns = format!("{}.", p.protocol.name());
    let mut args: Vec<String> = op
        .args
        .iter()
        .map(|a| format!("{}: {}", camel(a.name), ts(&a.ty, &ns, true)))
        .collect();
    if op.options {
        args.push(format!("options?: {ns}Options"));
    }
    let result = match op.returns.as_slice() {
        [] => "void".to_owned(),
        [one] => ts(&one.ty, &ns, false),
        several => {
            let fields: Vec<String> = several
                .iter()
                .map(|r| format!("{}: {}", camel(r.name), ts(&r.ty, &ns, false)))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        }
    };
    let result = if op.optional {
        format!("{result} | null")
    } else {
        result
    };
    format!(
        "  /** {} */\n  {}({}): {result}",
        op.doc.replace("*/", "*\\/"),
        camel(op.name),
        args.join(", ")
    )
}

const DTS_HEAD: &str = "/// <reference types=\"node\" />
import type { Transform } from 'node:stream';

/** The canonical JSON form of the vectors: {type, fields}; integers beyond 2^53 are bigint. */
export interface CanonicalJSON {
  type: string
  fields: Record<string, unknown>
}
";

const DTS_API: &str = "
/** What every protocol module offers, over its message type M. */
export interface ProtocolApi<M, O> {
  /** Encode one frame into a new Buffer. */
  encode(msg: M, options?: O): Buffer
  /** Encode into `buf` at `offset`; returns the bytes written (RangeError when it does not fit). */
  encodeInto(msg: M, buf: Uint8Array, offset?: number, options?: O): number
  /** Decode exactly one frame; byte fields are views of `buf`. */
  decode(buf: Uint8Array, options?: O): M
  /** A streaming decoder. */
  Decoder: new (options?: O) => Decoder<M>
  /** An object-mode Transform: bytes in, messages out (for sockets). */
  decodeStream(options?: O): Transform
  /** The canonical JSON form (snake_case names, hex bytes, enum names). */
  toJSON(msg: M, options?: O): CanonicalJSON
  fromJSON(json: CanonicalJSON, options?: O): M
}

export interface Decoder<M> {
  /** Push a chunk; returns every frame now complete. */
  push(chunk: Uint8Array): M[]
  /** End of stream: throws WIRE_INCOMPLETE if a partial frame is buffered. */
  finish(): void
  readonly buffered: number
  readonly position: number
}

/** Limits every codec takes (the core's Limits). */
export interface Limits {
  maxFrameSize?: number | bigint
  maxDecompressedSize?: number | bigint
}
";

fn dts(schema: &[ProtocolSchema]) -> String {
    let mut out = banner("//");
    out.push_str(DTS_HEAD);
    let codes: Vec<String> = ErrorKind::ALL
        .iter()
        .map(|k| format!("'WIRE_{}'", k.code().to_ascii_uppercase()))
        .collect();
    let names: Vec<String> = Protocol::ALL
        .iter()
        .map(|p| format!("'{}'", p.name()))
        .collect();
    let _ = write!(
        out,
        "
/** A protocol's name. */
export type ProtocolName = {}

/** A codec error. */
export declare class WireError extends Error {{
  readonly code: {}
  /** The protocol, or null for errors of no protocol (a bad argument). */
  readonly protocol: ProtocolName | null
  /** Byte offset into the input (or the stream) where the problem was found. */
  readonly offset: number | null
  readonly reason: string
}}
",
        names.join(" | "),
        codes.join(" | ")
    );
    out.push_str(DTS_API);
    for p in schema {
        let name = p.protocol.name();
        let _ = write!(out, "\nexport declare namespace {name} {{\n");
        for t in &p.types {
            let _ = writeln!(out, "{}", ts_decl(t));
        }
        for (entry, key, k, v) in map_entries(p) {
            let lines: String = record_fields(p, v)
                .iter()
                .map(|f| format!("    {}\n", ts_field(f)))
                .collect();
            let _ = writeln!(
                out,
                "  /** An entry of a map from {k} to {v}. */\n  interface {entry} {{\n    {key}: {k}\n{lines}  }}"
            );
        }
        let options: Vec<String> = p
            .options
            .iter()
            .map(|o| {
                let ty = if o.values.is_empty() {
                    "number | bigint".to_owned()
                } else {
                    o.values
                        .iter()
                        .map(|v| format!("'{v}'"))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                format!(" {}?: {ty} ", camel(o.name))
            })
            .collect();
        let _ = writeln!(
            out,
            "  /** The codec's options. */\n  interface Options extends Limits {{{}}}",
            options.join(";")
        );
        let _ = writeln!(
            out,
            "  /** A frame as decode returns it. */\n  type Message = {}\n}}",
            ts_id(p.frame)
        );
        let mut extras: Vec<String> = p.operations.iter().map(|op| ts_op(p, op)).collect();
        extras.extend(p.constants.iter().map(|c| {
            format!(
                "  /** {} */\n  readonly {}: {}",
                c.doc,
                c.name,
                js_const(&c.value).1
            )
        }));
        let _ = writeln!(
            out,
            "export declare const {name}: ProtocolApi<{name}.Message, {name}.Options> & {{\n{}\n}}",
            extras.join("\n")
        );
    }
    let _ = write!(
        out,
        "
/** The library's version (the workspace's, from the addon). */
export declare const version: string
/** Best-effort protocol guess from a stream's first bytes. */
export declare function detect(prefix: Uint8Array): ProtocolName | null
/** The error codes, in the core's number order. */
export declare const ERROR_CODES: ReadonlyArray<WireError['code']>
/** JSON.parse keeping integers beyond 2^53 exact (bigint). */
export declare function parseJSON(text: string): any
/** JSON.stringify writing bigint as exact integers. */
export declare function stringifyJSON(value: unknown): string
"
    );
    out
}
