//! `vectors/` holds byte-identical copies of the references' vector files (`../shared/vectors`
//! beside the checkout, where present), plus wire's own `expectations.json`.

use std::path::PathBuf;

#[test]
fn vector_files_are_byte_identical_copies() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = root.join("../shared/vectors");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        println!(
            "SKIP vector_files_are_byte_identical_copies: {} is absent",
            shared.display()
        );
        return;
    };
    let mut checked = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap();
        let copy = root.join("vectors").join(name);
        let ours = std::fs::read(&copy)
            .unwrap_or_else(|e| panic!("{} is not copied: {e}", copy.display()));
        assert!(
            ours == std::fs::read(&path).unwrap(),
            "{} differs from {}",
            copy.display(),
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} vector files compared");
}
