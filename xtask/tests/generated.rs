//! Every committed generated file equals a fresh generation.

#[test]
fn generated_files_are_current() {
    let stale = xtask::stale();
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p xtask -- gen`): {stale:?}"
    );
}
