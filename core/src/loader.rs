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
    let cache = Some(CompileCache::new(cache_root(options)?));
    // Keying the sources and finding the entry; ends before the entry is mapped or compiled.
    let mut reading = Some(tracing::info_span!("cupcake.load.cache_read").entered());
    let sources = sources_key(set);
    let key = cache_key(&sources, set, options);
    // With no OPA on PATH or in the cache to key on, the entry last compiled from these sources
    // is used, so a warm start needs no OPA at all. An OPA path the caller or the rulebook named
    // has to exist: a wrong one is reported, not papered over.
    let named_opa = options.opa_path.is_some()
        || set
            .rulebook
            .opa
            .as_ref()
            .is_some_and(|pin| pin.path.is_some());
    let found = key.clone().or_else(|| {
        (!named_opa)
            .then(|| cache.as_ref().and_then(|cache| cache.last_for(&sources)))
            .flatten()
    });
    if let (Some(cache), Some(key)) = (&cache, &found) {
        let native = cache.load_native(key);
        reading.take();
        if let Some(native) = native {
            let pool = deserialize(native).and_then(|module| {
                instantiate(module, &set.scope.entrypoint(), options, &table, "")
            });
            match pool {
                Ok(pool) => {
                    tracing::debug!(key = %key, "compile cache hit");
                    tracing::info!(target: crate::observe::COMPILE_CACHE, outcome = "hit");
                    // An entry stored before pointers existed (or by another OPA) becomes the
                    // one a start without OPA finds.
                    if cache.last_for(&sources).as_ref() != Some(key) {
                        cache.remember(&sources, key);
                    }
                    return Ok(pool);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cached module unusable; recompiling");
                    cache.discard(key);
                }
            }
        }
    }

    if cache.is_some() {
        tracing::info!(target: crate::observe::COMPILE_CACHE, outcome = "miss");
    }
    reading.take();
    let opa = opa::locate(options, set.rulebook.opa.as_ref())?;
    // OPA downloaded just now had no key yet; key the entry so the next start finds it.
    let key = key.or_else(|| cache_key(&sources, set, options));
    tracing::debug!(opa = %opa.origin.display(), version = %opa.version, "compiling policies");
    let wasm = {
        let _span = tracing::info_span!("cupcake.load.opa_build").entered();
        compiler::compile(&opa, set, options.limits.compile_timeout)?
    };
    let module = {
        let _span = tracing::info_span!("cupcake.load.cranelift").entered();
        wasm::compile_module(&wasm)?
    };
    let native = wasm::serialize_module(&module)?;
    let pool = instantiate(module, &set.scope.entrypoint(), options, &table, "")
        .map_err(|err| name_builtin_users(err, set))?;
    if let (Some(cache), Some(key)) = (&cache, &key) {
        // OPA compiled copies of exactly the bytes the key hashed, so the entry matches its key
        // even if a file changed on disk meanwhile.
        if cache.store(key, &Entry { wasm, native }) {
            cache.remember(&sources, key);
        }
    }
    Ok(pool)
}

/// Loads an already compiled module (from a bundle): no OPA; Cranelift only on a cache miss.
pub fn load_wasm(wasm: &[u8], scope: Scope, options: &EngineOptions) -> Result<InstancePool> {
    let table = BuiltinTable::standard();
    let cache = Some(CompileCache::new(cache_root(options)?));
    let mut key = KeyBuilder::new();
    key.add("<bundled module>", wasm);
    let key = key.finish();
    if let Some(native) = cache.as_ref().and_then(|cache| cache.load_native(&key)) {
        if let Ok(pool) = wasm::deserialize_module_file(native).and_then(|module| {
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

/// Maps a cached module (the `cupcake.load.deserialize` phase).
fn deserialize(native: std::fs::File) -> Result<wasmtime::Module> {
    let _span = tracing::info_span!("cupcake.load.deserialize").entered();
    wasm::deserialize_module_file(native)
}

/// Makes the first instance of a module and checks it (the `cupcake.load.instantiate` phase).
fn instantiate(
    module: wasmtime::Module,
    entrypoint: &str,
    options: &EngineOptions,
    table: &BuiltinTable,
    policies: &str,
) -> Result<InstancePool> {
    let _span = tracing::info_span!("cupcake.load.instantiate").entered();
    InstancePool::load(module, entrypoint, options.limits, table, policies)
}

/// `<cache_dir>/compiled`, from the option or the user's cache directory; without either
/// (no password-database entry) the load fails rather than guess one.
fn cache_root(options: &EngineOptions) -> Result<PathBuf> {
    let dir = match &options.cache_dir {
        Some(dir) => dir.clone(),
        None => crate::dirs::cache_dir()?,
    };
    Ok(dir.join("compiled"))
}

/// The key of `set` with the OPA binary that would compile it, or `None` when no OPA binary
/// exists (a cold compile then reports it missing).
fn cache_key(sources: &str, set: &PolicySet, options: &EngineOptions) -> Option<String> {
    let opa_identity = opa::cache_identity(options, set.rulebook.opa.as_ref())?;
    let mut key = KeyBuilder::new();
    key.add("opa", opa_identity.as_bytes());
    key.add("<sources>", sources.as_bytes());
    Some(key.finish())
}

/// The key of everything in `set` that shapes the module apart from the OPA binary: the files,
/// the entrypoint, the generated aggregation and the SHA-256 the rulebook pins OPA to.
fn sources_key(set: &PolicySet) -> String {
    let mut key = KeyBuilder::new();
    let pinned = set
        .rulebook
        .opa
        .as_ref()
        .and_then(|pin| pin.sha256.as_deref());
    key.add("<pinned opa>", pinned.unwrap_or_default().as_bytes());
    for (path, source) in &set.sources {
        let name = path.strip_prefix(&set.root).unwrap_or(path);
        key.add(&name.to_string_lossy(), source.as_bytes());
    }
    key.add("<entrypoint>", set.scope.entrypoint().as_bytes());
    if set.system.is_none() {
        key.add(
            "<builtin aggregation>",
            crate::aggregation::for_set(set).as_bytes(),
        );
    }
    key.finish()
}

/// Fills in which policy files mention an unsupported builtin.
fn name_builtin_users(err: Error, set: &PolicySet) -> Error {
    let Error::UnsupportedBuiltin { builtin, .. } = err else {
        return err;
    };
    let needle = format!("{builtin}(");
    let users: Vec<String> = set
        .sources
        .iter()
        .filter(|(_, source)| source.contains(&needle))
        .map(|(path, _)| path.display().to_string())
        .collect();
    let policies = if users.is_empty() {
        "called from a policy in this set".to_string()
    } else {
        format!("used in {}", users.join(", "))
    };
    Error::UnsupportedBuiltin { builtin, policies }
}
