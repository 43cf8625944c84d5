//! Line continuations, which both shell scanners skip the same way: the shell removes a
//! backslash-newline before it reads operators and words, so `<\<newline><` is `<<` and
//! `$\<newline>HOME` expands.

/// The index in `chars` of the code character `ahead` places after `pos`, line continuations
/// before and between them skipped.
pub(super) fn code_index(chars: &[char], pos: usize, ahead: usize) -> usize {
    let mut at = pos;
    let mut left = ahead;
    loop {
        while chars.get(at) == Some(&'\\') && chars.get(at + 1) == Some(&'\n') {
            at += 2;
        }
        if left == 0 {
            return at;
        }
        at += 1;
        left -= 1;
    }
}
