//! Signed bundles: Ed25519 keys made by `cupcake keygen`, a detached signature written next to
//! a bundle by `cupcake compile --sign-key`, checked by `cupcake serve --bundle-url` before a
//! downloaded bundle is loaded. Keys and signatures are text, one line each, so they can be
//! pasted into secrets stores and CI variables.
//!
//! A signature covers more than the bundle's bytes: the harness the bundle is for (a Claude
//! bundle served for Cursor would match none of Cursor's events) and when it was signed (so a
//! server refuses an older signed bundle replayed to roll its policies back). The file reads
//! `cupcake-bundle-signature-v1 <harness> <unix seconds> <128 hex digits>`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

/// The suffix of a bundle's signature file: `policies.bundle` → `policies.bundle.sig`.
pub(crate) const SIGNATURE_SUFFIX: &str = ".sig";
const SIGNATURE_TAG: &str = "cupcake-bundle-signature-v1";

/// What is signed: a domain tag, the harness, the signing time and the bundle.
fn message(harness: &str, signed_at: u64, bundle: &[u8]) -> Vec<u8> {
    let mut message = format!("{SIGNATURE_TAG}\0{harness}\0{signed_at}\0").into_bytes();
    message.extend_from_slice(bundle);
    message
}

#[derive(clap::Args)]
pub(crate) struct KeygenArgs {
    /// Directory for `bundle-signing.key` (secret, owner-only) and `bundle-signing.pub`.
    #[arg(long)]
    out_dir: PathBuf,
}

/// `cupcake keygen`: a new signing key pair; refuses to overwrite one.
pub(crate) fn keygen(args: &KeygenArgs) -> Result<()> {
    let secret_path = args.out_dir.join("bundle-signing.key");
    let public_path = args.out_dir.join("bundle-signing.pub");
    for path in [&secret_path, &public_path] {
        if path.exists() {
            bail!("{} exists; not replacing a key", path.display());
        }
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| anyhow::anyhow!("no randomness for a key: {err}"))?;
    let key = SigningKey::from_bytes(&seed);
    write_private(
        &secret_path,
        &format!("{}\n", crate::hex::encode(&key.to_bytes())),
    )?;
    std::fs::write(
        &public_path,
        format!("{}\n", crate::hex::encode(key.verifying_key().as_bytes())),
    )
    .with_context(|| format!("cannot write {}", public_path.display()))?;
    crate::outln!(
        "cupcake: wrote {} (keep it secret) and {} (give it to servers)",
        secret_path.display(),
        public_path.display()
    );
    Ok(())
}

/// Writes `<bundle>.sig`: the bundle, for `harness`, signed now with the key in `key_file`.
pub(crate) fn sign(key_file: &Path, bundle: &Path, harness: &str) -> Result<PathBuf> {
    let seed: [u8; 32] = read_hex(key_file, "signing key")?;
    let key = SigningKey::from_bytes(&seed);
    let bytes =
        std::fs::read(bundle).with_context(|| format!("cannot read {}", bundle.display()))?;
    let signed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let signature = key.sign(&message(harness, signed_at, &bytes));
    let path = signature_path(bundle);
    std::fs::write(
        &path,
        format!(
            "{SIGNATURE_TAG} {harness} {signed_at} {}\n",
            crate::hex::encode(&signature.to_bytes())
        ),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Where a bundle's signature lives (a path, or a URL).
pub(crate) fn signature_path(bundle: &Path) -> PathBuf {
    let mut name = bundle.as_os_str().to_owned();
    name.push(SIGNATURE_SUFFIX);
    PathBuf::from(name)
}

/// The key a server accepts bundles from.
pub(crate) struct PublicKey(VerifyingKey);

impl PublicKey {
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let bytes: [u8; 32] = read_hex(path, "public key")?;
        VerifyingKey::from_bytes(&bytes).map(Self).map_err(|err| {
            anyhow::anyhow!("{} is not an Ed25519 public key: {err}", path.display())
        })
    }

    /// Checks `signature` (the text of a `.sig` file) over `bytes` for `harness`; returns
    /// when the bundle was signed (seconds since the epoch).
    pub(crate) fn verify(&self, bytes: &[u8], signature: &str, harness: &str) -> Result<u64> {
        let fields: Vec<&str> = signature.split_whitespace().collect();
        let [tag, signed_for, signed_at, hex_signature] = fields.as_slice() else {
            bail!("the signature file is not `{SIGNATURE_TAG} <harness> <time> <signature>`");
        };
        if *tag != SIGNATURE_TAG {
            bail!("the signature file is not a {SIGNATURE_TAG} signature");
        }
        let signed_at: u64 = signed_at
            .parse()
            .context("the signature's time is not a number of seconds")?;
        let raw: [u8; 64] =
            parse_hex(hex_signature).context("the signature is not 128 hex digits")?;
        self.0
            .verify_strict(
                &message(signed_for, signed_at, bytes),
                &Signature::from_bytes(&raw),
            )
            .map_err(|_| {
                anyhow::anyhow!("the bundle's signature does not match the configured public key")
            })?;
        if *signed_for != harness {
            bail!("the bundle was signed for {signed_for}, not {harness}");
        }
        Ok(signed_at)
    }
}

fn read_hex<const N: usize>(path: &Path, what: &str) -> Result<[u8; N]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    parse_hex(text.trim()).with_context(|| {
        format!(
            "{} is not a {what} ({} hex digits; make one with `cupcake keygen`)",
            path.display(),
            N * 2
        )
    })
}

fn parse_hex<const N: usize>(text: &str) -> Result<[u8; N]> {
    if text.len() != N * 2 {
        bail!("expected {} hex digits, found {}", N * 2, text.len());
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).context("not hex")?;
        *byte = u8::from_str_radix(pair, 16).context("not hex")?;
    }
    Ok(bytes)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_key_and_bytes() -> Result<()> {
        let dir = tempfile::tempdir()?;
        keygen(&KeygenArgs {
            out_dir: dir.path().join("a"),
        })?;
        keygen(&KeygenArgs {
            out_dir: dir.path().join("b"),
        })?;
        assert!(keygen(&KeygenArgs {
            out_dir: dir.path().join("a"),
        })
        .is_err());
        let bundle = dir.path().join("p.bundle");
        std::fs::write(&bundle, b"bundle bytes")?;
        let signature = sign(&dir.path().join("a/bundle-signing.key"), &bundle, "claude")?;
        let text = std::fs::read_to_string(signature)?;
        let a = PublicKey::load(&dir.path().join("a/bundle-signing.pub"))?;
        let b = PublicKey::load(&dir.path().join("b/bundle-signing.pub"))?;
        assert!(a.verify(b"bundle bytes", &text, "claude")? > 0);
        assert!(a.verify(b"bundle bytez", &text, "claude").is_err());
        assert!(b.verify(b"bundle bytes", &text, "claude").is_err());
        let other = a
            .verify(b"bundle bytes", &text, "cursor")
            .expect_err("wrong harness");
        assert!(other.to_string().contains("signed for claude"), "{other}");
        // Editing the harness or the time in the file breaks the signature.
        let edited = text.replace(" claude ", " cursor ");
        assert!(a.verify(b"bundle bytes", &edited, "cursor").is_err());
        let fields: Vec<&str> = text.split_whitespace().collect();
        let older = text.replace(fields[2], "1");
        assert!(a.verify(b"bundle bytes", &older, "claude").is_err());
        assert!(a.verify(b"bundle bytes", "00", "claude").is_err());
        Ok(())
    }
}
