//! The exports of an OPA WebAssembly module (ABI 1.2 and later), looked up by name and typed
//! once per instance.

use wasmtime::{Instance, Store, TypedFunc, Val};

use super::host::HostState;
use crate::error::{Error, Result};

/// The ABI major version cupcake speaks.
const ABI_MAJOR: i32 = 1;
/// `opa_eval`, the single-call evaluation path, arrived in minor version 2.
const ABI_MIN_MINOR: i32 = 2;

/// `opa_eval(reserved, entrypoint, data, input, input_len, heap, format) -> result`.
type EvalFn = TypedFunc<(i32, i32, i32, i32, i32, i32, i32), i32>;

/// Typed handles on the exports cupcake calls.
#[derive(Clone)]
pub(crate) struct OpaExports {
    pub malloc: TypedFunc<i32, i32>,
    pub json_parse: TypedFunc<(i32, i32), i32>,
    pub json_dump: TypedFunc<i32, i32>,
    pub value_dump: TypedFunc<i32, i32>,
    pub heap_ptr_get: TypedFunc<(), i32>,
    pub eval: EvalFn,
    pub builtins: TypedFunc<(), i32>,
    pub entrypoints: TypedFunc<(), i32>,
}

impl OpaExports {
    /// Checks the ABI version and resolves every export cupcake needs.
    pub fn resolve(store: &mut Store<HostState>, instance: &Instance) -> Result<Self> {
        let major = global_i32(store, instance, "opa_wasm_abi_version")?;
        let minor = global_i32(store, instance, "opa_wasm_abi_minor_version")?;
        if major != ABI_MAJOR || minor < ABI_MIN_MINOR {
            return Err(Error::evaluation(format!(
                "policy module uses OPA wasm ABI {major}.{minor}; cupcake needs {ABI_MAJOR}.{ABI_MIN_MINOR} or a later 1.x (use OPA 1.x)"
            )));
        }
        Ok(Self {
            malloc: typed(store, instance, "opa_malloc")?,
            json_parse: typed(store, instance, "opa_json_parse")?,
            json_dump: typed(store, instance, "opa_json_dump")?,
            value_dump: typed(store, instance, "opa_value_dump")?,
            heap_ptr_get: typed(store, instance, "opa_heap_ptr_get")?,
            eval: typed(store, instance, "opa_eval")?,
            builtins: typed(store, instance, "builtins")?,
            entrypoints: typed(store, instance, "entrypoints")?,
        })
    }
}

fn typed<P, R>(
    store: &mut Store<HostState>,
    instance: &Instance,
    name: &str,
) -> Result<TypedFunc<P, R>>
where
    P: wasmtime::WasmParams,
    R: wasmtime::WasmResults,
{
    instance.get_typed_func::<P, R>(store, name).map_err(|err| {
        Error::evaluation(format!(
            "policy module lacks a usable `{name}` export: {err}"
        ))
    })
}

fn global_i32(store: &mut Store<HostState>, instance: &Instance, name: &str) -> Result<i32> {
    let global = instance.get_global(&mut *store, name).ok_or_else(|| {
        Error::evaluation(format!(
            "policy module has no `{name}` global; rebuild it with OPA 1.x"
        ))
    })?;
    match global.get(store) {
        Val::I32(value) => Ok(value),
        other => Err(Error::evaluation(format!(
            "`{name}` is {other:?}, not an i32"
        ))),
    }
}
