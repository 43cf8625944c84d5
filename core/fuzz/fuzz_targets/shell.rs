//! The two shell scanners: the whitespace normaliser (which decides what is quoted and what is
//! code, to collapse blanks only in code) and the lexer of the destructive-command analysis
//! (which splits the same text into commands and words). The analysis reads the normalised
//! command, so the scanners must agree on every quote, substitution, comment and
//! here-document: normalising must leave the lexer's commands and words exactly as they were.
//! Also checked: the normalised text is a fixed point.
#![no_main]

use cupcake::{lexed_shell_commands, normalize_shell_whitespace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(command) = std::str::from_utf8(data) else {
        return;
    };
    let normalized = normalize_shell_whitespace(command);
    assert_eq!(
        normalize_shell_whitespace(&normalized),
        normalized,
        "not a fixed point: {command:?}"
    );
    assert_eq!(
        lexed_shell_commands(&normalized),
        lexed_shell_commands(command),
        "the lexer reads other words after normalising {command:?} to {normalized:?}"
    );
});
