//! Bash brace expansion of comma lists (`a{b,c}d` → `abd acd`), which happens before every
//! other expansion: `rm -rf p{,}` removes `p` twice, and `.cup{c,}ake` is `.cupcake`.

/// Most words one brace expression may expand to before the word counts as unknown.
const MAX_BRACE_WORDS: usize = 256;

/// Every word `text` expands to, nested lists included; `None` when it has no comma list or
/// expands past [`MAX_BRACE_WORDS`].
pub(crate) fn expand(text: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let (open, close, commas) = first_list(&chars)?;
    let prefix: String = chars.get(..open)?.iter().collect();
    let suffix: String = chars.get(close + 1..)?.iter().collect();
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let mut words = Vec::new();
    for pair in bounds.windows(2) {
        let (from, to) = (*pair.first()?, *pair.get(1)?);
        let part: String = chars.get(from + 1..to)?.iter().collect();
        let word = format!("{prefix}{part}{suffix}");
        match expand(&word) {
            Some(more) => words.extend(more),
            None => words.push(word),
        }
        if words.len() > MAX_BRACE_WORDS {
            return None;
        }
    }
    Some(words)
}

/// The first `{…}` holding a top-level comma: its bounds and the commas' positions.
fn first_list(chars: &[char]) -> Option<(usize, usize, Vec<usize>)> {
    for (open, c) in chars.iter().enumerate() {
        if *c != '{' {
            continue;
        }
        let mut depth = 0;
        let mut commas = Vec::new();
        for (at, c) in chars.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        if commas.is_empty() {
                            break;
                        }
                        return Some((open, at, commas));
                    }
                }
                ',' if depth == 1 => commas.push(at),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_like_bash() {
        assert_eq!(expand("p{,}").expect("list"), ["p", "p"]);
        assert_eq!(
            expand(".cup{c,x}ake/{a,b{1,2}}").expect("list"),
            [
                ".cupcake/a",
                ".cupcake/b1",
                ".cupcake/b2",
                ".cupxake/a",
                ".cupxake/b1",
                ".cupxake/b2"
            ]
        );
        assert!(expand("{a}").is_none());
        assert!(expand("plain").is_none());
    }
}
