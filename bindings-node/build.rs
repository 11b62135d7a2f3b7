//! napi-rs linker setup.

fn main() {
    napi_build::setup();
}
