//! Turns a discovered policy set, or the compiled module a bundle carries, into a ready instance
//! pool: from the compile cache when an intact entry exists for exactly these inputs, else by
//! running OPA (policies only) and Cranelift, storing the result for the next start.

use std::path::PathBuf;

use crate::builtins::BuiltinTable;
use crate::cache::{CompileCache, Entry, KeyBuilder};
use crate::error::{Error, Result};
use crate::opa;
use crate::options::EngineOptions;
use crate::policy::{PolicySet, Scope};
use crate::wasm::{self, InstancePool};

/// What a module is loaded from.
pub enum Source<'a> {
    /// Policies OPA compiles on a cache miss.
    Policies(&'a PolicySet),
    /// A module compiled already (a bundle's): no OPA, Cranelift only on a cache miss.
    Compiled {
        /// The module OPA wrote.
        wasm: &'a [u8],
        /// The tier it evaluates for, which names its entrypoint.
        scope: Scope,
    },
}

impl Source<'_> {
    fn scope(&self) -> Scope {
        match self {
            Self::Policies(set) => set.scope,
            Self::Compiled { scope, .. } => *scope,
        }
    }

    /// How errors at instantiation name the policies.
    fn label(&self) -> &'static str {
        match self {
            Self::Policies(_) => "",
            Self::Compiled { .. } => "bundled policies",
        }
    }
}

/// The compile-cache keys of a source.
struct Keys {
    /// The key of the entry a compile now would store; `None` for policies when no OPA binary
    /// exists to key on.
    key: Option<String>,
    /// The entry to try: the key, or for policies without an OPA, the entry last compiled
    /// from the same sources.
    found: Option<String>,
    /// For policies, what the sources alone hash to, which remembers their last entry.
    sources: Option<String>,
}

impl Keys {
    fn of(source: &Source<'_>, cache: &CompileCache, options: &EngineOptions) -> Self {
        match source {
            Source::Policies(set) => {
                let sources = sources_key(set);
                let key = cache_key(&sources, set, options);
                // With no OPA on PATH or in the cache to key on, the entry last compiled from
                // these sources is used, so a warm start needs no OPA at all. An OPA path the
                // caller or the rulebook named has to exist: a wrong one is reported, not
                // papered over.
                let named_opa = options.opa_path.is_some()
                    || set
                        .rulebook
                        .opa
                        .as_ref()
                        .is_some_and(|pin| pin.path.is_some());
                let found = key
                    .clone()
                    .or_else(|| (!named_opa).then(|| cache.last_for(&sources)).flatten());
                Self {
                    key,
                    found,
                    sources: Some(sources),
                }
            }
            Source::Compiled { wasm, .. } => {
                let mut key = KeyBuilder::new();
                key.add("<bundled module>", wasm);
                let key = key.finish();
                Self {
                    key: Some(key.clone()),
                    found: Some(key),
                    sources: None,
                }
            }
        }
    }
}

/// Loads the module of `source`, using and filling the compile cache.
pub fn load(source: &Source<'_>, options: &EngineOptions) -> Result<InstancePool> {
    let table = BuiltinTable::standard();
    let cache = CompileCache::new(cache_root(options)?);
    let entrypoint = source.scope().entrypoint();
    // Keying the sources and finding the entry; ends before the entry is mapped or compiled.
    let mut reading = Some(tracing::info_span!("cupcake.load.cache_read").entered());
    let keys = Keys::of(source, &cache, options);
    if let Some(found) = &keys.found {
        let native = cache.load_native(found);
        reading.take();
        if let Some(native) = native {
            let pool = deserialize(native).and_then(|module| {
                instantiate(module, &entrypoint, options, &table, source.label())
            });
            match pool {
                Ok(pool) => {
                    tracing::debug!(key = %found, "compile cache hit");
                    tracing::info!(target: crate::observe::COMPILE_CACHE, outcome = "hit");
                    // An entry stored before pointers existed (or by another OPA) becomes the
                    // one a start without OPA finds.
                    if let Some(sources) = &keys.sources {
                        if cache.last_for(sources).as_ref() != Some(found) {
                            cache.remember(sources, found);
                        }
                    }
                    return Ok(pool);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cached module unusable; recompiling");
                    cache.discard(found);
                }
            }
        }
    }
    tracing::info!(target: crate::observe::COMPILE_CACHE, outcome = "miss");
    reading.take();

    let (wasm, key) = match source {
        Source::Policies(set) => {
            let opa = opa::locate(&options.opa_search(), set.rulebook.opa.as_ref())?;
            // OPA downloaded just now had no key yet; key the entry so the next start finds it.
            let key = keys.key.or_else(|| {
                keys.sources
                    .as_deref()
                    .and_then(|sources| cache_key(sources, set, options))
            });
            tracing::debug!(opa = %opa.origin.display(), version = %opa.version, "compiling policies");
            let _span = tracing::info_span!("cupcake.load.opa_build").entered();
            let wasm = opa::build::compile(&opa, set, options.limits.compile_timeout)?;
            (wasm, key)
        }
        Source::Compiled { wasm, .. } => (wasm.to_vec(), keys.key),
    };
    let module = {
        let _span = tracing::info_span!("cupcake.load.cranelift").entered();
        wasm::compile_module(&wasm)?
    };
    let native = wasm::serialize_module(&module)?;
    let pool =
        instantiate(module, &entrypoint, options, &table, source.label()).map_err(|err| {
            match source {
                Source::Policies(set) => name_builtin_users(err, set),
                Source::Compiled { .. } => err,
            }
        })?;
    if let Some(key) = &key {
        // OPA compiled copies of exactly the bytes the key hashed, so the entry matches its key
        // even if a file changed on disk meanwhile.
        if cache.store(key, &Entry { wasm, native }) {
            if let Some(sources) = &keys.sources {
                cache.remember(sources, key);
            }
        }
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
    let opa_identity = opa::cache_identity(&options.opa_search(), set.rulebook.opa.as_ref())?;
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
