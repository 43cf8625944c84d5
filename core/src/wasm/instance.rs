//! One instantiated policy module with its own store and linear memory. The data document is
//! parsed into the heap once; each evaluation writes its input above that point and resets the
//! heap there, so nothing from one evaluation survives into the next.

use std::sync::Arc;

use wasmtime::{Memory, MemoryType, Store, Trap};

use super::abi::OpaExports;
use super::clock;
use super::host::HostState;
use super::pool::LoadedModule;
use crate::error::{Error, Result};

const PAGE: usize = 64 * 1024;
/// `opa_eval` result format: JSON text.
const FORMAT_JSON: i32 = 0;

/// A warm instance, ready to evaluate.
pub(crate) struct PolicyInstance {
    store: Store<HostState>,
    exports: OpaExports,
    memory: Memory,
    data_addr: i32,
    base_heap: i32,
}

impl PolicyInstance {
    /// Instantiates the module in a fresh store, with the module's bound builtins.
    pub fn new(loaded: &LoadedModule) -> Result<Self> {
        Self::with_builtins(loaded, Arc::clone(&loaded.builtins))
    }

    /// Instantiates with an explicit builtin table (empty while probing a new module).
    pub fn with_builtins(
        loaded: &LoadedModule,
        builtins: Arc<Vec<Option<(String, crate::builtins::BuiltinFn)>>>,
    ) -> Result<Self> {
        let _running = clock::Running::start();
        let mut state = HostState::new(loaded.limits.memory_bytes);
        state.builtins = builtins;
        let mut store = Store::new(&loaded.engine, state);
        store.limiter(|state| state);
        store.set_epoch_deadline(clock::ticks_for(loaded.limits.timeout));
        store.epoch_deadline_trap();
        let min_pages = u32::try_from(loaded.memory_min_pages)
            .map_err(|_| Error::evaluation("policy module asks for more than 4 GiB of memory"))?;
        let memory = Memory::new(&mut store, MemoryType::new(min_pages, None))
            .map_err(|err| Error::internal(format!("cannot create policy memory: {err}")))?;
        store.data_mut().memory = Some(memory);
        let mut linker = loaded.linker.clone();
        linker
            .define(&store, "env", "memory", memory)
            .map_err(|err| Error::internal(format!("cannot link policy memory: {err}")))?;
        let instance = linker
            .instantiate(&mut store, &loaded.module)
            .map_err(|err| Error::evaluation(format!("cannot instantiate policy module: {err}")))?;
        let exports = OpaExports::resolve(&mut store, &instance)?;
        store.data_mut().exports = Some(Arc::new(exports.clone()));

        let data = loaded.data.as_slice();
        let data_len = i32::try_from(data.len())
            .map_err(|_| Error::invalid_input("policy data is larger than 2 GiB"))?;
        let data_addr = write_bytes(&mut store, &exports, memory, data)
            .and_then(|addr| exports.json_parse.call(&mut store, (addr, data_len)))
            .map_err(|err| Error::evaluation(format!("cannot load policy data: {err}")))?;
        if data_addr == 0 {
            return Err(Error::evaluation("policy data is not valid JSON"));
        }
        let base_heap = exports
            .heap_ptr_get
            .call(&mut store, ())
            .map_err(|err| Error::evaluation(format!("cannot read policy heap: {err}")))?;
        Ok(Self {
            store,
            exports,
            memory,
            data_addr,
            base_heap,
        })
    }

    /// Calls a zero-argument export that returns a JSON value, e.g. `builtins` or `entrypoints`.
    pub fn dump_export(&mut self, which: Which) -> Result<serde_json::Value> {
        let _running = clock::Running::start();
        let function = match which {
            Which::Builtins => self.exports.builtins.clone(),
            Which::Entrypoints => self.exports.entrypoints.clone(),
        };
        let value = function
            .call(&mut self.store, ())
            .and_then(|addr| self.exports.json_dump.call(&mut self.store, addr))
            .map_err(|err| Error::evaluation(format!("cannot read module {which:?}: {err}")))?;
        let text = c_string_at(self.memory.data(&self.store), value);
        serde_json::from_str(&text)
            .map_err(|err| Error::evaluation(format!("module {which:?} is not JSON: {err}")))
    }

    /// Replaces the builtin table once the probe has bound it.
    pub fn set_builtins(
        &mut self,
        builtins: Arc<Vec<Option<(String, crate::builtins::BuiltinFn)>>>,
    ) {
        self.store.data_mut().builtins = builtins;
    }

    /// Evaluates `entrypoint` against `input` (JSON text) and returns the result-set JSON text.
    /// After an error the instance must be discarded.
    pub fn evaluate(
        &mut self,
        entrypoint: i32,
        input: &[u8],
        loaded: &LoadedModule,
    ) -> Result<String> {
        let _running = clock::Running::start();
        let input_len = self.write_input(input, loaded)?;
        let heap_after_input = self.base_heap + input_len;
        let result_addr = self
            .exports
            .eval
            .call(
                &mut self.store,
                (
                    0,
                    entrypoint,
                    self.data_addr,
                    self.base_heap,
                    input_len,
                    heap_after_input,
                    FORMAT_JSON,
                ),
            )
            .map_err(|err| self.classify(&err, loaded))?;
        Ok(c_string_at(self.memory.data(&self.store), result_addr))
    }

    /// Arms the deadline, clears the last evaluation's flags and writes `input` at the base of
    /// the heap, growing memory when it does not fit; returns the input's length.
    fn write_input(&mut self, input: &[u8], loaded: &LoadedModule) -> Result<i32> {
        self.store
            .set_epoch_deadline(clock::ticks_for(loaded.limits.timeout));
        let state = self.store.data_mut();
        state.memory_cap_hit = false;
        state.builtin_error = None;
        crate::builtins::start_evaluation();

        let input_len = i32::try_from(input.len())
            .map_err(|_| Error::invalid_input("event is larger than 2 GiB"))?;
        let base = usize::try_from(self.base_heap).map_err(Error::internal)?;
        let needed = base + input.len() + PAGE;
        let have = self.memory.data_size(&self.store);
        if needed > have {
            let pages = u64::try_from((needed - have).div_ceil(PAGE)).map_err(Error::internal)?;
            self.memory
                .grow(&mut self.store, pages)
                .map_err(|err| self.classify(&err, loaded))?;
        }
        self.memory
            .write(&mut self.store, base, input)
            .map_err(|err| Error::internal(format!("cannot write input: {err}")))?;
        Ok(input_len)
    }

    /// Turns a wasmtime failure into the error the caller should see.
    fn classify(&mut self, err: &wasmtime::Error, loaded: &LoadedModule) -> Error {
        if let Some(error) = self.store.data_mut().builtin_error.take() {
            return error;
        }
        if self.store.data().memory_cap_hit {
            return Error::LimitExceeded {
                limit: format!(
                    "memory limit of {} MiB",
                    self.store.data().memory_cap / (1024 * 1024)
                ),
            };
        }
        if matches!(err.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
            return Error::LimitExceeded {
                limit: format!(
                    "evaluation deadline of {} ms",
                    loaded.limits.timeout.as_millis()
                ),
            };
        }
        Error::evaluation(format!("policy module failed: {err:#}"))
    }
}

/// Which zero-argument JSON export to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    Builtins,
    Entrypoints,
}

fn write_bytes(
    store: &mut Store<HostState>,
    exports: &OpaExports,
    memory: Memory,
    bytes: &[u8],
) -> wasmtime::Result<i32> {
    let addr = exports
        .malloc
        .call(&mut *store, i32::try_from(bytes.len())?)?;
    memory.write(&mut *store, usize::try_from(addr)?, bytes)?;
    Ok(addr)
}

/// Reads a NUL-terminated string at `addr`; out-of-range addresses give an empty string.
pub(crate) fn c_string_at(memory: &[u8], addr: i32) -> String {
    let Ok(start) = usize::try_from(addr) else {
        return String::new();
    };
    let Some(tail) = memory.get(start..) else {
        return String::new();
    };
    let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
    String::from_utf8_lossy(&tail[..end]).into_owned()
}
