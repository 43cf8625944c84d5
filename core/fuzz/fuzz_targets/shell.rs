//! The whitespace normaliser collapses what the lexer marks as blanks outside quotes, and the
//! destructive-command analysis lexes the normalised command, so normalising must leave the
//! lexer's commands and words exactly as they were: collapsing a blank the lexer misplaced
//! (inside what a second reading takes for quotes) would change them. Also checked: the
//! normalised text is a fixed point.
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
