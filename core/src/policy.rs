//! Finds a project's policies: resolves the `.cupcake` directory, walks
//! `policies/<harness>/`, and reads each file's package and METADATA.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::metadata::{self, PolicyMetadata};
use crate::options::Harness;

/// The package of the aggregation entrypoint.
pub const SYSTEM_PACKAGE: &str = "cupcake.system";

/// One user policy file.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its Rego package, e.g. `cupcake.policies.bash`.
    pub package: String,
    /// Its METADATA block.
    pub metadata: PolicyMetadata,
}

/// Every Rego file that goes into one compiled module.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The `.cupcake` directory.
    pub root: PathBuf,
    /// Routed user policies, sorted by path.
    pub policies: Vec<Policy>,
    /// A user-supplied aggregation entrypoint (`package cupcake.system`), if any.
    pub system: Option<PathBuf>,
}

/// Accepts the `.cupcake` directory itself or the project directory that holds it.
pub fn resolve_root(path: &Path) -> Result<PathBuf> {
    let nested = path.join(".cupcake");
    let root = if nested.is_dir() {
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
    Ok(root)
}

/// Discovers the policies of `harness` below the `.cupcake` directory found from `path`.
pub fn discover(path: &Path, harness: Harness) -> Result<PolicySet> {
    let root = resolve_root(path)?;
    let mut files = Vec::new();
    let system_file = root.join("system").join("evaluate.rego");
    if system_file.is_file() {
        files.push(system_file);
    }
    let harness_dir = root.join("policies").join(harness.dir_name());
    if harness_dir.is_dir() {
        collect_rego_files(&harness_dir, &mut files)?;
    }
    files.sort();

    let mut set = PolicySet {
        root,
        policies: Vec::new(),
        system: None,
    };
    for file in files {
        let source = fs_err::read_to_string(&file)
            .map_err(|err| Error::config(&file, format!("cannot read policy: {err}")))?;
        let package = metadata::package_name(&source).ok_or_else(|| Error::PolicyCompile {
            file: file.clone(),
            line: None,
            reason:
                "no `package` declaration; start the file with `package cupcake.policies.<name>`"
                    .into(),
        })?;
        if package == SYSTEM_PACKAGE {
            if let Some(first) = &set.system {
                return Err(Error::PolicyCompile {
                    file,
                    line: None,
                    reason: format!(
                        "a second `package cupcake.system` file; {} already defines the entrypoint",
                        first.display()
                    ),
                });
            }
            set.system = Some(file);
            continue;
        }
        if !package.starts_with("cupcake.policies") {
            return Err(Error::PolicyCompile {
                file,
                line: None,
                reason: format!("package `{package}` is outside `cupcake.policies`; rename it to `cupcake.policies.<name>`"),
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
        set.policies.push(Policy {
            path: file,
            package,
            metadata,
        });
    }
    Ok(set)
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
            out.push(path);
        }
    }
    Ok(())
}
