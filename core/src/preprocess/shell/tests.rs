use super::normalize_whitespace as normalize;

#[test]
fn collapses_spaces_and_tabs_between_words() {
    assert_eq!(normalize("rm   -rf   /tmp/x"), "rm -rf /tmp/x");
    assert_eq!(normalize("rm\t-rf\t\t/tmp/x"), "rm -rf /tmp/x");
    assert_eq!(normalize("rm \t \t-rf"), "rm -rf");
}

#[test]
fn trims_both_ends() {
    assert_eq!(normalize("  \t ls -la \t\n\n"), "ls -la");
    assert_eq!(normalize(" \n\t "), "");
    assert_eq!(normalize(""), "");
}

#[test]
fn newlines_stay_command_separators() {
    assert_eq!(normalize("echo hi  \n\n   rm  -rf x"), "echo hi\nrm -rf x");
    assert_eq!(normalize("a \t\n \t b"), "a\nb");
}

#[test]
fn line_continuations_vanish() {
    assert_eq!(normalize("rm \\\n   -rf x"), "rm -rf x");
    assert_eq!(normalize("r\\\nm -rf x"), "rm -rf x");
    // An escaped backslash before a newline is no continuation.
    assert_eq!(normalize("echo \\\\\nls"), "echo \\\\\nls");
    // In double quotes `$\<newline>(` is a substitution, whose code is normalised.
    assert_eq!(
        normalize("echo \"$\\\n(rm   -rf a)\""),
        "echo \"$(rm -rf a)\""
    );
}

#[test]
fn quoted_text_is_kept_exactly() {
    assert_eq!(
        normalize("echo 'a   b'   \"c \t d\""),
        "echo 'a   b' \"c \t d\""
    );
    assert_eq!(
        normalize("echo \"it's   \\\"x  \\\"\"   y"),
        "echo \"it's   \\\"x  \\\"\" y"
    );
    assert_eq!(normalize("echo $'a \\'  b'   c"), "echo $'a \\'  b' c");
    assert_eq!(
        normalize("echo 'multi\n\n  line'"),
        "echo 'multi\n\n  line'"
    );
}

#[test]
fn escaped_blanks_are_part_of_a_word() {
    assert_eq!(normalize("touch a\\ \\ b   c"), "touch a\\ \\ b c");
    assert_eq!(normalize("touch a\\\t  b"), "touch a\\\t b");
}

#[test]
fn substitutions_inside_double_quotes_are_code() {
    assert_eq!(
        normalize("echo \"$(rm   -rf   x)\""),
        "echo \"$(rm -rf x)\""
    );
    assert_eq!(normalize("echo \"`rm \t -rf x`\""), "echo \"`rm -rf x`\"");
    assert_eq!(
        normalize("echo \"a  $(echo \"b  c\"   )  d\""),
        "echo \"a  $(echo \"b  c\" )  d\""
    );
    assert_eq!(
        normalize("x=\"$(case y in a) rm   -rf z;; esac)  \""),
        "x=\"$(case y in a) rm -rf z;; esac)  \""
    );
}

#[test]
fn unterminated_quotes_run_to_the_end() {
    assert_eq!(normalize("echo   'a   b"), "echo 'a   b");
    assert_eq!(normalize("echo   \"a   b"), "echo \"a   b");
    assert_eq!(normalize("echo $(a   b"), "echo $(a b");
    assert_eq!(normalize("echo \\"), "echo \\");
}

#[test]
fn comments_do_not_open_quotes() {
    assert_eq!(
        normalize("ls # it's   fine\nrm   -rf x"),
        "ls # it's fine\nrm -rf x"
    );
    assert_eq!(normalize("echo a#b'  c  '"), "echo a#b'  c  '");
}

#[test]
fn heredoc_bodies_do_not_open_quotes() {
    let command = "cat <<EOF\nit's   here\n    indented  line  \n\nEOF\nrm   -rf x";
    assert_eq!(
        normalize(command),
        "cat <<EOF\nit's here\n    indented line \n\nEOF\nrm -rf x"
    );
    let tabs = "cat <<-'END'   >  out\n\tdon't\n\tEND\nrm  y";
    assert_eq!(normalize(tabs), "cat <<-'END' > out\n\tdon't\n\tEND\nrm y");
}

#[test]
fn shifts_and_here_strings_are_not_heredocs() {
    assert_eq!(
        normalize("echo $((1<<2))\necho 'a   b'"),
        "echo $((1<<2))\necho 'a   b'"
    );
    assert_eq!(
        normalize("((x <<= 1))\necho '  '"),
        "((x <<= 1))\necho '  '"
    );
    assert_eq!(normalize("cat <<<  'a  b'\nls"), "cat <<< 'a  b'\nls");
}

#[test]
fn other_whitespace_is_not_a_separator() {
    assert_eq!(normalize("rm\r-rf"), "rm\r-rf");
    assert_eq!(normalize("rm\u{a0}-rf"), "rm\u{a0}-rf");
}

/// Inputs built from the characters that drive the normaliser's states, also used to fuzz
/// whole events.
pub(in crate::preprocess) fn generated_inputs() -> Vec<String> {
    const ALPHABET: &[&str] = &[
        " ", "\t", "\n", "'", "\"", "\\", "$(", ")", "`", "#", "<<E", "E", "a", "$'", "((", ";",
        "<<-E", "\tE", "case ", "esac", "(", "<", "\r", "\\\n", "es", "ac", "ca", "se",
    ];
    let mut inputs = Vec::new();
    let mut seed = 0x2545_f491_u32;
    for _ in 0..20_000 {
        let mut input = String::new();
        for _ in 0..(seed % 24) {
            // xorshift: deterministic, no dependency.
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            input.push_str(ALPHABET[seed as usize % ALPHABET.len()]);
        }
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        inputs.push(input);
    }
    inputs
}

#[test]
fn normalising_is_idempotent() {
    for input in generated_inputs() {
        let once = normalize(&input);
        assert_eq!(normalize(&once), once, "input {input:?}");
    }
}

/// Found by the `shell` fuzz target: the first unescaped backtick ends the substitution,
/// even inside what looks like a comment or a quote there, so the quote after it is kept.
#[test]
fn a_backtick_ends_its_substitution_first() {
    assert_eq!(
        normalize("echo `echo  # c`  \"a   b\""),
        "echo `echo # c` \"a   b\""
    );
    assert_eq!(
        normalize("echo `echo 'x`  \"a   b\""),
        "echo `echo 'x` \"a   b\""
    );
    assert_eq!(normalize("echo `echo \\`  a`  b"), "echo `echo \\` a` b");
}

/// Found by the property test: after an escaped `)` a `#` is inside the word, no comment,
/// so the quote after it keeps its blanks.
#[test]
fn a_hash_after_an_escaped_operator_is_text() {
    assert_eq!(normalize("echo \\)#'a  b'"), "echo \\)#'a  b'");
    assert_eq!(normalize("echo )#'a  b'"), "echo )#'a b'");
}

/// Found by the property test: `<<` with no word after it opens no here-document (the shell
/// refuses it), so the next line is code; `<<''` does open one, ended by an empty line.
#[test]
fn a_heredoc_needs_a_delimiter_word() {
    assert_eq!(normalize("cat <<\\\n\n'a  b'"), "cat <<\n'a  b'");
    assert_eq!(
        normalize("cat <<''\n a   b\n\nrm   x"),
        "cat <<''\n a b\n\nrm x"
    );
}

/// The lexer's reading decides what is code: a substitution inside a here-document body is
/// code whose quotes keep their blanks, while the body text around it collapses.
#[test]
fn a_substitution_in_a_heredoc_body_is_code() {
    assert_eq!(
        normalize("cat <<E\n  $(echo  \"a  b\")   x\nE"),
        "cat <<E\n  $(echo \"a  b\") x\nE"
    );
    // A quoted delimiter: no substitution, all body text.
    assert_eq!(
        normalize("cat <<'E'\n$(echo  \"a  b\")\nE"),
        "cat <<'E'\n$(echo \"a b\")\nE"
    );
}

/// The shell removes a continuation from a body it expands, not from a quoted one.
#[test]
fn continuations_in_heredoc_bodies() {
    assert_eq!(
        normalize("cat <<E\nrm \\\n  -rf x\nE"),
        "cat <<E\nrm -rf x\nE"
    );
    assert_eq!(
        normalize("cat <<'E'\nrm \\\n  -rf x\nE"),
        "cat <<'E'\nrm \\\n  -rf x\nE"
    );
}

/// `${…}` outside double quotes expands to words the shell splits again, so its blanks are
/// code; arithmetic is code even inside double quotes; `$'…'` is quoted through a
/// backslash-newline.
#[test]
fn expansions_follow_the_shell() {
    assert_eq!(
        normalize("${x:-rm   -rf /} \"${y:-a  b}\" ${z:-'c  d'}"),
        "${x:-rm -rf /} \"${y:-a  b}\" ${z:-'c  d'}"
    );
    assert_eq!(normalize("echo \"$((1 +   2))\""), "echo \"$((1 + 2))\"");
    assert_eq!(normalize("echo $'a\\\n  b'  c"), "echo $'a\\\n  b' c");
}

/// Found by the `shell` fuzz target: an empty line that ends a `<<''` here-document is kept,
/// or the next line would join the body.
#[test]
fn an_empty_terminator_line_is_kept() {
    assert_eq!(normalize("cat <<''\n\nrm  x"), "cat <<''\n\nrm x");
    assert_eq!(
        normalize("cat <<'' <<''\na\n\n\nrm  x"),
        "cat <<'' <<''\na\n\n\nrm x"
    );
}

/// Found by the `shell` fuzz target: in a body the shell expands, a continuation joins lines
/// before the delimiter is compared, so `\<newline>E` ends the here-document.
#[test]
fn a_continued_line_can_end_a_heredoc() {
    assert_eq!(normalize("cat <<E\nx\n\\\nE\nrm  y"), "cat <<E\nx\nE\nrm y");
    // A quoted delimiter: nothing joins, the backslash stays body text and `E` alone ends it.
    assert_eq!(
        normalize("cat <<'E'\nx\n\\\nE\nrm  y"),
        "cat <<'E'\nx\n\\\nE\nrm y"
    );
    // A backslash that is the whole terminator line is no continuation.
    assert_eq!(
        normalize("cat <<\\\\\nx\n\\\nrm  y"),
        "cat <<\\\\\nx\n\\\nrm y"
    );
}
