//! No build artefact is tracked in git: no native library or addon (`*.so`, `*.so.*`, `*.node`,
//! `*.a`, `*.dylib`, `*.rlib`, `*.pyd`) and no file over 1 MiB outside the vectors and the fuzz
//! corpus. Skipped (with a `SKIP` line) where git or a checkout is absent, e.g. a source tarball.

use std::path::{Path, PathBuf};
use std::process::Command;

const MAX_SIZE: u64 = 1 << 20;
/// Where large committed data is expected.
const LARGE_OK: [&str; 2] = ["vectors/", "fuzz/corpus/"];
const ARTEFACT_SUFFIXES: [&str; 6] = [".so", ".node", ".a", ".dylib", ".rlib", ".pyd"];

/// Why `path` (relative to the workspace root) looks like a build artefact, if it does.
fn offence(root: &Path, path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let artefact = ARTEFACT_SUFFIXES.iter().any(|s| name.ends_with(s)) || name.contains(".so.");
    if artefact {
        return Some(format!("{path} (build artefact by name)"));
    }
    if LARGE_OK.iter().any(|dir| path.starts_with(dir)) {
        return None;
    }
    // A tracked file deleted from the work tree has no size to check.
    let size = std::fs::metadata(root.join(path)).ok()?.len();
    (size > MAX_SIZE).then(|| format!("{path} ({size} bytes, over {MAX_SIZE})"))
}

#[test]
fn no_build_artefact_is_tracked() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = match Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&root)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!("SKIP tracked_files: git not runnable ({e})");
            return;
        }
    };
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        println!("SKIP tracked_files: not a git checkout ({})", err.trim());
        return;
    }
    let listing = String::from_utf8_lossy(&output.stdout);
    let offending: Vec<String> = listing
        .split('\0')
        .filter(|p| !p.is_empty())
        .filter_map(|p| offence(&root, p))
        .collect();
    assert!(
        offending.is_empty(),
        "build artefacts are tracked in git (git rm --cached them and ignore them):\n  {}",
        offending.join("\n  ")
    );
}

#[test]
fn artefact_names_are_recognised() {
    let root = Path::new("/nonexistent");
    for bad in [
        "bindings-python/python/wire/_wire.cpython-311-x86_64-linux-gnu.so",
        "lib/libwire.so.0.1",
        "bindings-node/wire.linux-x64-gnu.node",
        "target/release/libwire.a",
        "libwire.dylib",
        "deps/libwire_core.rlib",
        "wire/_wire.pyd",
    ] {
        assert!(offence(root, bad).is_some(), "{bad} not flagged");
    }
    for fine in [
        "core/src/lib.rs",
        "bindings-c/include/libwire.h",
        "vectors/big.json",
        "a.sock",
    ] {
        assert!(offence(root, fine).is_none(), "{fine} flagged");
    }
}
