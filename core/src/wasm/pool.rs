//! A compiled policy module and its pool of warm instances. An evaluation borrows an idle
//! instance (or makes one), and returns it only if the evaluation succeeded: an instance that
//! trapped or hit a limit is dropped with its memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use wasmtime::{ExternType, Linker, Module};

use super::clock;
use super::host::{self, HostState};
use super::instance::{PolicyInstance, Which};
use crate::builtins::{BuiltinFn, BuiltinTable};
use crate::error::{Error, Result};
use crate::options::Limits;

/// Idle instances kept beyond this are dropped; more threads than this still work.
const MAX_IDLE: usize = 64;

/// Compiles OPA's WebAssembly with Cranelift (the slow step a warm cache skips).
pub(crate) fn compile_module(wasm: &[u8]) -> Result<Module> {
    Module::new(clock::engine()?, wasm)
        .map_err(|err| Error::evaluation(format!("cannot compile policy module: {err:#}")))
}

/// Turns a module back into bytes for the compile cache.
pub(crate) fn serialize_module(module: &Module) -> Result<Vec<u8>> {
    module
        .serialize()
        .map_err(|err| Error::internal(format!("cannot serialize policy module: {err:#}")))
}

/// Maps a module file the compile cache produced with [`serialize_module`]. Mapping instead of
/// reading saves a warm start two copies of the module.
pub(crate) fn deserialize_module_file(file: std::fs::File) -> Result<Module> {
    // SAFETY: wasmtime trusts serialized modules to be its own output. This file comes from
    // cupcake's cache, written by `serialize_module` and checked against the length and CRC-32
    // recorded beside it just before this call, through this same open file; entries are replaced
    // by rename, never written in place. wasmtime still rejects files from another version or configuration. The cache lives
    // in the user's own directory (see SECURITY notes).
    #[expect(
        unsafe_code,
        reason = "deserializing a cached, checksummed wasmtime module"
    )]
    let module = unsafe { Module::deserialize_open_file(clock::engine()?, file) };
    module.map_err(|err| Error::internal(format!("cached module rejected: {err:#}")))
}

/// Everything needed to make instances of one compiled module.
pub(crate) struct LoadedModule {
    pub engine: wasmtime::Engine,
    pub module: Module,
    pub linker: Linker<HostState>,
    pub builtins: Arc<Vec<Option<(String, BuiltinFn)>>>,
    pub memory_min_pages: u64,
    pub limits: Limits,
    /// The data document (JSON text) every instance parses into its heap.
    pub data: Vec<u8>,
}

/// A loaded module plus its warm instances.
pub(crate) struct InstancePool {
    loaded: LoadedModule,
    entrypoint: i32,
    /// Every entrypoint the module exports, by `package/rule` path.
    entrypoints: HashMap<String, i32>,
    idle: Mutex<Vec<PolicyInstance>>,
}

impl InstancePool {
    /// Instantiates `module` once to check its ABI, bind its builtins and find `entrypoint`.
    /// `policies` names the policy files, for error messages.
    pub fn load(
        module: Module,
        entrypoint: &str,
        limits: Limits,
        table: &BuiltinTable,
        policies: &str,
    ) -> Result<Self> {
        Self::load_with_data(module, entrypoint, limits, table, policies, b"{}".to_vec())
    }

    /// As [`InstancePool::load`], with `data` (JSON text) as the data document.
    pub fn load_with_data(
        module: Module,
        entrypoint: &str,
        limits: Limits,
        table: &BuiltinTable,
        policies: &str,
        data: Vec<u8>,
    ) -> Result<Self> {
        let engine = clock::engine()?.clone();
        let memory_min_pages = module
            .imports()
            .find_map(|import| match import.ty() {
                ExternType::Memory(memory) if import.name() == "memory" => Some(memory.minimum()),
                _ => None,
            })
            .ok_or_else(|| {
                Error::evaluation(
                    "policy module imports no memory; was it built by `opa build -t wasm`?",
                )
            })?;
        let linker = host::base_linker(&engine)?;
        let mut loaded = LoadedModule {
            engine,
            module,
            linker,
            builtins: Arc::new(Vec::new()),
            memory_min_pages,
            limits,
            data,
        };

        let mut probe = PolicyInstance::with_builtins(&loaded, Arc::new(Vec::new()))?;
        let required = probe.dump_export(Which::Builtins)?;
        let required = required
            .as_object()
            .ok_or_else(|| Error::evaluation("module `builtins` export is not an object"))?;
        loaded.builtins = Arc::new(host::bind_builtins(table, required, policies)?);
        probe.set_builtins(Arc::clone(&loaded.builtins));

        let entrypoints = probe.dump_export(Which::Entrypoints)?;
        let id = entrypoints
            .get(entrypoint)
            .and_then(serde_json::Value::as_i64)
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| {
                Error::evaluation(format!(
                    "policy module has no entrypoint `{entrypoint}` (found {entrypoints})"
                ))
            })?;
        let entrypoints = entrypoints
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(name, id)| Some((name.clone(), i32::try_from(id.as_i64()?).ok()?)))
            .collect();
        Ok(Self {
            loaded,
            entrypoint: id,
            entrypoints,
            idle: Mutex::new(vec![probe]),
        })
    }

    /// The id of the entrypoint at `path` (`package/rule`), when the module has it.
    pub fn entrypoint_id(&self, path: &str) -> Option<i32> {
        self.entrypoints.get(path).copied()
    }

    /// Evaluates one input on an instance made for it alone and then dropped: the reference
    /// the pooled path is tested against.
    pub fn evaluate_fresh(&self, input: &[u8]) -> Result<String> {
        self.evaluate_fresh_at(self.entrypoint, input)
    }

    /// As [`InstancePool::evaluate_fresh`], at the entrypoint with id `entrypoint`.
    pub fn evaluate_fresh_at(&self, entrypoint: i32, input: &[u8]) -> Result<String> {
        PolicyInstance::new(&self.loaded)?.evaluate(entrypoint, input, &self.loaded)
    }

    /// Evaluates one input (JSON text) on a warm instance and returns the result-set JSON text.
    pub fn evaluate(&self, input: &[u8]) -> Result<String> {
        self.evaluate_at(self.entrypoint, input)
    }

    /// As [`InstancePool::evaluate`], at the entrypoint with id `entrypoint`.
    pub fn evaluate_at(&self, entrypoint: i32, input: &[u8]) -> Result<String> {
        self.with_warm_instance(|instance, loaded| instance.evaluate(entrypoint, input, loaded))
    }

    /// Runs `work` on an idle instance (or a new one) and keeps the instance for the next call
    /// only if `work` succeeded.
    fn with_warm_instance<T>(
        &self,
        work: impl FnOnce(&mut PolicyInstance, &LoadedModule) -> Result<T>,
    ) -> Result<T> {
        let reused = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut instance = match reused {
            Some(instance) => instance,
            None => PolicyInstance::new(&self.loaded)?,
        };
        let output = work(&mut instance, &self.loaded)?;
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(instance);
        }
        Ok(output)
    }

    /// Names of the host builtins this module calls.
    pub fn builtin_names(&self) -> Vec<String> {
        self.loaded
            .builtins
            .iter()
            .flatten()
            .map(|(name, _)| name.clone())
            .collect()
    }
}
