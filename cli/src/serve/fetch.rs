//! Policies from a URL: the server polls a bundle made by `cupcake compile --sign-key`, asks
//! with `If-None-Match` so an unchanged bundle costs one small request, and loads a new one
//! only after its detached signature (`<url>.sig`) verifies against the configured public key,
//! for the served harness, and is no older than the bundle serving (no rollback by replay).
//! The verified bytes are what loads; nothing is read back from disk. A bundle that fails to
//! download or verify is a failed reload: the old set keeps serving.

use std::io::Read as _;
use std::path::Path;
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
    harness: &'static str,
    agent: ureq::Agent,
    last: Mutex<Option<Verified>>,
}

/// The bundle last verified.
#[derive(Clone)]
struct Verified {
    etag: Option<String>,
    sha256: String,
    signed_at: u64,
}

/// What a poll found.
pub(crate) enum Polled {
    /// The bundle verified before is still the one published.
    Unchanged,
    /// A new, verified bundle; `sha256` names it.
    New { bytes: Vec<u8>, sha256: String },
}

impl Fetcher {
    pub(crate) fn new(url: &str, key_file: &Path, harness: &'static str) -> Result<Self> {
        let uri: axum::http::Uri = url
            .parse()
            .with_context(|| format!("--bundle-url `{url}` is not a URL"))?;
        let loopback = crate::remote::is_loopback(uri.host().unwrap_or_default());
        // Signatures stop forgeries; https also stops a network in between from holding the
        // server on an old bundle (answering 304 for ever).
        if !(uri.scheme_str() == Some("https") || (uri.scheme_str() == Some("http") && loopback)) {
            bail!("--bundle-url `{url}` must be https:// (plain http only to 127.0.0.1 or [::1])");
        }
        Ok(Self {
            url: url.to_string(),
            key: PublicKey::load(key_file)?,
            harness,
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
        if let Some(etag) = last.as_ref().and_then(|last| last.etag.as_deref()) {
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
        let sha256 = crate::hex::encode(&Sha256::digest(&bytes));
        if let Some(known) = last.as_ref().filter(|last| last.sha256 == sha256) {
            self.remember(Verified {
                etag,
                ..known.clone()
            });
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
        let signed_at = self
            .key
            .verify(&bytes, &String::from_utf8_lossy(&signature), self.harness)
            .with_context(|| format!("refusing the bundle {}", self.url))?;
        if let Some(serving) = last.as_ref().filter(|last| signed_at < last.signed_at) {
            bail!(
                "refusing the bundle {}: signed at {signed_at}, before the one serving ({}); an \
                 older bundle is not taken back",
                self.url,
                serving.signed_at
            );
        }
        self.remember(Verified {
            etag,
            sha256: sha256.clone(),
            signed_at,
        });
        Ok(Polled::New { bytes, sha256 })
    }

    /// The URL, for messages and as the bundle's origin.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    fn remember(&self, verified: Verified) {
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(verified);
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
