//! Who may ask: bearer tokens from a file, compared in constant time, and a rate limit per
//! client (its token, or its address when the server runs without tokens).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// The accepted tokens, kept as SHA-256 digests: comparing digests of equal length in constant
/// time leaks neither a token's bytes nor its length through timing.
pub(crate) struct Tokens(Vec<[u8; 32]>);

/// Tokens shorter than this are refused: a guessable token is no authentication.
const MIN_TOKEN_LEN: usize = 16;

impl Tokens {
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the token file {}", path.display()))?;
        let mut digests = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let token = line.trim();
            if token.is_empty() || token.starts_with('#') {
                continue;
            }
            if token.len() < MIN_TOKEN_LEN || token.chars().any(char::is_whitespace) {
                bail!(
                    "{}:{}: a token must be at least {MIN_TOKEN_LEN} characters without spaces \
                     (e.g. `openssl rand -hex 32`)",
                    path.display(),
                    number + 1
                );
            }
            digests.push(digest(token));
        }
        if digests.is_empty() {
            bail!(
                "{} holds no token; add one per line (e.g. `openssl rand -hex 32`)",
                path.display()
            );
        }
        Ok(Self(digests))
    }

    /// The index of the token `presented` matches, checking every token whatever matches.
    pub(crate) fn check(&self, presented: &str) -> Option<usize> {
        let presented = digest(presented);
        let mut found = None;
        for (index, accepted) in self.0.iter().enumerate() {
            if bool::from(accepted.ct_eq(&presented)) {
                found = Some(index);
            }
        }
        found
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The bearer token of an `Authorization` header value.
pub(crate) fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// Whom a rate limit counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Client {
    /// The index of the token presented.
    Token(usize),
    /// The peer address, when the server has no tokens.
    Address(IpAddr),
}

/// GCRA limits per client; keys of idle clients are dropped by [`ClientLimiter::forget_idle`].
pub(crate) struct ClientLimiter(DefaultKeyedRateLimiter<Client>);

impl ClientLimiter {
    pub(crate) fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        Self(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }

    /// Whether `client` may make one more request now.
    pub(crate) fn allow(&self, client: &Client) -> bool {
        self.0.check_key(client).is_ok()
    }

    /// Drops the state of clients whose limit has fully recovered, so memory stays bounded by
    /// the clients active recently.
    pub(crate) fn forget_idle(&self) {
        self.0.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Result<Tokens> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("tokens");
        std::fs::write(&path, text)?;
        Tokens::load(&path)
    }

    #[test]
    fn accepts_listed_tokens_only() -> Result<()> {
        let tokens = tokens("# team\n0123456789abcdef\n\nfedcba9876543210fedcba\n")?;
        assert_eq!(tokens.check("0123456789abcdef"), Some(0));
        assert_eq!(tokens.check("fedcba9876543210fedcba"), Some(1));
        assert_eq!(tokens.check("0123456789abcde"), None);
        assert_eq!(tokens.check(""), None);
        Ok(())
    }

    #[test]
    fn refuses_short_and_empty_token_files() {
        assert!(tokens("short\n").is_err());
        assert!(tokens("# nothing\n\n").is_err());
    }

    #[test]
    fn reads_bearer_headers() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearer"), None);
    }

    #[test]
    fn limits_each_client_separately() {
        let one = NonZeroU32::MIN;
        let limiter = ClientLimiter::new(one, one);
        let first = Client::Token(0);
        assert!(limiter.allow(&first));
        assert!(!limiter.allow(&first));
        assert!(limiter.allow(&Client::Token(1)));
    }
}
