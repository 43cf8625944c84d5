//! Policies from a URL: the server polls a bundle made by `cupcake compile --sign-key`, asks
//! with `If-None-Match` so an unchanged bundle costs one small request, and loads a new one
//! only after its detached signature (`<url>.sig`) verifies against the configured public key.
//! A bundle that fails to download or verify is a failed reload: the old set keeps serving.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use sha2::{Digest as _, Sha256};

use crate::signing::{PublicKey, SIGNATURE_SUFFIX};

/// The largest bundle downloaded.
const MAX_BUNDLE_BYTES: u64 = 512 << 20;
const MAX_SIGNATURE_BYTES: u64 = 4096;
const TIMEOUT: Duration = Duration::from_mins(2);

pub(crate) struct Fetcher {
    url: String,
    key: PublicKey,
    /// Where verified bundles are kept, one file per version.
    dir: tempfile::TempDir,
    agent: ureq::Agent,
    /// The `ETag` and SHA-256 of the bundle last verified.
    last: Mutex<Option<(Option<String>, String)>>,
}

/// What a poll found.
pub(crate) enum Polled {
    /// The bundle verified before is still the one published.
    Unchanged,
    /// A new, verified bundle, saved at `path`; `sha256` names it.
    New { path: PathBuf, sha256: String },
}

impl Fetcher {
    pub(crate) fn new(url: &str, key_file: &Path) -> Result<Self> {
        if !url.starts_with("https://") && !url.starts_with("http://") {
            bail!("--bundle-url `{url}` must start with https:// or http://");
        }
        Ok(Self {
            url: url.to_string(),
            key: PublicKey::load(key_file)?,
            dir: tempfile::Builder::new()
                .prefix("cupcake-serve-bundles")
                .tempdir()
                .context("cannot create a directory for downloaded bundles")?,
            // The signature is what makes a bundle trusted, so the transport adds nothing to
            // trust; still, nothing about the request comes from the environment.
            agent: ureq::Agent::config_builder()
                .proxy(None)
                .http_status_as_error(false)
                .timeout_global(Some(TIMEOUT))
                .user_agent(concat!("cupcake/", env!("CARGO_PKG_VERSION")))
                .build()
                .into(),
            last: Mutex::new(None),
        })
    }

    /// Asks for the bundle, and downloads and verifies it when it changed.
    pub(crate) fn poll(&self) -> Result<Polled> {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let mut request = self.agent.get(&self.url);
        if let Some(etag) = last.as_ref().and_then(|(etag, _)| etag.as_deref()) {
            request = request.header("if-none-match", etag);
        }
        let mut answer = request
            .call()
            .with_context(|| format!("cannot fetch the bundle {}", self.url))?;
        let status = answer.status().as_u16();
        if status == 304 && last.is_some() {
            return Ok(Polled::Unchanged);
        }
        if status != 200 {
            bail!("fetching the bundle {} answered {status}", self.url);
        }
        let etag = answer
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let bytes = read_capped(answer.body_mut().as_reader(), MAX_BUNDLE_BYTES)
            .with_context(|| format!("cannot download the bundle {}", self.url))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        if last.as_ref().is_some_and(|(_, known)| *known == sha256) {
            self.remember(etag, sha256);
            return Ok(Polled::Unchanged);
        }
        let signature_url = format!("{}{SIGNATURE_SUFFIX}", self.url);
        let mut signed = self
            .agent
            .get(&signature_url)
            .call()
            .with_context(|| format!("cannot fetch the signature {signature_url}"))?;
        if signed.status().as_u16() != 200 {
            bail!(
                "fetching the signature {signature_url} answered {}",
                signed.status()
            );
        }
        let signature = read_capped(signed.body_mut().as_reader(), MAX_SIGNATURE_BYTES)
            .with_context(|| format!("cannot download the signature {signature_url}"))?;
        self.key
            .verify(&bytes, &String::from_utf8_lossy(&signature))
            .with_context(|| format!("refusing the bundle {}", self.url))?;
        let path = self.dir.path().join(format!("{sha256}.bundle"));
        std::fs::write(&path, &bytes)
            .with_context(|| format!("cannot save the bundle to {}", path.display()))?;
        self.remember(etag, sha256.clone());
        Ok(Polled::New { path, sha256 })
    }

    fn remember(&self, etag: Option<String>, sha256: String) {
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((etag, sha256));
    }
}

fn read_capped(reader: impl std::io::Read, cap: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        bail!("larger than the {cap}-byte limit");
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
