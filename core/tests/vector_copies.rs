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
        let Ok(ours) = std::fs::read(&copy) else {
            // A reference file the project does not use yet (issue-specific vectors are copied
            // by the work that uses them).
            println!("not copied yet: {}", name.to_string_lossy());
            continue;
        };
        assert!(
            ours == std::fs::read(&path).unwrap(),
            "{} differs from {}",
            copy.display(),
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} vector files compared");
}
