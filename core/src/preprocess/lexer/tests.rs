use super::{simple_commands, Expansion, Word};

fn words(script: &str) -> Vec<Vec<String>> {
    simple_commands(script)
        .into_iter()
        .map(|command| command.words.into_iter().map(|word| word.text).collect())
        .collect()
}

fn writes(script: &str) -> Vec<String> {
    simple_commands(script)
        .into_iter()
        .flat_map(|command| command.writes)
        .map(|word| word.text)
        .collect()
}

#[test]
fn splits_on_every_separator() {
    assert_eq!(
        words("a 1; b 2 && c || d | e & f\ng (h) {i;}"),
        [
            vec!["a", "1"],
            vec!["b", "2"],
            vec!["c"],
            vec!["d"],
            vec!["e"],
            vec!["f"],
            vec!["g"],
            vec!["h"],
            vec!["{i"],
            vec!["}"],
        ]
    );
}

#[test]
fn removes_quotes_and_escapes() {
    assert_eq!(
        words(r#"\rm "r"m 'a b' "c\"d" e\ f"#),
        [vec!["rm", "rm", "a b", "c\"d", "e f"]]
    );
    assert_eq!(words("r\\\nm x"), [vec!["rm", "x"]]);
    assert_eq!(words("\\\nrm \\\n x ''"), [vec!["rm", "x", ""]]);
    assert_eq!(words("echo 'a;b' \"c|d\""), [vec!["echo", "a;b", "c|d"]]);
}

#[test]
fn decodes_ansi_c_strings() {
    assert_eq!(
        words(r"$'\x72\x6d' $'\162m' $'a\'b' $'\u00e9\n'"),
        [vec!["rm", "rm", "a'b", "é\n"]]
    );
}

#[test]
fn lists_commands_inside_substitutions() {
    assert_eq!(
        words("echo \"$(rm -rf a)\" `rm b` <(rm c) $((1 + $(rm d)))"),
        [
            vec!["rm", "-rf", "a"],
            vec!["rm", "b"],
            vec!["rm", "c"],
            vec!["rm", "d"],
            vec!["echo", "", "", "", ""],
        ]
    );
    assert_eq!(
        words("x=$(case y in a) rm e;; esac)"),
        [
            vec!["case", "y", "in", "a"],
            vec!["rm", "e"],
            vec!["esac"],
            vec!["x="]
        ]
    );
}

#[test]
fn marks_expansions() {
    let lexed = simple_commands("rm dir/*.txt $HOME/x ~/y 'q*' a{b,c}");
    let found: Vec<Option<(usize, Expansion)>> = lexed
        .into_iter()
        .flat_map(|command| command.words)
        .map(|word| word.expansion)
        .collect();
    assert_eq!(
        found,
        [
            None,
            Some((4, Expansion::Glob)),
            Some((0, Expansion::Other)),
            Some((0, Expansion::Other)),
            None,
            Some((1, Expansion::Other)),
        ]
    );
}

#[test]
fn keeps_output_redirection_targets() {
    assert_eq!(
        writes("echo a > out1 2>>out2 &> out3 >| out4 < in 2>&1 >&out5 3<> out6 <<< s"),
        ["out1", "out2", "out3", "out4", "out5", "out6"]
    );
    assert_eq!(words("echo a 2>/dev/null b"), [vec!["echo", "a", "b"]]);
}

#[test]
fn skips_comments_and_heredoc_bodies() {
    assert_eq!(
        words("ls # it's a comment\ncat <<'EOF' > f\nit's rm -rf body\nEOF\nrm x"),
        [vec!["ls"], vec!["cat"], vec!["rm", "x"]]
    );
    assert_eq!(
        words("cat <<-EOF\n\t$(rm -rf y)\n\tEOF\nrm z"),
        [vec!["cat"], vec!["rm", "-rf", "y"], vec!["rm", "z"]]
    );
    assert_eq!(
        words("echo $((1<<2))\nrm q"),
        [vec!["echo", ""], vec!["rm", "q"]]
    );
}

#[test]
fn survives_malformed_input() {
    for script in [
        "'unterminated",
        "\"open $(",
        "`",
        "$'\\",
        "$((",
        "${",
        "<<",
        "a >",
        ")))",
        "\\",
        "$'\\x'",
        "$'\\U110000'",
        "echo <(",
        "((",
        "cat <<E\n",
    ] {
        let _ = simple_commands(script);
    }
    let deep = "$(".repeat(10_000) + "rm x";
    let _ = simple_commands(&deep);
    let backticks = "`".repeat(10_001);
    let _ = simple_commands(&backticks);
}

#[test]
fn tail_shifts_the_expansion() {
    let word = Word {
        text: "of=/tmp/*".to_string(),
        expansion: Some((8, Expansion::Glob)),
    };
    assert_eq!(
        word.tail(3),
        Word {
            text: "/tmp/*".to_string(),
            expansion: Some((5, Expansion::Glob)),
        }
    );
    assert_eq!(word.tail(100).text, "");
}

/// Found by the `shell` fuzz target: the shell removes a line continuation before it reads
/// `$`'s operand, so these expand and substitute like `$HOME` and `$(rm -rf /)`.
#[test]
fn continuations_after_a_dollar_are_removed_first() {
    let [command] = simple_commands("echo $\\\nHOME")
        .try_into()
        .expect("one command");
    assert_eq!(
        command.words[1],
        Word {
            text: "$HOME".into(),
            expansion: Some((0, Expansion::Other)),
        }
    );
    assert_eq!(
        words("echo $\\\n(rm -rf /) \"$\\\n(rm -rf ~)\""),
        [
            vec!["rm", "-rf", "/"],
            vec!["rm", "-rf", "~"],
            vec!["echo", "", ""]
        ]
    );
}

/// Found by the `shell` fuzz target: after a redirection operator `#` starts a comment, as
/// the shell reads it (which then refuses the redirection without a target).
#[test]
fn a_comment_after_a_redirection_is_no_target() {
    assert_eq!(writes("echo hi >#x \"\nrm -rf y"), Vec::<String>::new());
    assert_eq!(
        words("echo hi >#x \"\nrm -rf y"),
        [vec!["echo", "hi"], vec!["rm", "-rf", "y"]]
    );
}

/// Found by the `shell` fuzz target: continuations inside an operator vanish before the
/// shell reads it, so `<\<newline><-` opens a here-document like `<<-`.
#[test]
fn continuations_inside_operators_are_removed_first() {
    assert_eq!(
        words("cat <\\\n<\\\n-E\nrm -rf a\nE\nrm b"),
        [vec!["cat"], vec!["rm", "b"]]
    );
    assert_eq!(writes("echo a >\\\n> log"), ["log"]);
    // Between the operator and its target too: here there is no target at all.
    assert_eq!(writes("echo a > \\\n)"), Vec::<String>::new());
}

/// Found by the property test: a `#` after a continuation between words starts a comment,
/// but inside a word it is text.
#[test]
fn a_comment_after_a_continuation_is_a_comment() {
    assert_eq!(words("echo a \\\n# rm -rf /"), [vec!["echo", "a"]]);
    assert_eq!(words("echo a\\\n#b"), [vec!["echo", "a#b"]]);
}

/// A quoted brace or parenthesis inside `${…}` or `$((…))` closes nothing, so the command
/// after the expansion is still found (it used to close the expansion, and the quote left
/// over then hid `rm` inside a string).
#[test]
fn quotes_inside_expansions_close_nothing() {
    assert_eq!(
        words("echo ${x:-\"}\"}; rm a"),
        [vec!["echo", ""], vec!["rm", "a"]]
    );
    assert_eq!(
        words("echo $(( \")\" )); rm b"),
        [vec!["echo", ""], vec!["rm", "b"]]
    );
}

/// Found by the `shell` fuzz target: a continuation inside a descriptor number is removed
/// first, so `0\<newline><f` redirects descriptor 0, which is then no argument.
#[test]
fn a_continuation_inside_a_descriptor_number() {
    assert_eq!(words("cat 0\\\n<f"), [vec!["cat"]]);
    assert_eq!(writes("echo 2\\\n>log"), ["log"]);
}

/// Found by the `shell` fuzz target: inside arithmetic, `${…}` and expanded here-document
/// bodies a continuation between `$` and `(` is removed first too, so the substitution's
/// commands are read.
#[test]
fn a_continuation_inside_a_substitution_opening() {
    assert_eq!(
        words("echo $((1 + $\\\n(rm a)))"),
        [vec!["rm", "a"], vec!["echo", ""]]
    );
    assert_eq!(
        words("echo ${x:-$\\\n(rm b)}"),
        [vec!["rm", "b"], vec!["echo", ""]]
    );
    assert_eq!(
        words("cat <<E\n$\\\n(rm c)\nE"),
        [vec!["cat"], vec!["rm", "c"]]
    );
}

/// Found by the `shell` fuzz target: a continuation joins an expanded body's lines before the
/// delimiter is compared, so the command after `\<newline>E` is code.
#[test]
fn a_continued_line_can_end_a_heredoc() {
    assert_eq!(
        words("cat <<E\nx\n\\\nE\nrm y"),
        [vec!["cat"], vec!["rm", "y"]]
    );
}
