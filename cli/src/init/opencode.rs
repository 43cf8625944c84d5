//! OpenCode has no command hooks: `init` writes cupcake's plugin into `.opencode/plugins/`,
//! with this cupcake binary and the project's policy directory pinned in it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

const PLUGIN: &str = include_str!("opencode-plugin.ts");

/// The first line of the plugin, by which `init` recognises the file it wrote before.
const HEADER: &str = "// cupcake's OpenCode plugin";

/// Writes (or refreshes) `.opencode/plugins/cupcake.ts`; returns its path.
pub(super) fn write_plugin(project: &Path, cupcake: &Path) -> Result<PathBuf> {
    let path = project.join(".opencode").join("plugins").join("cupcake.ts");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.starts_with(HEADER) {
            bail!(
                "{} exists and was not written by cupcake; move it away and run init again",
                path.display()
            );
        }
    }
    let literal = |path: &Path| serde_json::to_string(&path.display().to_string());
    let plugin = PLUGIN
        .replace("\"__CUPCAKE_BINARY__\"", &literal(cupcake)?)
        .replace(
            "\"__CUPCAKE_POLICY_DIR__\"",
            &literal(&project.join(".cupcake"))?,
        );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&path, plugin).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
