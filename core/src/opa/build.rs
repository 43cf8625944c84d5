//! Compiles a policy set to WebAssembly with the real OPA CLI (`opa build -t wasm`) and
//! extracts `policy.wasm` from the bundle it writes. OPA is told about cupcake's host
//! builtins by a capabilities file: what this OPA supports, plus the redirected builtins.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::run::{run, RunFailure};
use super::Opa;
use crate::error::{Error, Result};
use crate::policy::PolicySet;

/// Runs OPA over every file of `set` and returns the module bytes. OPA is killed, and the
/// compile fails, if it runs longer than `deadline`.
pub fn compile(opa: &Opa, set: &PolicySet, deadline: Duration) -> Result<Vec<u8>> {
    crate::policy::check_constant_patterns(set)?;
    let work = tempfile::tempdir()
        .map_err(|err| Error::internal(format!("cannot create a temporary directory: {err}")))?;
    let sources = work.path().join("src");
    let mut files = snapshot_sources(set, &sources)?;
    if set.system.is_none() {
        let aggregation = work.path().join("cupcake_system_evaluate.rego");
        fs_err::write(&aggregation, crate::aggregation::for_set(set)).map_err(Error::internal)?;
        files.push(aggregation);
    }
    let mut entrypoints = vec![set.scope.entrypoint()];
    entrypoints.extend(
        crate::aggregation::routes(set)
            .iter()
            .map(|route| crate::aggregation::entrypoint_path(set.scope, &route.rule)),
    );
    build(
        opa,
        &Build {
            work: work.path(),
            files: &files,
            entrypoints: &entrypoints,
            root: &set.root,
            copies: &sources,
        },
        deadline,
    )
}

/// One `opa build -t wasm` run: the inputs, and where errors should point.
pub(crate) struct Build<'a> {
    /// A scratch directory for the capabilities, the bundle and OPA's output.
    pub work: &'a Path,
    /// The Rego files to compile.
    pub files: &'a [PathBuf],
    /// Entrypoints, as `package/rule` paths.
    pub entrypoints: &'a [String],
    /// The directory errors name instead of `copies`.
    pub root: &'a Path,
    /// The directory holding the copies OPA reads.
    pub copies: &'a Path,
}

/// Runs OPA on `build` with cupcake's capabilities (the redirected builtins declared) and
/// returns the module bytes.
pub(crate) fn build(opa: &Opa, build: &Build<'_>, deadline: Duration) -> Result<Vec<u8>> {
    let capabilities = build.work.join("capabilities.json");
    write_capabilities(&opa.path, &capabilities, deadline)?;
    let bundle = build.work.join("bundle.tar.gz");
    let mut args: Vec<OsString> = vec!["build".into(), "-t".into(), "wasm".into()];
    for entrypoint in build.entrypoints {
        args.extend(["-e".into(), entrypoint.into()]);
    }
    args.extend(["-o".into(), bundle.clone().into_os_string()]);
    args.extend(["--capabilities".into(), capabilities.into_os_string()]);
    args.extend(build.files.iter().map(|file| file.clone().into_os_string()));
    let ran = run(&opa.path, &args, deadline).map_err(|failure| match failure {
        RunFailure::Start(err) => Error::OpaNotFound {
            searched: format!("{}: cannot run: {err}", opa.origin.display()),
            wanted: super::OPA_VERSION,
            download: super::OPA_DOWNLOAD_VERSION.to_owned(),
        },
        RunFailure::Deadline(_) => Error::PolicyCompile {
            file: build.root.to_path_buf(),
            line: None,
            reason: format!(
                "opa build ran longer than {} s and was stopped; check that {} is a working OPA",
                deadline.as_secs(),
                opa.origin.display()
            ),
        },
        RunFailure::Output(err) => Error::internal(format!("opa build: {err}")),
    })?;
    if !ran.status.success() {
        // OPA names the copies; the user needs the files they wrote.
        let copies = format!("{}/", build.copies.display());
        let text = ran
            .text()
            .replace(&copies, &format!("{}/", build.root.display()));
        let text = crate::redirect::restore_names(&text);
        return Err(compile_error(build.root, text.trim()));
    }
    extract_wasm(&bundle)
}

/// Writes the capabilities file for `opa build` and `opa check` to `target`: everything this
/// OPA supports (`opa capabilities --current`), plus the redirected host builtins.
pub(crate) fn write_capabilities(opa: &Path, target: &Path, deadline: Duration) -> Result<()> {
    let fail = |reason: String| Error::PolicyCompile {
        file: opa.to_path_buf(),
        line: None,
        reason: format!(
            "`opa capabilities --current` {reason}; check that this is a working OPA 1.x"
        ),
    };
    let ran = run(opa, ["capabilities", "--current"], deadline)
        .map_err(|failure| fail(failure.to_string()))?;
    if !ran.status.success() {
        return Err(fail(format!("exited with {}", ran.status)));
    }
    let mut capabilities: Value = serde_json::from_slice(&ran.stdout)
        .map_err(|err| fail(format!("printed no JSON ({err})")))?;
    let builtins = capabilities
        .get_mut("builtins")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| fail("listed no builtins".into()))?;
    for (name, args, result) in crate::redirect::declarations() {
        builtins.push(json!({
            "name": name,
            "decl": {"type": "function", "args": args, "result": result},
        }));
    }
    let text = serde_json::to_vec(&capabilities).map_err(Error::internal)?;
    fs_err::write(target, text).map_err(Error::internal)
}

/// Writes the text discovery read for each input file under `dir`, at its path relative to the
/// policy root (with the `redirect` module's renamed calls), and returns the copies' paths. OPA compiles these, never the originals, so what
/// it builds is exactly what the cache key hashed, and a file replaced after discovery (a FIFO,
/// other text) cannot reach the compiler.
pub(crate) fn snapshot_sources(set: &PolicySet, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut copies = Vec::with_capacity(set.sources.len());
    for (path, source) in &set.sources {
        let relative = path.strip_prefix(&set.root).map_err(|_| {
            Error::internal(format!(
                "policy {} is outside its root {}",
                path.display(),
                set.root.display()
            ))
        })?;
        let copy = dir.join(relative);
        if let Some(parent) = copy.parent() {
            fs_err::create_dir_all(parent).map_err(Error::internal)?;
        }
        let (redirected, _) = crate::redirect::rewrite(source);
        fs_err::write(&copy, redirected).map_err(Error::internal)?;
        copies.push(copy);
    }
    Ok(copies)
}

/// Turns OPA's error text into a `PolicyCompile` naming the first file and line it mentions.
fn compile_error(root: &Path, text: &str) -> Error {
    let located = text.split_whitespace().find_map(|word| {
        let (file, rest) = word.split_once(".rego:")?;
        let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((
            PathBuf::from(format!("{file}.rego")),
            line.parse::<u32>().ok(),
        ))
    });
    let (file, line) = located.unwrap_or_else(|| (root.to_path_buf(), None));
    let reason = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Error::PolicyCompile {
        file,
        line,
        reason: format!("opa build failed: {reason}"),
    }
}

/// Reads `policy.wasm` out of an OPA bundle.
fn extract_wasm(bundle: &Path) -> Result<Vec<u8>> {
    let file = fs_err::File::open(bundle).map_err(Error::internal)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let entries = archive
        .entries()
        .map_err(|err| Error::internal(format!("unreadable OPA bundle: {err}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|err| Error::internal(format!("unreadable OPA bundle: {err}")))?;
        let is_policy = entry
            .path()
            .is_ok_and(|p| p.file_name().is_some_and(|n| n == "policy.wasm"));
        if is_policy {
            let mut wasm = Vec::new();
            entry.read_to_end(&mut wasm).map_err(Error::internal)?;
            return Ok(wasm);
        }
    }
    Err(Error::internal("OPA bundle has no policy.wasm"))
}
