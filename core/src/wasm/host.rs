//! Host side of an OPA module: the per-store state, the memory cap, and the `env` imports
//! (`opa_abort`, `opa_println`, `opa_builtin0..4`) that route builtin calls to cupcake's
//! host implementations.

use std::sync::Arc;

use wasmtime::{Caller, Linker, Memory, ResourceLimiter};

use super::abi::OpaExports;
use crate::builtins::{BuiltinFn, BuiltinTable, Term};
use crate::error::{Error, Result};

/// Data owned by one store, i.e. by one policy instance.
pub(crate) struct HostState {
    /// The instance's linear memory, imported as `env.memory`.
    pub memory: Option<Memory>,
    /// The instance's exports, for builtins that move values in and out of the heap. Shared,
    /// so a builtin call takes a reference count instead of copying every typed handle.
    pub exports: Option<Arc<OpaExports>>,
    /// Host builtins indexed by the module's builtin id.
    pub builtins: Arc<Vec<Option<(String, BuiltinFn)>>>,
    /// Largest linear memory allowed, in bytes.
    pub memory_cap: usize,
    /// Set when the cap refused a growth, so the resulting trap is reported as a limit.
    pub memory_cap_hit: bool,
    /// The first error a host builtin raised during the current evaluation.
    pub builtin_error: Option<Error>,
}

impl HostState {
    pub fn new(memory_cap: usize) -> Self {
        Self {
            memory: None,
            exports: None,
            builtins: Arc::new(Vec::new()),
            memory_cap,
            memory_cap_hit: false,
            builtin_error: None,
        }
    }
}

impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.memory_cap;
        if !allowed {
            self.memory_cap_hit = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// A linker with every `env` import except the memory, which each store defines itself.
pub(crate) fn base_linker(engine: &wasmtime::Engine) -> Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    let wrap = |err: wasmtime::Error| Error::internal(format!("cannot define host import: {err}"));
    linker
        .func_wrap(
            "env",
            "opa_abort",
            |mut caller: Caller<'_, HostState>, addr: i32| -> wasmtime::Result<()> {
                let message = read_c_string(&mut caller, addr);
                Err(wasmtime::Error::msg(format!("policy aborted: {message}")))
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_println",
            |mut caller: Caller<'_, HostState>, addr: i32| {
                let message = read_c_string(&mut caller, addr);
                tracing::debug!(target: "cupcake::policy", %message, "policy print");
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_builtin0",
            |mut caller: Caller<'_, HostState>, id: i32, _ctx: i32| {
                call_builtin(&mut caller, id, &[])
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_builtin1",
            |mut caller: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32| {
                call_builtin(&mut caller, id, &[a])
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_builtin2",
            |mut caller: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32, b: i32| {
                call_builtin(&mut caller, id, &[a, b])
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_builtin3",
            |mut caller: Caller<'_, HostState>, id: i32, _ctx: i32, a: i32, b: i32, c: i32| {
                call_builtin(&mut caller, id, &[a, b, c])
            },
        )
        .map_err(wrap)?;
    linker
        .func_wrap(
            "env",
            "opa_builtin4",
            |mut caller: Caller<'_, HostState>,
             id: i32,
             _ctx: i32,
             a: i32,
             b: i32,
             c: i32,
             d: i32| { call_builtin(&mut caller, id, &[a, b, c, d]) },
        )
        .map_err(wrap)?;
    Ok(linker)
}

/// Resolves a module's builtin ids to host implementations, refusing any the host lacks.
pub(crate) fn bind_builtins(
    table: &BuiltinTable,
    required: &serde_json::Map<String, serde_json::Value>,
    policies: &str,
) -> Result<Vec<Option<(String, BuiltinFn)>>> {
    let mut bound: Vec<Option<(String, BuiltinFn)>> = Vec::new();
    for (name, id) in required {
        let id = id
            .as_u64()
            .and_then(|id| usize::try_from(id).ok())
            .ok_or_else(|| {
                Error::evaluation(format!("builtin `{name}` has a malformed id {id}"))
            })?;
        let function = table.get(name).ok_or_else(|| Error::UnsupportedBuiltin {
            builtin: name.clone(),
            policies: policies.to_string(),
        })?;
        if bound.len() <= id {
            bound.resize(id + 1, None);
        }
        bound[id] = Some((name.clone(), function));
    }
    Ok(bound)
}

/// Dumps the operands as Rego values, runs the host builtin and parses its result into the
/// heap.
fn call_builtin(
    caller: &mut Caller<'_, HostState>,
    id: i32,
    args: &[i32],
) -> wasmtime::Result<i32> {
    let builtins = Arc::clone(&caller.data().builtins);
    let entry = usize::try_from(id)
        .ok()
        .and_then(|id| builtins.get(id))
        .and_then(Option::as_ref);
    let Some((name, function)) = entry else {
        return Err(wasmtime::Error::msg(format!(
            "policy called unknown builtin id {id}"
        )));
    };
    let _span = tracing::debug_span!("builtin", name = %name).entered();
    let exports = caller
        .data()
        .exports
        .as_ref()
        .map(Arc::clone)
        .ok_or_else(|| {
            wasmtime::Error::msg("builtin called before the instance was initialised")
        })?;
    // Each kind reads its operands once, in the form it uses: JSON builtins through the
    // module's JSON dump, Rego-value builtins through its value dump.
    let outcome = match function {
        BuiltinFn::Json(run) => {
            let mut operands = Vec::with_capacity(args.len());
            for &addr in args {
                let text_addr = exports.json_dump.call(&mut *caller, addr)?;
                let text = read_c_string(caller, text_addr);
                let value = serde_json::from_str::<serde_json::Value>(&text).map_err(|err| {
                    fail(
                        caller,
                        name,
                        &format!("unreadable operand from the module: {err}"),
                    )
                })?;
                operands.push(value);
            }
            run(&operands)
        }
        BuiltinFn::Terms(run) => {
            let mut operands = Vec::with_capacity(args.len());
            for &addr in args {
                let text_addr = exports.value_dump.call(&mut *caller, addr)?;
                let text = read_c_string(caller, text_addr);
                let term = Term::parse(&text).map_err(|err| fail(caller, name, &err))?;
                operands.push(term);
            }
            run(&operands)
        }
    };
    let result = outcome.map_err(|err| fail(caller, name, &format!("failed: {err}")))?;
    let bytes = serde_json::to_vec(&result)?;
    let len = i32::try_from(bytes.len())?;
    let addr = exports.malloc.call(&mut *caller, len)?;
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| wasmtime::Error::msg("instance has no memory"))?;
    memory.write(&mut *caller, usize::try_from(addr)?, &bytes)?;
    let parsed = exports.json_parse.call(&mut *caller, (addr, len))?;
    if parsed == 0 {
        // The module reads a null result as "undefined": a deny built on it would not fire.
        return Err(fail(caller, name, "its result could not be read"));
    }
    Ok(parsed)
}

/// Records an evaluation error for builtin `name` (the first of the evaluation wins) and
/// returns the trap that ends the call, so the evaluation fails rather than reads undefined.
fn fail(caller: &mut Caller<'_, HostState>, name: &str, what: &str) -> wasmtime::Error {
    let name = crate::redirect::restore_names(name);
    let error = Error::evaluation(format!("builtin `{name}` {what}"));
    let message = error.to_string();
    caller.data_mut().builtin_error.get_or_insert(error);
    wasmtime::Error::msg(message)
}

/// Reads a NUL-terminated string from the instance's memory; invalid UTF-8 is replaced.
fn read_c_string(caller: &mut Caller<'_, HostState>, addr: i32) -> String {
    let Some(memory) = caller.data().memory else {
        return String::new();
    };
    super::instance::c_string_at(memory.data(caller), addr)
}
