//! Generates the `UniFFI` scaffolding from `interface.udl`, the one definition of the foreign
//! API. The bindings generators (maturin's and uniffi-bindgen-node-js) look for the UDL a library
//! was built from at `<crate>/src/<name>.udl`, so `src/cupcake.udl` is a symbolic link to it.

fn main() {
    let definition = "src/cupcake.udl";
    println!("cargo:rerun-if-changed={definition}");
    println!("cargo:rerun-if-changed=../interface.udl");
    uniffi::generate_scaffolding(definition).expect("interface.udl must be valid UDL");
}
