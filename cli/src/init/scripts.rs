//! Cline runs hooks as executables named after their events in `.clinerules/hooks/` (read by
//! both its CLI and its VS Code extension), so `init` writes one small script per event that
//! runs this cupcake binary on the project's policies.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::wiring::shell_quoted;

/// The events cupcake answers in Cline: the tool events, and those the VS Code extension
/// awaits before a run.
const EVENTS: [&str; 4] = ["PreToolUse", "PostToolUse", "UserPromptSubmit", "TaskStart"];

/// The line by which `init` recognises a script it wrote before.
const MARKER: &str = "# Written by `cupcake init --harness cline`";

/// Writes (or refreshes) the hook scripts; returns their paths.
pub(super) fn write_cline_hooks(project: &Path, cupcake: &Path) -> Result<Vec<PathBuf>> {
    let dir = project.join(".clinerules").join("hooks");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let script = format!(
        "#!/bin/sh\n{MARKER}: Cline hands this hook's event to cupcake.\nexec {} eval --harness cline --policy-dir {}\n",
        shell_quoted(cupcake),
        shell_quoted(&project.join(".cupcake"))
    );
    let mut written = Vec::new();
    for event in EVENTS {
        let path = dir.join(event);
        if let Ok(existing) = std::fs::read_to_string(&path) {
            if !existing.contains(MARKER) {
                bail!(
                    "{} exists and was not written by cupcake; move it away and run init again",
                    path.display()
                );
            }
        }
        std::fs::write(&path, &script).with_context(|| format!("writing {}", path.display()))?;
        make_executable(&path)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}
