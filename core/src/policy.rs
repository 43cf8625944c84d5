//! Finds a policy directory's policies: resolves the `.cupcake` directory, walks
//! `policies/<harness>/`, adds the builtin policies `rulebook.yml` enables, and reads each
//! file's package and METADATA. The same layout serves a project and the global directory,
//! which differ only in their package prefix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::metadata::{self, PolicyMetadata};
use crate::options::Harness;
use crate::regular_file;
use crate::rulebook::Rulebook;

/// Which policy tree a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A project's `.cupcake` directory: packages under `cupcake.policies`.
    Project,
    /// The global directory, evaluated first: packages under `cupcake.global.policies`.
    Global,
}

impl Scope {
    /// The package every policy must sit under.
    pub fn policy_prefix(self) -> &'static str {
        match self {
            Self::Project => "cupcake.policies",
            Self::Global => "cupcake.global.policies",
        }
    }

    /// The package of the aggregation entrypoint.
    pub fn system_package(self) -> &'static str {
        match self {
            Self::Project => "cupcake.system",
            Self::Global => "cupcake.global.system",
        }
    }

    /// The entrypoint OPA compiles, e.g. `cupcake/system/evaluate`.
    pub fn entrypoint(self) -> String {
        format!("{}/evaluate", self.system_package().replace('.', "/"))
    }
}

/// One user policy file. A bundle's manifest carries it flat: `{path, package, title, id,
/// severity, routing}`, the path relative to the policy root.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Policy {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its Rego package, e.g. `cupcake.policies.bash`.
    pub package: String,
    /// Its METADATA block.
    #[serde(flatten)]
    pub metadata: PolicyMetadata,
}

/// Every Rego file that goes into one compiled module.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The `.cupcake` directory, canonical and absolute: signals run from its parent and
    /// messages name it, whatever spelling (`.cupcake`, `../x/.cupcake`) the caller used.
    pub root: PathBuf,
    /// Routed user policies, sorted by path.
    pub policies: Vec<Policy>,
    /// A user-supplied aggregation entrypoint (`package cupcake.system`), if any.
    pub system: Option<PathBuf>,
    /// Project or global.
    pub scope: Scope,
    /// The directory's `rulebook.yml`.
    pub rulebook: Rulebook,
    /// The text of every input file as read at discovery, by path. The cache key hashes these
    /// bytes and OPA compiles copies of them, so a file swapped after discovery (for a FIFO or
    /// other text) changes nothing. Empty for a set read from a bundle.
    pub sources: BTreeMap<PathBuf, String>,
}

/// Accepts the `.cupcake` directory itself or the project directory that holds it, and
/// returns it canonical: the one spelling used from then on.
pub fn resolve_root(path: &Path) -> Result<PathBuf> {
    let nested = path.join(".cupcake");
    // A `.cupcake` in `path` that cannot even be checked means `path` itself is unreadable.
    let nested_found =
        path.is_dir() && nested.try_exists().map_err(|err| unreadable(path, &err))?;
    let root = if nested_found && nested.is_dir() {
        nested
    } else {
        path.to_path_buf()
    };
    if !root.is_dir() {
        return Err(Error::config(
            path,
            "policy directory does not exist; pass the project's .cupcake directory (create one with `cupcake init`)",
        ));
    }
    let root = fs_err::canonicalize(&root).map_err(|err| unreadable(&root, &err))?;
    // A directory this process may not list or search would otherwise look empty: no
    // policies, every action allowed. Listing it and looking inside it must both work.
    fs_err::read_dir(&root).map_err(|err| unreadable(&root, &err))?;
    present(&root.join("policies"))?;
    Ok(root)
}

/// Whether `path` exists. Unlike `Path::exists`, a path that cannot be checked (no search
/// permission on a parent) is an error rather than absent, since absent means "no policies".
fn present(path: &Path) -> Result<bool> {
    path.try_exists().map_err(|err| unreadable(path, &err))
}

fn unreadable(path: &Path, err: &std::io::Error) -> Error {
    Error::config(
        path,
        format!(
            "cannot read the policy directory ({}); make it readable by the user that runs cupcake",
            err.kind()
        ),
    )
}

/// An optional directory of the layout: absent is fine, a directory is read, and anything
/// else (a file, a FIFO, a dangling symlink) is an error rather than "no policies".
fn optional_dir(path: &Path) -> Result<bool> {
    match regular_file::kind_at(path).map_err(|err| unreadable(path, &err))? {
        Some("directory") => Ok(true),
        Some(kind) => Err(Error::config(
            path,
            format!("is a {kind}, not a directory; policies go in a directory here"),
        )),
        None if fs_err::symlink_metadata(path).is_ok() => Err(Error::config(
            path,
            "is a symlink to nothing; point it at a directory of policies or remove it",
        )),
        None => Ok(false),
    }
}

/// Reads one input file of the set as text, refusing anything but a regular file.
fn read_source(file: &Path) -> Result<String> {
    regular_file::read_to_string(file, regular_file::POLICY_CAP)
        .map_err(|problem| Error::config(file, format!("cannot read policy: {problem}")))
}

/// The enabled builtins the project has no copy of, with cupcake's shipped source, each under
/// the path where its copy would be; a builtin the project keeps (the earlier engine's `init`
/// wrote them) is added to `files` instead.
fn shipped_builtins(
    rulebook: &Rulebook,
    root: &Path,
    harness_dir: &Path,
    files: &mut Vec<PathBuf>,
) -> Result<Vec<(PathBuf, String)>> {
    let mut shipped = Vec::new();
    for name in rulebook.builtins.keys() {
        let file = harness_dir.join("builtins").join(format!("{name}.rego"));
        if fs_err::symlink_metadata(&file).is_ok() {
            if !files.contains(&file) {
                files.push(file);
            }
            continue;
        }
        let Some(source) = crate::library::source(name) else {
            return Err(Error::config(
                root.join("rulebook.yml"),
                format!(
                    "rulebook.yml enables builtin `{name}`, which cupcake does not ship and {} does not hold; the shipped builtins are {}",
                    file.display(),
                    crate::library::names()
                ),
            ));
        };
        shipped.push((file, source));
    }
    Ok(shipped)
}

/// Every input file with its text, in path order: the files on disk as read now, the shipped
/// builtins as cupcake holds them (in the global tier under its package prefix).
fn policy_sources(
    files: Vec<PathBuf>,
    shipped: Vec<(PathBuf, String)>,
    scope: Scope,
) -> Result<Vec<(PathBuf, String)>> {
    let mut sources = Vec::with_capacity(files.len() + shipped.len());
    for file in files {
        let source = read_source(&file)?;
        sources.push((file, source));
    }
    for (file, source) in shipped {
        let source = match scope {
            Scope::Global => source.replacen(
                "package cupcake.policies.",
                "package cupcake.global.policies.",
                1,
            ),
            Scope::Project => source,
        };
        sources.push((file, source));
    }
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(sources)
}

/// The folder under `policies/` whose policies every harness loads.
pub const SHARED_DIR: &str = "shared";

/// Discovers the policies of `harness` below the `.cupcake` directory found from `path`.
pub fn discover(path: &Path, harness: Harness, scope: Scope) -> Result<PolicySet> {
    let root = resolve_root(path)?;
    let rulebook = Rulebook::load(&root)?;
    let mut files = Vec::new();
    let system_dir = root.join("system");
    let system_file = system_dir.join("evaluate.rego");
    if fs_err::symlink_metadata(&system_file).is_ok() {
        // Present in any form: an entrypoint that is not a readable regular file is an error,
        // never silently replaced by the built-in one.
        files.push(system_file.clone());
    }
    // Helper libraries beside it (the earlier engine's `init` writes `system/commands.rego`,
    // which its policies import): without them those policies would not compile.
    let mut helpers = Vec::new();
    if optional_dir(&system_dir)? {
        collect_system_helpers(&system_dir, &system_file, &mut helpers)?;
    }
    files.extend(helpers.iter().cloned());
    let harness_dir = root.join("policies").join(harness.dir_name());
    if optional_dir(&root.join("policies"))? {
        // `policies/shared/` holds policies for every harness (they route on
        // `required_actions`, or on events several harnesses share).
        for dir in [harness_dir.clone(), root.join("policies").join(SHARED_DIR)] {
            if optional_dir(&dir)? {
                collect_rego_files(&dir, &mut files)?;
            }
        }
    }
    let shipped = shipped_builtins(&rulebook, &root, &harness_dir, &mut files)?;
    files.sort();

    let mut set = PolicySet {
        root,
        policies: Vec::new(),
        system: None,
        scope,
        rulebook,
        sources: BTreeMap::new(),
    };
    for (file, source) in policy_sources(files, shipped, scope)? {
        let package = metadata::package_name(&source).ok_or_else(|| Error::PolicyCompile {
            file: file.clone(),
            line: None,
            reason:
                "no `package` declaration; start the file with `package cupcake.policies.<name>`"
                    .into(),
        })?;
        if helpers.contains(&file) {
            add_helper(&mut set, file, source, &package)?;
            continue;
        }
        if package == scope.system_package() {
            if let Some(first) = &set.system {
                return Err(Error::PolicyCompile {
                    file,
                    line: None,
                    reason: format!(
                        "a second `package {}` file; {} already defines the entrypoint",
                        scope.system_package(),
                        first.display()
                    ),
                });
            }
            set.system = Some(file.clone());
            set.sources.insert(file, source);
            continue;
        }
        let prefix = scope.policy_prefix();
        if package != prefix && !package.starts_with(&format!("{prefix}.")) {
            return Err(Error::PolicyCompile {
                file,
                line: None,
                reason: format!(
                    "package `{package}` is outside `{prefix}`; rename it to `{prefix}.<name>`"
                ),
            });
        }
        let metadata = metadata::parse(&file, &source)?;
        if metadata.routing.is_none() {
            return Err(Error::PolicyCompile {
                file,
                line: None,
                reason:
                    "no routing; add a `# METADATA` block with `custom.routing.required_events`"
                        .into(),
            });
        }
        set.sources.insert(file.clone(), source);
        set.policies.push(Policy {
            path: file,
            package,
            metadata,
        });
    }
    Ok(set)
}

/// Refuses a policy or helper whose literal regex pattern Go's RE2 would not compile: such a
/// call is an error on every evaluation, so it is better reported before OPA builds the set,
/// naming the file, line and pattern. Only a build needs it: a compile-cache hit is a module
/// built, and so checked, from exactly these sources, and compiling the patterns was a tenth of
/// a warm hook process.
pub(crate) fn check_constant_patterns(set: &PolicySet) -> Result<()> {
    let checked = set
        .sources
        .iter()
        .filter(|(file, _)| set.system.as_ref() != Some(*file));
    for (file, source) in checked {
        check_file_patterns(file, source)?;
    }
    Ok(())
}

fn check_file_patterns(file: &Path, source: &str) -> Result<()> {
    let (_, patterns) = crate::redirect::rewrite(source);
    for constant in patterns {
        if let Err(reason) = crate::builtins::check_pattern(&constant.pattern) {
            return Err(Error::PolicyCompile {
                file: file.to_path_buf(),
                line: Some(constant.line),
                reason: format!(
                    "{} pattern `{}` is not valid Go RE2, as OPA requires ({reason}); fix the pattern",
                    constant.builtin, constant.pattern
                ),
            });
        }
    }
    Ok(())
}

/// Adds a helper library from `system/`: compiled with the policies, never routed or
/// aggregated. Only `system/evaluate.rego` may be the entrypoint, and only helpers live here.
fn add_helper(set: &mut PolicySet, file: PathBuf, source: String, package: &str) -> Result<()> {
    let helper_prefix = format!("{}.", set.scope.system_package());
    if !package.starts_with(&helper_prefix) {
        return Err(Error::PolicyCompile {
            file,
            line: None,
            reason: format!(
                "a helper in system/ must be `package {helper_prefix}<name>`, not `{package}`; \
                 the entrypoint is system/evaluate.rego and policies go in policies/"
            ),
        });
    }
    set.sources.insert(file, source);
    Ok(())
}

/// The `.rego` files directly in `system/` other than the entrypoint and Rego test files.
fn collect_system_helpers(dir: &Path, entrypoint: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs_err::read_dir(dir)
        .map_err(|err| Error::config(dir, format!("cannot list system helpers: {err}")))?;
    for entry in entries {
        let path = entry
            .map_err(|err| Error::config(dir, format!("cannot list system helpers: {err}")))?
            .path();
        if path != entrypoint
            && path.extension().is_some_and(|ext| ext == "rego")
            && !path.to_string_lossy().ends_with("_test.rego")
            && !path.is_dir()
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Collects `.rego` files below `dir`, skipping `builtins/` (enabled only through rulebook.yml)
/// and Rego test files.
fn collect_rego_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs_err::read_dir(dir)
        .map_err(|err| Error::config(dir, format!("cannot list policies: {err}")))?;
    for entry in entries {
        let entry =
            entry.map_err(|err| Error::config(dir, format!("cannot list policies: {err}")))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|err| Error::config(&path, format!("cannot stat: {err}")))?;
        if file_type.is_dir() {
            if entry.file_name() != "builtins" {
                collect_rego_files(&path, out)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "rego")
            && !path.to_string_lossy().ends_with("_test.rego")
        {
            // Whatever it is (a FIFO, a symlink to a device), it is read as a policy and
            // refused there unless it is a regular file: never skipped, never waited on.
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTED: &str = "# METADATA\n# custom:\n#   routing:\n#     required_events: [\"Stop\"]\n";

    fn layout(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let path = dir.path().join(".cupcake").join(path);
            fs_err::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs_err::write(path, text).expect("write");
        }
        dir
    }

    fn found(dir: &tempfile::TempDir) -> Result<PolicySet> {
        discover(
            &dir.path().join(".cupcake"),
            Harness::Claude,
            Scope::Project,
        )
    }

    #[test]
    fn system_helpers_compile_beside_the_policies() {
        let dir = layout(&[
            ("system/commands.rego", "package cupcake.system.commands\n"),
            (
                "system/commands_test.rego",
                "package cupcake.system.commands_test\n",
            ),
            (
                "policies/claude/a.rego",
                &format!("{ROUTED}package cupcake.policies.a\n"),
            ),
        ]);
        let set = found(&dir).expect("loads");
        assert_eq!(set.policies.len(), 1);
        let names: Vec<String> = set
            .sources
            .keys()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.rego", "commands.rego"], "test files stay out");
    }

    #[test]
    fn only_system_files_are_helpers() {
        // A policy that declares a helper package would compile unrouted and never decide.
        let dir = layout(&[(
            "policies/claude/a.rego",
            &format!("{ROUTED}package cupcake.system.sneaky\n"),
        )]);
        assert!(matches!(found(&dir), Err(Error::PolicyCompile { .. })));
        // And system/ holds helpers only: a second entrypoint or a policy there is refused.
        for package in ["cupcake.system", "cupcake.policies.hidden"] {
            let dir = layout(&[("system/other.rego", &format!("package {package}\n"))]);
            let err = found(&dir).expect_err("refused");
            assert!(err.to_string().contains("helper in system/"), "{err}");
        }
    }
}
