//! The policy sets the server answers with: one engine per served harness, loaded together and
//! replaced together. A reload builds every engine of the new set before it swaps the whole
//! generation in, so a request sees the old set or the new one, never a mix; a set that fails
//! to load leaves the old one serving and is reported until the files change again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use cupcake::{Engine, Harness};

use super::fetch::{Fetcher, Polled};
use super::{fingerprint, metrics::Metrics, App};
use crate::LoadArgs;

/// One loaded policy set.
pub(crate) struct Generation {
    pub engines: Vec<(Harness, Arc<Engine>)>,
    /// The files' fingerprint when this set was read.
    pub fingerprint: String,
    pub loaded_at: SystemTime,
}

impl Generation {
    pub(crate) fn engine(&self, harness: Harness) -> Option<&Arc<Engine>> {
        self.engines
            .iter()
            .find(|(served, _)| *served == harness)
            .map(|(_, engine)| engine)
    }
}

/// The newest reload that failed, while the previous set keeps serving.
#[derive(Clone)]
pub(crate) struct FailedReload {
    pub fingerprint: String,
    pub error: String,
    pub at: SystemTime,
}

pub(crate) struct Served {
    load: LoadArgs,
    harnesses: Vec<Harness>,
    roots: Vec<PathBuf>,
    /// Set when the policies come from `--bundle-url` instead of files.
    fetcher: Option<Fetcher>,
    current: RwLock<Arc<Generation>>,
    failed: Mutex<Option<FailedReload>>,
}

impl Served {
    /// Loads every harness's engine; any failure stops the server from starting.
    pub(crate) fn load(
        load: LoadArgs,
        harnesses: Vec<Harness>,
        fetcher: Option<Fetcher>,
        metrics: &Metrics,
    ) -> Result<Self> {
        let (roots, generation) = match &fetcher {
            None => {
                let roots = watched_roots(&load)?;
                let generation = read(&load, &harnesses, &roots)?;
                (roots, generation)
            }
            Some(fetcher) => {
                let Polled::New { bytes, sha256 } = fetcher.poll()? else {
                    anyhow::bail!("the first fetch of the bundle found nothing new");
                };
                let generation = read_bundle(&load, &harnesses, fetcher.url(), &bytes, sha256)?;
                (Vec::new(), generation)
            }
        };
        metrics.reloaded(true);
        Ok(Self {
            load,
            harnesses,
            roots,
            fetcher,
            current: RwLock::new(Arc::new(generation)),
            failed: Mutex::new(None),
        })
    }

    /// The set requests are answered with now.
    pub(crate) fn current(&self) -> Arc<Generation> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn harnesses(&self) -> &[Harness] {
        &self.harnesses
    }

    pub(crate) fn failed(&self) -> Option<FailedReload> {
        self.failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reloads when the files changed since the current set (or since the last failed try).
    /// Runs on a blocking thread: it reads files and may run OPA.
    fn reload_if_changed(&self, metrics: &Metrics) {
        if let Some(fetcher) = &self.fetcher {
            match fetcher.poll() {
                // A failure to load or verify this bundle stays until another is published;
                // a failure to reach the URL ends when it answers again.
                Ok(Polled::Unchanged) => {
                    if self
                        .failed()
                        .is_some_and(|failed| failed.fingerprint.is_empty())
                    {
                        *self.failed.lock().unwrap_or_else(PoisonError::into_inner) = None;
                        metrics.reloaded(true);
                    }
                }
                Ok(Polled::New { bytes, sha256 }) => {
                    let url = fetcher.url();
                    match read_bundle(&self.load, &self.harnesses, url, &bytes, sha256.clone()) {
                        Ok(generation) => self.swap(generation, metrics),
                        Err(err) => self.record_failure(sha256, format!("{err:#}"), metrics),
                    }
                }
                Err(err) => self.record_failure(String::new(), format!("{err:#}"), metrics),
            }
            return;
        }
        let fingerprint = match fingerprint::of(&self.roots) {
            Ok(fingerprint) => fingerprint,
            Err(err) => {
                self.record_failure(String::new(), format!("{err:#}"), metrics);
                return;
            }
        };
        let unchanged = fingerprint == self.current().fingerprint;
        let known_bad = self
            .failed()
            .is_some_and(|failed| failed.fingerprint == fingerprint);
        if unchanged {
            // Back to the set being served (a bad edit reverted): nothing is failing any more.
            if self.failed().is_some() {
                *self.failed.lock().unwrap_or_else(PoisonError::into_inner) = None;
                metrics.reloaded(true);
            }
            return;
        }
        if known_bad {
            return;
        }
        match read(&self.load, &self.harnesses, &self.roots) {
            Ok(generation) => self.swap(generation, metrics),
            Err(err) => self.record_failure(fingerprint, format!("{err:#}"), metrics),
        }
    }

    fn swap(&self, generation: Generation, metrics: &Metrics) {
        tracing::warn!(fingerprint = %generation.fingerprint, "policies reloaded");
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(generation);
        *self.failed.lock().unwrap_or_else(PoisonError::into_inner) = None;
        metrics.reloaded(true);
    }

    fn record_failure(&self, fingerprint: String, error: String, metrics: &Metrics) {
        // A source that stays down fails every poll; say so once per distinct failure.
        let repeated = self
            .failed()
            .is_some_and(|failed| failed.error == error && failed.fingerprint == fingerprint);
        if !repeated {
            tracing::error!(%error, "policy reload failed; the previous policies stay in use");
        }
        *self.failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(FailedReload {
            fingerprint,
            error,
            at: SystemTime::now(),
        });
        metrics.reloaded(false);
    }
}

/// Reads one generation: the fingerprint first, so a file changed while loading shows up as a
/// change at the next check and is loaded then.
fn read(load: &LoadArgs, harnesses: &[Harness], roots: &[PathBuf]) -> Result<Generation> {
    let fingerprint = fingerprint::of(roots)?;
    let mut engines = Vec::with_capacity(harnesses.len());
    for &harness in harnesses {
        let mut options = load.options()?;
        options.harness = harness;
        let engine = load
            .engine_with(options)
            .with_context(|| format!("loading the {} policies", harness.dir_name()))?;
        engines.push((harness, Arc::new(engine)));
    }
    Ok(Generation {
        engines,
        fingerprint,
        loaded_at: SystemTime::now(),
    })
}

/// Loads a downloaded, verified bundle from its bytes for every harness; `sha256` names the
/// generation.
fn read_bundle(
    load: &LoadArgs,
    harnesses: &[Harness],
    url: &str,
    bytes: &[u8],
    sha256: String,
) -> Result<Generation> {
    let mut engines = Vec::with_capacity(harnesses.len());
    for &harness in harnesses {
        let mut options = load.options()?;
        options.harness = harness;
        // Where the bundle counts as being, for messages and self-protection; signals run in
        // its directory, the server's own. Nothing is read from it.
        let origin = std::env::current_dir()
            .context("cannot read the server's working directory")?
            .join(format!("{sha256}.bundle"));
        let engine = Engine::from_bundle_bytes(bytes, &origin, options)
            .with_context(|| format!("loading the bundle {url}"))?;
        engines.push((harness, Arc::new(engine)));
    }
    Ok(Generation {
        engines,
        fingerprint: sha256,
        loaded_at: SystemTime::now(),
    })
}

/// What a change to triggers a reload: the bundle, or the policy directory (the `.cupcake`
/// inside a project directory) and the global directory.
fn watched_roots(load: &LoadArgs) -> Result<Vec<PathBuf>> {
    if let Some(bundle) = &load.bundle {
        return Ok(vec![bundle.clone()]);
    }
    let project = if load.policy_dir.join(".cupcake").is_dir() {
        load.policy_dir.join(".cupcake")
    } else {
        load.policy_dir.clone()
    };
    let global = match &load.global_dir {
        Some(dir) => dir.clone(),
        None => cupcake::global_config_dir()?,
    };
    Ok(vec![project, global])
}

/// Checks the files every `interval` and reloads on change, until the process ends.
pub(crate) async fn watch(app: Arc<App>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let checking = Arc::clone(&app);
        let checked = tokio::task::spawn_blocking(move || {
            checking.policies.reload_if_changed(&checking.metrics);
        })
        .await;
        if let Err(err) = checked {
            tracing::error!(error = %err, "the policy check failed");
        }
    }
}
