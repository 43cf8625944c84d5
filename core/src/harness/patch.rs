//! The files an `apply_patch` patch touches. The patch format (used by OpenCode and Codex)
//! names each file on a header line: `*** Add File: <path>`, `*** Update File: <path>`,
//! `*** Delete File: <path>`, and `*** Move to: <path>` for a rename's target.

const HEADERS: [&str; 4] = [
    "*** Add File:",
    "*** Update File:",
    "*** Delete File:",
    "*** Move to:",
];

/// Every path the patch names, in order, without duplicates.
pub fn files(patch: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in patch.lines() {
        let line = line.trim_start();
        let Some(named) = HEADERS
            .iter()
            .find_map(|header| line.strip_prefix(header))
            .map(str::trim)
        else {
            continue;
        };
        if !named.is_empty() && !found.iter().any(|known| known == named) {
            found.push(named.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::files;

    #[test]
    fn lists_every_header_once() {
        let patch = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-x\n+y\n*** Add File: .env\n+K=V\n  *** Delete File: old.txt\n*** Update File: src/a.rs\n*** Move to: src/b.rs\n*** End Patch\n";
        assert_eq!(files(patch), ["src/a.rs", ".env", "old.txt", "src/b.rs"]);
        assert!(
            files("+*** Add File: no").is_empty(),
            "a content line is not a header"
        );
    }
}
