//! Arbitrary Rego modules, compiled for chosen entrypoints and evaluated through cupcake's own
//! WebAssembly path: the same `opa build` flags and capabilities, the same redirected and host
//! builtins, the same instances and limits as policies in hook mode. It exists so OPA's own
//! conformance cases can be run against cupcake (`core/tests/it/opa_cases.rs`); the hook path
//! never uses it.

use std::path::Path;

use crate::builtins::BuiltinTable;
use crate::error::{Error, Result};
use crate::options::Limits;
use crate::wasm::{compile_module, InstancePool};

/// One compiled module set, ready to evaluate its entrypoint.
#[doc(hidden)]
pub struct QueryModule {
    pool: InstancePool,
}

impl QueryModule {
    /// Compiles `modules` (Rego source texts) with the OPA binary at `opa`, for `entrypoint`
    /// (`package/rule`), with `data` (JSON text) as the data document.
    pub fn compile(opa: &Path, modules: &[String], entrypoint: &str, data: &str) -> Result<Self> {
        let opa = crate::opa::check(opa).map_err(|reason| Error::OpaNotFound {
            searched: format!("{}: {reason}", opa.display()),
            wanted: crate::opa::OPA_VERSION,
            download: crate::opa::OPA_DOWNLOAD_VERSION.to_owned(),
        })?;
        let work = tempfile::tempdir().map_err(|err| {
            Error::internal(format!("cannot create a temporary directory: {err}"))
        })?;
        let copies = work.path().join("src");
        fs_err::create_dir_all(&copies).map_err(Error::internal)?;
        let mut files = Vec::with_capacity(modules.len());
        for (index, module) in modules.iter().enumerate() {
            let file = copies.join(format!("module-{index}.rego"));
            let (redirected, _) = crate::redirect::rewrite(module);
            fs_err::write(&file, redirected).map_err(Error::internal)?;
            files.push(file);
        }
        let limits = Limits::default();
        let wasm = crate::opa::build::build(
            &opa,
            &crate::opa::build::Build {
                work: work.path(),
                files: &files,
                entrypoints: &[entrypoint.to_string()],
                root: &copies,
                copies: &copies,
            },
            limits.compile_timeout,
        )?;
        let module = compile_module(&wasm)?;
        let pool = InstancePool::load_with_data(
            module,
            entrypoint,
            limits,
            &BuiltinTable::standard(),
            "the query modules",
            data.as_bytes().to_vec(),
        )?;
        Ok(Self { pool })
    }

    /// Evaluates the entrypoint on `input` (Rego value text; empty for no input) and returns
    /// the result set as JSON text, `[{"result": …}]`, or `[]` when undefined.
    pub fn evaluate(&self, input: &str) -> Result<String> {
        self.pool.evaluate_fresh(input.as_bytes())
    }

    /// The host builtins the module calls, by OPA name.
    pub fn host_builtins(&self) -> Vec<String> {
        self.pool
            .builtin_names()
            .iter()
            .map(|name| crate::redirect::restore_names(name))
            .collect()
    }
}
