//! Turns a discovered policy set into a ready instance pool: from the compile cache when an
//! intact entry exists for exactly these inputs, else by running OPA and Cranelift and storing
//! the result for the next start.

use std::path::PathBuf;

use crate::builtins::BuiltinTable;
use crate::cache::{CompileCache, Entry, KeyBuilder};
use crate::compiler;
use crate::error::{Error, Result};
use crate::opa;
use crate::options::EngineOptions;
use crate::policy::{PolicySet, Scope};
use crate::wasm::{self, InstancePool};

/// Loads the module for `set`, using and filling the compile cache.
pub fn load(set: &PolicySet, options: &EngineOptions) -> Result<InstancePool> {
    let table = BuiltinTable::standard();
    let cache = cache_root(options).map(CompileCache::new);
    let key = cache_key(set, options)?;
    if let (Some(cache), Some(key)) = (&cache, &key) {
        if let Some(native) = cache.load_native(key) {
            let pool = wasm::deserialize_module_file(&native).and_then(|module| {
                InstancePool::load(module, &set.scope.entrypoint(), options.limits, &table, "")
            });
            match pool {
                Ok(pool) => {
                    tracing::debug!(key = %key, "compile cache hit");
                    return Ok(pool);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cached module unusable; recompiling");
                    cache.discard(key);
                }
            }
        }
    }

    let opa = opa::locate(options)?;
    // OPA downloaded just now had no key yet; key the entry so the next start finds it.
    let key = key.map_or_else(|| cache_key(set, options), |key| Ok(Some(key)))?;
    tracing::debug!(opa = %opa.path.display(), version = %opa.version, "compiling policies");
    let wasm = compiler::compile(&opa, set, options.limits.compile_timeout)?;
    let module = wasm::compile_module(&wasm)?;
    let native = wasm::serialize_module(&module)?;
    let pool = InstancePool::load(module, &set.scope.entrypoint(), options.limits, &table, "")
        .map_err(|err| name_builtin_users(err, set))?;
    if let (Some(cache), Some(key)) = (&cache, &key) {
        // OPA read the policy files again after they were hashed. A file edited in between
        // would leave a module built from the new text under the old text's key, and a later
        // start with the old text would load it. Such a build serves this engine only.
        if cache_key(set, options).ok().flatten().as_ref() == Some(key) {
            cache.store(key, &Entry { wasm, native });
        } else {
            tracing::warn!("policies changed while compiling; this build is not cached");
        }
    }
    Ok(pool)
}

/// Loads an already compiled module (from a bundle): no OPA; Cranelift only on a cache miss.
pub fn load_wasm(wasm: &[u8], scope: Scope, options: &EngineOptions) -> Result<InstancePool> {
    let table = BuiltinTable::standard();
    let cache = cache_root(options).map(CompileCache::new);
    let mut key = KeyBuilder::new();
    key.add("<bundled module>", wasm);
    let key = key.finish();
    if let Some(native) = cache.as_ref().and_then(|cache| cache.load_native(&key)) {
        if let Ok(pool) = wasm::deserialize_module_file(&native).and_then(|module| {
            InstancePool::load(module, &scope.entrypoint(), options.limits, &table, "")
        }) {
            return Ok(pool);
        }
    }
    let module = wasm::compile_module(wasm)?;
    let native = wasm::serialize_module(&module)?;
    let pool = InstancePool::load(
        module,
        &scope.entrypoint(),
        options.limits,
        &table,
        "bundled policies",
    )?;
    if let Some(cache) = &cache {
        cache.store(
            &key,
            &Entry {
                wasm: wasm.to_vec(),
                native,
            },
        );
    }
    Ok(pool)
}

/// `<cache_dir>/compiled`, from the option or the user's cache directory.
fn cache_root(options: &EngineOptions) -> Option<PathBuf> {
    options
        .cache_dir
        .clone()
        .or_else(crate::dirs::cache_dir)
        .map(|dir| dir.join("compiled"))
}

/// The key of `set` with the OPA binary that would compile it, or `None` when no OPA binary
/// exists (a cold compile then reports it missing).
fn cache_key(set: &PolicySet, options: &EngineOptions) -> Result<Option<String>> {
    let Some(opa_identity) = opa::candidate(options).and_then(|p| opa::identity(&p)) else {
        return Ok(None);
    };
    let mut key = KeyBuilder::new();
    key.add("opa", opa_identity.as_bytes());
    for path in compiler::input_files(set) {
        let bytes = fs_err::read(&path)
            .map_err(|err| Error::config(&path, format!("cannot read policy: {err}")))?;
        let name = path.strip_prefix(&set.root).unwrap_or(&path);
        key.add(&name.to_string_lossy(), &bytes);
    }
    key.add("<entrypoint>", set.scope.entrypoint().as_bytes());
    if set.system.is_none() {
        key.add(
            "<builtin aggregation>",
            crate::aggregation::for_set(set).as_bytes(),
        );
    }
    Ok(Some(key.finish()))
}

/// Fills in which policy files mention an unsupported builtin.
fn name_builtin_users(err: Error, set: &PolicySet) -> Error {
    let Error::UnsupportedBuiltin { builtin, .. } = err else {
        return err;
    };
    let needle = format!("{builtin}(");
    let users: Vec<String> = compiler::input_files(set)
        .into_iter()
        .filter(|path| fs_err::read_to_string(path).is_ok_and(|src| src.contains(&needle)))
        .map(|path| path.display().to_string())
        .collect();
    let policies = if users.is_empty() {
        "called from a policy in this set".to_string()
    } else {
        format!("used in {}", users.join(", "))
    };
    Error::UnsupportedBuiltin { builtin, policies }
}
