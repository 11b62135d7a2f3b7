//! `cargo run -p xtask -- gen`: write every generated file; `-- check`: list stale ones and exit 1.

use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("gen") => {
            for o in xtask::outputs() {
                let path = xtask::root().join(&o.path);
                if let Err(e) = std::fs::write(&path, &o.contents) {
                    eprintln!("xtask: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("wrote {}", o.path.display());
            }
            ExitCode::SUCCESS
        }
        Some("check") => {
            let stale = xtask::stale();
            for path in &stale {
                eprintln!(
                    "stale: {} (run `cargo run -p xtask -- gen`)",
                    path.display()
                );
            }
            if stale.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- gen | check");
            ExitCode::from(2)
        }
    }
}
