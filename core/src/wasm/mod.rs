//! Runs OPA-compiled policies in wasmtime: one process-wide wasmtime engine with an epoch
//! ticker for deadlines, the OPA WebAssembly ABI, host imports, and a pool of warm instances.

mod abi;
mod clock;
mod host;
mod instance;
mod pool;

pub(crate) use pool::{compile_module, deserialize_module_file, serialize_module, InstancePool};
