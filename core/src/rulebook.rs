//! Reads `rulebook.yml`: declared signals, enabled builtin policies with their options, and
//! settings. Unknown keys are warned about, never fatal; malformed YAML is a Config error
//! naming the line.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::opa::OpaPin;

/// Default signal timeout when the rulebook gives none.
const DEFAULT_SIGNAL_TIMEOUT: Duration = Duration::from_secs(5);

/// A signal declared in the rulebook. Bundles carry it as `{command, timeout_ms}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct DeclaredSignal {
    /// The shell command, run with `sh -c` from the policy directory.
    pub command: String,
    /// How long it may run before its process group is killed.
    #[serde(rename = "timeout_ms", with = "milliseconds")]
    pub timeout: Duration,
}

/// A [`Duration`] as whole milliseconds.
mod milliseconds {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(value: &Duration, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(input: D) -> Result<Duration, D::Error> {
        serde::Deserialize::deserialize(input).map(Duration::from_millis)
    }
}

/// What the rulebook says about self-protection (see the `guard` module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfProtection {
    /// On unless the rulebook says `self_protection: {enabled: false}`.
    pub enabled: bool,
    /// More paths to protect, as written (relative ones are taken from the project).
    pub extra_paths: Vec<String>,
}

impl Default for SelfProtection {
    fn default() -> Self {
        Self {
            enabled: true,
            extra_paths: Vec::new(),
        }
    }
}

/// The parsed rulebook.
#[derive(Debug, Clone, Default)]
pub struct Rulebook {
    /// Signals by name.
    pub signals: BTreeMap<String, DeclaredSignal>,
    /// Enabled builtin policies and their options (without `enabled`), by name.
    pub builtins: BTreeMap<String, Value>,
    /// The OPA binary compiles must use (`opa: {path, sha256}`), as `cupcake init` pins it.
    pub opa: Option<OpaPin>,
    /// Self-protection settings.
    pub self_protection: SelfProtection,
    /// Where decisions are logged, if anywhere.
    pub decision_log: Option<crate::decision_log::LogConfig>,
    /// Top-level keys cupcake does not know (ignored, reported by `cupcake validate`).
    pub unknown_keys: Vec<String>,
}

#[derive(Deserialize)]
struct RawSignal {
    command: String,
    timeout_seconds: Option<f64>,
}

impl Rulebook {
    /// Reads `<root>/rulebook.yml`; a missing file is an empty rulebook.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join("rulebook.yml");
        if fs_err::symlink_metadata(&path).is_err() {
            return Ok(Self::default());
        }
        // Present in any form, it must be a readable regular file: a rulebook that cannot be
        // read is not an empty one (it may pin OPA or keep self-protection on).
        let text = crate::regular_file::read_to_string(&path, crate::regular_file::RULEBOOK_CAP)
            .map_err(|problem| Error::config(&path, format!("cannot read: {problem}")))?;
        Self::parse(&path, &text)
    }

    /// Parses rulebook text; `path` is only for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let bad = |reason: String| Error::config(path, reason);
        let document: Value = match serde_norway::from_str::<Option<Value>>(text) {
            Ok(value) => value.unwrap_or(Value::Null),
            Err(err) => {
                let line = err
                    .location()
                    .map(|loc| format!("line {}: ", loc.line()))
                    .unwrap_or_default();
                return Err(bad(format!("{line}invalid YAML: {err}")));
            }
        };
        let Value::Object(top) = document else {
            return if document.is_null() {
                Ok(Self::default())
            } else {
                Err(bad("the rulebook must be a mapping".into()))
            };
        };
        let mut rulebook = Self::default();
        for (key, value) in top {
            match key.as_str() {
                "signals" => rulebook.signals = parse_signals(path, value)?,
                "builtins" => rulebook.builtins = parse_builtins(path, value)?,
                "opa" => rulebook.opa = Some(parse_opa(path, value)?),
                "self_protection" => {
                    rulebook.self_protection = parse_self_protection(path, value)?;
                }
                "decision_log" => {
                    rulebook.decision_log =
                        Some(crate::decision_log::LogConfig::parse(path, value)?);
                }
                "settings" => {}
                other => {
                    tracing::debug!(rulebook = %path.display(), key = other, "unknown rulebook key ignored; cupcake validate reports it");
                    rulebook.unknown_keys.push(other.to_string());
                }
            }
        }
        // Signals the enabled builtins need (their checks and context commands), unless the
        // rulebook declares a signal of the same name itself.
        for (name, options) in &rulebook.builtins {
            for (signal, declared) in crate::library::signals(name, options) {
                rulebook.signals.entry(signal).or_insert(declared);
            }
        }
        Ok(rulebook)
    }
}

fn parse_signals(path: &Path, value: Value) -> Result<BTreeMap<String, DeclaredSignal>> {
    if value.is_null() {
        return Ok(BTreeMap::new());
    }
    let raw: BTreeMap<String, RawSignal> = serde_json::from_value(value).map_err(|err| {
        Error::config(
            path,
            format!("signals: each needs a `command` string ({err})"),
        )
    })?;
    raw.into_iter()
        .map(|(name, signal)| {
            let seconds = signal
                .timeout_seconds
                .unwrap_or(DEFAULT_SIGNAL_TIMEOUT.as_secs_f64());
            let timeout = Duration::try_from_secs_f64(seconds)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    Error::config(
                        path,
                        format!("signals.{name}.timeout_seconds must be a positive number"),
                    )
                })?;
            Ok((
                name,
                DeclaredSignal {
                    command: signal.command,
                    timeout,
                },
            ))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpa {
    path: Option<String>,
    sha256: Option<String>,
}

fn parse_opa(path: &Path, value: Value) -> Result<OpaPin> {
    let raw: RawOpa = serde_json::from_value(value).map_err(|err| {
        Error::config(
            path,
            format!("opa: expected `path` (absolute) and `sha256` (hex) ({err}); re-run `cupcake init` to pin the OPA you use"),
        )
    })?;
    let binary = raw.path.map(std::path::PathBuf::from);
    if binary.as_ref().is_some_and(|binary| !binary.is_absolute()) {
        return Err(Error::config(
            path,
            "opa.path must be absolute: a relative one would depend on the directory the hook runs in",
        ));
    }
    let sha256 = raw.sha256.map(|hash| hash.to_ascii_lowercase());
    if sha256
        .as_deref()
        .is_some_and(|hash| !crate::opa::pin::is_sha256(hash))
    {
        return Err(Error::config(
            path,
            "opa.sha256 must be 64 hex digits (the SHA-256 of the OPA binary)",
        ));
    }
    Ok(OpaPin {
        path: binary,
        sha256,
        rulebook: path.to_path_buf(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelfProtection {
    enabled: Option<bool>,
    #[serde(default)]
    extra_paths: Vec<String>,
}

fn parse_self_protection(path: &Path, value: Value) -> Result<SelfProtection> {
    let raw: RawSelfProtection = serde_json::from_value(value).map_err(|err| {
        Error::config(
            path,
            format!("self_protection: expected `enabled` (true or false) and `extra_paths` (a list of paths) ({err})"),
        )
    })?;
    Ok(SelfProtection {
        enabled: raw.enabled.unwrap_or(true),
        extra_paths: raw.extra_paths,
    })
}

fn parse_builtins(path: &Path, value: Value) -> Result<BTreeMap<String, Value>> {
    let Value::Object(entries) = value else {
        return if value.is_null() {
            Ok(BTreeMap::new())
        } else {
            Err(Error::config(path, "builtins must map names to settings"))
        };
    };
    let mut enabled = BTreeMap::new();
    for (name, settings) in entries {
        // Configuring a builtin turns it on (`git_pre_check:` alone, or options without
        // `enabled`), as the earlier engine documented; `enabled: false` turns it off.
        let mut settings = match settings {
            Value::Object(settings) => settings,
            Value::Null => Map::new(),
            _ => {
                return Err(Error::config(
                    path,
                    format!("builtins.{name} must be a mapping of its options (and `enabled`)"),
                ))
            }
        };
        let on = match settings.remove("enabled") {
            Some(Value::Bool(on)) => on,
            None => true,
            Some(_) => {
                return Err(Error::config(
                    path,
                    format!("builtins.{name}.enabled must be true or false"),
                ))
            }
        };
        if on {
            enabled.insert(name, Value::Object(settings));
        }
    }
    Ok(enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_signals_and_enabled_builtins() {
        let text = "signals:\n  branch:\n    command: git branch\n    timeout_seconds: 2\nbuiltins:\n  protected_paths:\n    enabled: true\n    paths: [a]\n  off_one:\n    enabled: false\nfuture_key: 1\n";
        let rulebook = Rulebook::parse(Path::new("rulebook.yml"), text).expect("valid rulebook");
        assert_eq!(rulebook.signals["branch"].timeout, Duration::from_secs(2));
        assert_eq!(
            rulebook.builtins.keys().collect::<Vec<_>>(),
            ["protected_paths"]
        );
        assert_eq!(
            rulebook.builtins["protected_paths"],
            serde_json::json!({"paths": ["a"]})
        );
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = Rulebook::parse(Path::new("rulebook.yml"), "signals:\n  a: [\n")
            .expect_err("malformed");
        assert!(err.to_string().contains("line"), "{err}");
    }
}
