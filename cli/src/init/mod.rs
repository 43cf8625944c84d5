//! `cupcake init`: creates `.cupcake/` with a working example policy and wires the hook into
//! each agent's settings, merging with what is there and never adding a hook twice.

mod opencode;
mod scripts;
mod wiring;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use cupcake::Harness;

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The agent to wire (claude, cursor, gemini, windsurf, …), or `all` for every agent
    /// whose configuration is found in the project.
    #[arg(long, default_value = "claude")]
    harness: String,
    /// The project directory.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The OPA to pin (default: the one cupcake finds now, on PATH or in its cache).
    #[arg(long)]
    opa_path: Option<PathBuf>,
}

/// The example policy: one rule for every harness, on the shared action view.
const EXAMPLE_POLICY: &str = r#"# METADATA
# scope: package
# title: Block recursive force-deletes
# custom:
#   severity: HIGH
#   id: EXAMPLE-RM
#   routing:
#     required_actions: ["shell"]
package cupcake.policies.example

import rego.v1

deny contains decision if {
	input.cupcake.action.kind == "shell"
	regex.match(`\brm\s+-(?:[a-zA-Z]*r[a-zA-Z]*f|[a-zA-Z]*f[a-zA-Z]*r)`, input.cupcake.action.command)
	decision := {
		"rule_id": "EXAMPLE-RM",
		"reason": "Recursive force-deletes are blocked by .cupcake/policies/shared/example.rego",
		"severity": "HIGH",
	}
}
"#;

const RULEBOOK: &str = "# Signals, builtin policies and settings for cupcake.\n# signals:\n#   git_branch:\n#     command: git rev-parse --abbrev-ref HEAD\n#     timeout_seconds: 5\n";

pub(crate) fn run(args: &InitArgs) -> Result<()> {
    let harnesses = if args.harness.eq_ignore_ascii_case("all") {
        let found = wiring::found_in(&args.dir);
        if found.is_empty() {
            bail!(
                "no agent configuration found in {}; looked for {}. Name the agent with --harness",
                args.dir.display(),
                wiring::markers()
            );
        }
        found
    } else {
        match Harness::parse(&args.harness) {
            Some(harness) => vec![harness],
            None => bail!("{} (or all)", Harness::unknown(&args.harness)),
        }
    };
    let root = args.dir.join(".cupcake");
    let shared = root.join("policies").join("shared");
    std::fs::create_dir_all(&shared).with_context(|| format!("creating {}", shared.display()))?;
    // An earlier init wrote the example under the harness's own folder; a second copy in
    // shared/ would fail the compile with a duplicate package.
    let earlier = harnesses.iter().any(|harness| {
        root.join("policies")
            .join(harness.dir_name())
            .join("example.rego")
            .exists()
    });
    if !earlier {
        write_new(&shared.join("example.rego"), EXAMPLE_POLICY)?;
    }
    write_new(&root.join("rulebook.yml"), RULEBOOK)?;
    pin_opa(&root.join("rulebook.yml"), args.opa_path.as_deref())?;
    let cupcake = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("finding the cupcake binary to pin in the hook command")?;
    let project = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("resolving {}", args.dir.display()))?;
    for harness in harnesses {
        for written in wiring::wire(harness, &project, &cupcake)? {
            crate::outln!(
                "cupcake: {} hooks in {} (policies in {})",
                harness.dir_name(),
                written.display(),
                root.display()
            );
        }
    }
    Ok(())
}

/// Records the OPA found now (absolute path and SHA-256) in the rulebook, so a compile never
/// runs another binary (one dropped earlier on `PATH`, or written over this one). An existing
/// `opa:` entry is kept: the user chose it.
fn pin_opa(rulebook: &Path, opa_path: Option<&Path>) -> Result<()> {
    let text = std::fs::read_to_string(rulebook)
        .with_context(|| format!("reading {}", rulebook.display()))?;
    if text.lines().any(|line| line.starts_with("opa:")) {
        return Ok(());
    }
    let options = cupcake::EngineOptions {
        opa_path: opa_path.map(Path::to_path_buf),
        ..cupcake::EngineOptions::default()
    };
    let opa = match cupcake::ensure_opa(&options) {
        Ok(opa) => {
            std::fs::canonicalize(&opa).with_context(|| format!("resolving {}", opa.display()))?
        }
        Err(err) => {
            eprintln!(
                "cupcake: no OPA pinned ({err}); install OPA and run `cupcake init` again to pin it"
            );
            return Ok(());
        }
    };
    let sha256 = cupcake::opa_sha256(&opa)?;
    let path = serde_json::to_string(&opa.display().to_string())?;
    let pin = format!(
        "\n# Pinned by `cupcake init`: compiles use only this OPA, and only while its SHA-256 matches.\nopa:\n  path: {path}\n  sha256: {sha256}\n"
    );
    let mut updated = text;
    if !updated.ends_with('\n') && !updated.is_empty() {
        updated.push('\n');
    }
    updated.push_str(&pin);
    std::fs::write(rulebook, updated).with_context(|| format!("writing {}", rulebook.display()))
}

/// Writes `contents` unless the file exists: init never overwrites a user's work.
fn write_new(path: &Path, contents: &str) -> Result<()> {
    if !path.exists() {
        std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
