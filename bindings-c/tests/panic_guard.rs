//! Every `extern "C"` function runs its whole body inside the panic boundary (`ffi_fn!` or
//! `ffi_value`): a panic unwinding into C is undefined behaviour (or, since Rust 1.81, an
//! abort), so no export may do work outside it.

use std::path::PathBuf;

#[test]
fn every_export_runs_inside_the_panic_guard() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unguarded = Vec::new();
    let mut exports = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains("extern \"C\" fn ") {
                continue;
            }
            exports += 1;
            let name = line.split("fn ").nth(1).unwrap().split('(').next().unwrap();
            // The body: from the line ending the signature with `{` to the closing `}` at
            // column 0. Its first statement (comments aside) must be the guard, and the guard
            // must be the whole body.
            let open = (i..lines.len()).find(|&j| lines[j].ends_with('{')).unwrap();
            let close = (open..lines.len()).find(|&j| lines[j] == "}").unwrap();
            let body: Vec<&str> = lines[open + 1..close]
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty() && !l.starts_with("//"))
                .collect();
            let guarded = body.first().is_some_and(|first| {
                first.starts_with("ffi_fn!(") || first.starts_with("ffi_value(")
            }) && body.last().is_some_and(|last| *last == "})");
            if !guarded {
                unguarded.push(format!("{} ({})", name, path.display()));
            }
        }
    }
    assert!(
        exports > 50,
        "found only {exports} exports: is the scan broken?"
    );
    assert!(
        unguarded.is_empty(),
        "exports outside ffi_fn!/ffi_value: {unguarded:?}"
    );
}
