//! Portable bundles: the compiled modules of a project (and its global directory) with the
//! routing, rulebook signals and builtin options needed to evaluate them, in one tar file. A
//! bundle loads on a machine without OPA; only Cranelift runs, once, then the compile cache.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::opa;
use crate::options::EngineOptions;
use crate::policy::{self, Policy, PolicySet, Scope};
use crate::rulebook::{DeclaredSignal, Rulebook};

/// Bumped when the manifest changes incompatibly.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    cupcake: String,
    tiers: Vec<TierManifest>,
}

/// One tier: its module's name in the archive, and the parts of its policy set that evaluating
/// needs, as the engine's own types serialise them.
#[derive(Serialize, Deserialize)]
struct TierManifest {
    global: bool,
    module: String,
    policies: Vec<Policy>,
    signals: BTreeMap<String, DeclaredSignal>,
    builtins: BTreeMap<String, Value>,
}

/// Compiles the project at `path` (and the global directory the options name) with OPA and
/// writes a bundle to `output`. Executable-file signals cannot travel; a policy that needs one
/// makes loading the bundle fail rather than run without it.
pub fn export(path: &Path, options: &EngineOptions, output: &Path) -> Result<()> {
    let mut sets = Vec::new();
    if let Some(global) = &options.global_dir {
        sets.push(policy::discover(global, options.harness, Scope::Global)?);
    }
    sets.push(policy::discover(path, options.harness, Scope::Project)?);
    let file = fs_err::File::create(output)
        .map_err(|err| Error::config(output, format!("cannot write bundle: {err}")))?;
    let mut archive = tar::Builder::new(file);
    let mut tiers = Vec::new();
    for (index, set) in sets.iter().enumerate() {
        let module = format!("module-{index}.wasm");
        if !set.policies.is_empty() {
            let opa = opa::locate(&options.opa_search(), set.rulebook.opa.as_ref())?;
            let wasm = opa::build::compile(&opa, set, options.limits.compile_timeout)?;
            // Load it once here, so a bundle that cannot work (a missing builtin) is refused now.
            let source = crate::loader::Source::Compiled {
                wasm: &wasm,
                scope: set.scope,
            };
            crate::loader::load(&source, options)?;
            append(&mut archive, &module, &wasm, output)?;
        }
        tiers.push(tier_manifest(set, module));
    }
    let manifest = Manifest {
        format: FORMAT,
        cupcake: env!("CARGO_PKG_VERSION").into(),
        tiers,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(Error::internal)?;
    append(&mut archive, MANIFEST, &json, output)?;
    archive
        .finish()
        .map_err(|err| Error::config(output, format!("cannot write bundle: {err}")))
}

fn append(
    archive: &mut tar::Builder<fs_err::File>,
    name: &str,
    bytes: &[u8],
    output: &Path,
) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    archive
        .append_data(&mut header, name, bytes)
        .map_err(|err| Error::config(output, format!("cannot write bundle: {err}")))
}

fn tier_manifest(set: &PolicySet, module: String) -> TierManifest {
    let policies = set
        .policies
        .iter()
        .map(|policy| Policy {
            path: policy
                .path
                .strip_prefix(&set.root)
                .unwrap_or(&policy.path)
                .to_path_buf(),
            ..policy.clone()
        })
        .collect();
    TierManifest {
        global: set.scope == Scope::Global,
        module,
        policies,
        signals: set.rulebook.signals.clone(),
        builtins: set.rulebook.builtins.clone(),
    }
}

/// One tier read back from a bundle: its policy set and module bytes.
pub struct BundledTier {
    /// The policies, rooted at the bundle's directory.
    pub set: PolicySet,
    /// The compiled module; empty when the tier has no policies.
    pub wasm: Vec<u8>,
}

/// Reads a bundle written by [`export`].
pub fn read(path: &Path) -> Result<Vec<BundledTier>> {
    let (file, _) = crate::regular_file::open_capped(path, crate::regular_file::MODULE_CAP)
        .map_err(|problem| {
            Error::config(
                path,
                format!("cannot open bundle: {problem}; re-create it with `cupcake compile`"),
            )
        })?;
    read_from(file, path)
}

/// Reads a bundle's bytes from `reader`; `path` names it in messages and anchors its root.
pub fn read_from(reader: impl Read, path: &Path) -> Result<Vec<BundledTier>> {
    let bad = |reason: String| {
        Error::config(
            path,
            format!("{reason}; re-create it with `cupcake compile`"),
        )
    };
    let mut archive = tar::Archive::new(reader.take(crate::regular_file::MODULE_CAP));
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let entries = archive
        .entries()
        .map_err(|err| bad(format!("not a bundle: {err}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|err| bad(format!("damaged bundle: {err}")))?;
        let name = entry
            .path()
            .map_err(|err| bad(format!("damaged bundle: {err}")))?
            .display()
            .to_string();
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|err| bad(format!("damaged bundle: {err}")))?;
        files.insert(name, bytes);
    }
    let manifest: Manifest = files
        .get(MANIFEST)
        .ok_or_else(|| bad("bundle has no manifest.json".into()))
        .and_then(|bytes| {
            serde_json::from_slice(bytes).map_err(|err| bad(format!("bad manifest: {err}")))
        })?;
    if manifest.format != FORMAT {
        return Err(bad(format!(
            "bundle format {} is not {FORMAT}",
            manifest.format
        )));
    }
    let root: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
    manifest
        .tiers
        .into_iter()
        .map(|tier| {
            let wasm = if tier.policies.is_empty() {
                Vec::new()
            } else {
                files
                    .get(&tier.module)
                    .cloned()
                    .ok_or_else(|| bad(format!("bundle lacks {}", tier.module)))?
            };
            Ok(BundledTier {
                set: tier_set(tier, &root),
                wasm,
            })
        })
        .collect()
}

fn tier_set(tier: TierManifest, root: &Path) -> PolicySet {
    PolicySet {
        root: root.to_path_buf(),
        policies: tier.policies,
        system: None,
        scope: if tier.global {
            Scope::Global
        } else {
            Scope::Project
        },
        rulebook: Rulebook {
            signals: tier.signals,
            builtins: tier.builtins,
            ..Rulebook::default()
        },
        sources: BTreeMap::new(),
    }
}
