//! Gives `libwire.so` its SONAME, `libwire.so.<major>`: programs linked against it record that
//! name and load the library through the installed `libwire.so.0` link, not the dev link.
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("set by cargo");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwire.so.{major}");
}
