//! Reads the first `# METADATA` comment block of a Rego file: the routing a policy declares and
//! the optional id, severity and title. OPA treats the block as an annotation; cupcake needs it
//! before compiling, to know which events a policy cares about.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// What a policy's METADATA block says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct PolicyMetadata {
    /// `title`, if given.
    pub title: Option<String>,
    /// `custom.id`, if given.
    pub id: Option<String>,
    /// `custom.severity`, if given.
    pub severity: Option<String>,
    /// `custom.routing`, if given.
    pub routing: Option<Routing>,
}

/// The events, tools and signals a policy asks to be routed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// Hook event names, e.g. `PreToolUse`.
    #[serde(default)]
    pub required_events: Vec<String>,
    /// Tool names, e.g. `Bash`; empty or `"*"` means every tool.
    #[serde(default)]
    pub required_tools: Vec<String>,
    /// Kinds of `input.cupcake.action` (`shell`, `write`, …) the policy refuses, on every
    /// harness: the policy is routed for each event that is about to do such an action
    /// (`write:after`: each event reporting one done).
    #[serde(default)]
    pub required_actions: Vec<String>,
    /// Signals whose results the policy reads.
    #[serde(default)]
    pub required_signals: Vec<String>,
}

#[derive(Deserialize)]
struct RawBlock {
    title: Option<String>,
    custom: Option<RawCustom>,
}

#[derive(Deserialize)]
struct RawCustom {
    id: Option<String>,
    severity: Option<String>,
    routing: Option<Routing>,
}

/// Parses the first METADATA block of `source`. A file without one yields the default.
pub fn parse(file: &Path, source: &str) -> Result<PolicyMetadata> {
    let Some((first_line, yaml)) = first_block(source) else {
        return Ok(PolicyMetadata::default());
    };
    let raw: RawBlock = serde_norway::from_str(&yaml).map_err(|err| Error::PolicyCompile {
        file: file.to_path_buf(),
        // The YAML line is relative to the block, whose first YAML line follows `# METADATA`.
        line: err
            .location()
            .and_then(|loc| u32::try_from(loc.line()).ok())
            .map(|l| first_line + l),
        reason: format!("invalid METADATA block: {err}"),
    })?;
    let custom = raw.custom;
    let routing = custom.as_ref().and_then(|c| c.routing.clone());
    if let Some(routing) = &routing {
        if routing.required_events.is_empty() && !routing.required_tools.is_empty() {
            return Err(Error::PolicyCompile {
                file: file.to_path_buf(),
                line: Some(first_line),
                reason: "routing lists required_tools without required_events; add the events \
                         (e.g. required_events: [\"PreToolUse\"])"
                    .into(),
            });
        }
        let kinds = crate::harness::ActionKind::NAMES;
        if let Some(unknown) = routing.required_actions.iter().find(|entry| {
            let kind = entry.strip_suffix(":after").unwrap_or(entry);
            !kinds.contains(&kind)
        }) {
            return Err(Error::PolicyCompile {
                file: file.to_path_buf(),
                line: Some(first_line),
                reason: format!(
                    "routing lists required_actions `{unknown}`, which is not an action kind; use {} (with `:after` for an action already done)",
                    kinds.join(", ")
                ),
            });
        }
    }
    Ok(PolicyMetadata {
        title: raw.title,
        id: custom.as_ref().and_then(|c| c.id.clone()),
        severity: custom.and_then(|c| c.severity),
        routing,
    })
}

/// Finds the first `# METADATA` block and returns its 1-based line and its YAML text.
fn first_block(source: &str) -> Option<(u32, String)> {
    let mut lines = source.lines().enumerate();
    let start = lines
        .by_ref()
        .find(|(_, line)| line.trim() == "# METADATA")
        .map(|(index, _)| index)?;
    let mut yaml = String::new();
    for (_, line) in lines {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            break;
        };
        // As in OPA, a second `# METADATA` line starts another block, even without a gap.
        if comment.trim() == "METADATA" {
            break;
        }
        // OPA strips exactly one leading space; deeper indentation is YAML structure.
        yaml.push_str(comment.strip_prefix(' ').unwrap_or(comment));
        yaml.push('\n');
    }
    Some((u32::try_from(start + 1).unwrap_or(u32::MAX), yaml))
}

/// Returns the package a Rego source declares, e.g. `cupcake.policies.bash`.
pub fn package_name(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("package ")?;
        Some(rest.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "package cupcake.policies.bash\n\n# METADATA\n# title: No rm\n# custom:\n#   id: BASH-001\n#   severity: HIGH\n#   routing:\n#     required_events: [\"PreToolUse\"]\n#     required_tools: [\"Bash\"]\n\ndeny contains x if { false }\n";

    #[test]
    fn reads_routing_id_and_severity() {
        let meta = parse(Path::new("p.rego"), POLICY).expect("valid metadata");
        assert_eq!(meta.id.as_deref(), Some("BASH-001"));
        assert_eq!(meta.severity.as_deref(), Some("HIGH"));
        assert_eq!(meta.title.as_deref(), Some("No rm"));
        let routing = meta.routing.expect("routing present");
        assert_eq!(routing.required_events, ["PreToolUse"]);
        assert_eq!(routing.required_tools, ["Bash"]);
    }

    #[test]
    fn tools_without_events_is_an_error() {
        let src = "package cupcake.policies.x\n# METADATA\n# custom:\n#   routing:\n#     required_tools: [Bash]\n";
        let err = parse(Path::new("x.rego"), src).expect_err("tools alone are rejected");
        assert!(err.to_string().contains("x.rego:2"), "{err}");
    }

    #[test]
    fn bad_yaml_names_file_and_line() {
        let src = "package cupcake.policies.x\n# METADATA\n# custom:\n#   routing: [unclosed\n";
        let err = parse(Path::new("x.rego"), src).expect_err("bad yaml is rejected");
        assert!(err.to_string().contains("x.rego:"), "{err}");
    }

    #[test]
    fn adjacent_blocks_are_two_blocks() {
        let src = "# METADATA\n# title: first\n# custom:\n#   routing:\n#     required_events: [Stop]\n# METADATA\n# title: second\npackage cupcake.policies.x\n";
        let meta = parse(Path::new("x.rego"), src).expect("two valid blocks");
        assert_eq!(meta.title.as_deref(), Some("first"));
        assert_eq!(meta.routing.expect("routing").required_events, ["Stop"]);
    }

    #[test]
    fn no_block_means_no_metadata() {
        let meta = parse(Path::new("x.rego"), "package a\n").expect("no block is fine");
        assert_eq!(meta, PolicyMetadata::default());
        assert_eq!(package_name("package a.b\n").as_deref(), Some("a.b"));
    }
}
