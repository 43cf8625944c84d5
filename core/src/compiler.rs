//! Compiles a policy set to WebAssembly with the real OPA CLI (`opa build -t wasm`) and
//! extracts `policy.wasm` from the bundle it writes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::children::Group;
use crate::error::{Error, Result};
use crate::opa::Opa;
use crate::policy::PolicySet;

/// Runs OPA over every file of `set` and returns the module bytes. OPA is killed, and the
/// compile fails, if it runs longer than `deadline`.
pub fn compile(opa: &Opa, set: &PolicySet, deadline: Duration) -> Result<Vec<u8>> {
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
    let work = build.work;
    let capabilities = work.join("capabilities.json");
    crate::redirect::write_capabilities(&opa.path, &capabilities, deadline)?;
    let bundle = work.join("bundle.tar.gz");
    // Output goes to files, not pipes: nothing has to drain them while we wait.
    let stdout_path = work.join("opa.stdout");
    let stderr_path = work.join("opa.stderr");
    let mut command = Command::new(&opa.path);
    command.args(["build", "-t", "wasm"]);
    for entrypoint in build.entrypoints {
        command.args(["-e", entrypoint]);
    }
    command
        .arg("-o")
        .arg(&bundle)
        .arg("--capabilities")
        .arg(&capabilities)
        .args(build.files)
        .stdin(Stdio::null())
        .stdout(
            fs_err::File::create(&stdout_path)
                .map_err(Error::internal)?
                .into_parts()
                .0,
        )
        .stderr(
            fs_err::File::create(&stderr_path)
                .map_err(Error::internal)?
                .into_parts()
                .0,
        );
    let mut opa_build = Group::spawn(&mut command).map_err(|err| Error::OpaNotFound {
        searched: format!("{}: cannot run: {err}", opa.origin.display()),
        wanted: crate::opa::OPA_VERSION,
        download: crate::opa_download::OPA_DOWNLOAD_VERSION.to_owned(),
    })?;
    let Some(status) = opa_build.wait_with_deadline(deadline) else {
        return Err(Error::PolicyCompile {
            file: build.root.to_path_buf(),
            line: None,
            reason: format!(
                "opa build ran longer than {} s and was stopped; check that {} is a working OPA",
                deadline.as_secs(),
                opa.origin.display()
            ),
        });
    };
    if !status.success() {
        let stderr = fs_err::read(&stderr_path).unwrap_or_default();
        let stdout = fs_err::read(&stdout_path).unwrap_or_default();
        let (stderr, stdout) = (
            String::from_utf8_lossy(&stderr),
            String::from_utf8_lossy(&stdout),
        );
        let text = format!("{stderr}{stdout}");
        // OPA names the copies; the user needs the files they wrote.
        let copies = format!("{}/", build.copies.display());
        let text = text.replace(&copies, &format!("{}/", build.root.display()));
        let text = crate::redirect::restore_names(&text);
        return Err(compile_error(build.root, text.trim()));
    }
    extract_wasm(&bundle)
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
