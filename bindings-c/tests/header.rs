//! The committed `include/libwire.h` is exactly what the pinned cbindgen generates from the
//! sources and `cbindgen.toml` (as rustls-ffi's `ensure-header-updated` and hyper's
//! `gen_header.sh --verify`), and its version macros match Cargo.toml. Regenerate with
//! `WIRE_BLESS=1 cargo test -p wire-c --test header`.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let mut config = cbindgen::Config::from_file(root().join("cbindgen.toml")).unwrap();
    // Some generated structs are reached only through `void *` (typed by a type number, e.g.
    // wire_broker_type), so cbindgen would not emit them: export every generated struct.
    let generated = std::fs::read_to_string(root().join("src/generated.rs")).unwrap();
    config.export.include.extend(
        generated
            .lines()
            .filter_map(|l| l.strip_prefix("pub struct "))
            .map(|rest| rest.trim_end_matches(" {").to_string()),
    );
    let bindings = cbindgen::Builder::new()
        .with_crate(root())
        .with_config(config)
        .generate()
        .expect("cbindgen");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn header_is_up_to_date() {
    let path = root().join("include/libwire.h");
    let generated = generate();
    if std::env::var_os("WIRE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/libwire.h is stale: run WIRE_BLESS=1 cargo test -p wire-c --test header"
    );
}

/// `#define NAME value` of the committed header.
fn define(header: &str, name: &str) -> String {
    header
        .lines()
        .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
        .unwrap_or_else(|| panic!("no #define {name} in libwire.h"))
        .trim()
        .to_string()
}

#[test]
fn header_version_matches_cargo_toml() {
    let header = std::fs::read_to_string(root().join("include/libwire.h")).unwrap();
    let found = format!(
        "{}.{}.{}",
        define(&header, "WIRE_VERSION_MAJOR"),
        define(&header, "WIRE_VERSION_MINOR"),
        define(&header, "WIRE_VERSION_PATCH")
    );
    assert_eq!(found, env!("CARGO_PKG_VERSION"));
}

/// Status values are ABI: they are never renumbered (1..=7 are the core's kind numbers).
#[test]
fn status_values_are_stable() {
    let header = std::fs::read_to_string(root().join("include/libwire.h")).unwrap();
    for (name, value) in [
        ("WIRE_OK", 0),
        ("WIRE_INCOMPLETE", 1),
        ("WIRE_MALFORMED", 2),
        ("WIRE_TOO_LARGE", 3),
        ("WIRE_UNSUPPORTED_VERSION", 4),
        ("WIRE_INVALID_UTF8", 5),
        ("WIRE_TRAILING_BYTES", 6),
        ("WIRE_INVALID_ARGUMENT", 7),
        ("WIRE_NULL_ARGUMENT", 100),
        ("WIRE_BUFFER_TOO_SMALL", 101),
        ("WIRE_PANIC", 102),
    ] {
        assert!(
            header.contains(&format!("  {name} = {value},")),
            "{name} = {value} missing from libwire.h"
        );
    }
    for kind in wire_core::ErrorKind::ALL {
        let name = format!("WIRE_{}", kind.code().to_uppercase());
        assert!(
            header.contains(&format!("  {name} = {},", kind.number())),
            "{name} does not carry the core's number {}",
            kind.number()
        );
    }
}
