//! METADATA parsing: finding the first `# METADATA` comment block of a Rego file and reading
//! it as YAML (`serde_norway`) into routing, id, severity and title. Each input is tried twice:
//! as a whole Rego source, and as the body of a block (every line commented), so that every
//! input reaches the YAML parser. Besides "no panic": an error names the file, and accepted
//! routing never lists tools without events.
#![no_main]

use std::path::Path;

use cupcake::parse_policy_metadata;
use libfuzzer_sys::fuzz_target;

fn check(source: &str) {
    let file = Path::new("fuzz/policy.rego");
    match parse_policy_metadata(file, source) {
        Ok(metadata) => {
            if let Some(routing) = metadata.routing {
                assert!(
                    !routing.required_events.is_empty() || routing.required_tools.is_empty(),
                    "tools without events must be refused: {routing:?}"
                );
            }
        }
        Err(err) => {
            let message = err.to_string();
            assert!(
                message.contains("fuzz/policy.rego"),
                "error without the file: {message}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text);
    let mut source = String::from("package cupcake.policies.fuzz\n\n# METADATA\n");
    for line in text.lines() {
        source.push_str("# ");
        source.push_str(line);
        source.push('\n');
    }
    source.push_str("\nimport rego.v1\n");
    check(&source);
});
