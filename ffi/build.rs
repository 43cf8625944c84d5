//! Generates the `UniFFI` scaffolding from `src/cupcake.udl`, after checking that it is an exact
//! copy of the workspace's `interface.udl`, the one definition of the foreign API. The copy has
//! to exist: the bindings generators (maturin's and uniffi-bindgen-node-js) read the UDL a
//! library was built from at `<crate>/src/<name>.udl`, where `<name>` is the file's stem.

use std::path::Path;

fn main() {
    let copy = Path::new("src/cupcake.udl");
    let source = Path::new("../interface.udl");
    println!("cargo:rerun-if-changed={}", copy.display());
    println!("cargo:rerun-if-changed={}", source.display());
    // A packaged crate has no workspace around it; its copy is then the definition.
    if let Ok(definition) = std::fs::read(source) {
        let copied = std::fs::read(copy).expect("ffi/src/cupcake.udl must exist: run `just gen`");
        assert!(
            definition == copied,
            "ffi/src/cupcake.udl differs from interface.udl: run `just gen` to copy it and regenerate the bindings"
        );
    }
    uniffi::generate_scaffolding("src/cupcake.udl").expect("interface.udl must be valid UDL");
}
