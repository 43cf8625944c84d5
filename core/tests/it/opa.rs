//! OPA resolution and the opt-in download, against a loopback HTTP server that serves the real
//! OPA binary (whole, cut short, or altered) or nothing. Every test searches no `PATH`
//! directory, so the only OPA an engine can compile with is the one these tests put there.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cupcake::{DecisionKind, DownloadProblem, Engine, EngineOptions, OpaRelease};
use libtest_mimic::{Failed, Trial};
use sha2::{Digest, Sha256};

use crate::support::{check, tests_dir};

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "opa::download_installs_a_binary_the_engine_compiles_with",
            download_installs_a_binary_the_engine_compiles_with,
        ),
        Trial::test(
            "opa::truncated_download_installs_nothing",
            truncated_download_installs_nothing,
        ),
        Trial::test(
            "opa::wrong_checksum_installs_nothing",
            wrong_checksum_installs_nothing,
        ),
        Trial::test(
            "opa::missing_asset_installs_nothing",
            missing_asset_installs_nothing,
        ),
        Trial::test(
            "opa::without_download_a_missing_opa_is_opa_not_found",
            without_download_a_missing_opa_is_opa_not_found,
        ),
        Trial::test(
            "opa::bundle_loads_with_no_opa_anywhere",
            bundle_loads_with_no_opa_anywhere,
        ),
        Trial::test("opa::a_warm_cache_needs_no_opa", a_warm_cache_needs_no_opa),
        Trial::test(
            "opa::a_bundle_with_a_damaged_module_is_a_config_error",
            a_bundle_with_a_damaged_module_is_a_config_error,
        ),
    ]
}

const RM_EVENT: &str = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf /tmp/x"}}"#;

/// A scratch cache and global directory, with options that search no `PATH` directory.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Result<Self, Failed> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("global"))?;
        Ok(Self { dir })
    }

    fn bin_dir(&self) -> PathBuf {
        self.dir.path().join("cache/bin")
    }

    fn options(&self, release: Option<OpaRelease>) -> EngineOptions {
        EngineOptions {
            cache_dir: Some(self.dir.path().join("cache")),
            global_dir: Some(self.dir.path().join("global")),
            download_opa: release.is_some(),
            opa_release: release,
            opa_search_path: Some(Vec::new()),
            ..EngineOptions::default()
        }
    }

    /// Every file in the bin directory, hidden ones (partial downloads) included.
    fn bin_entries(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.bin_dir()) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()
    }
}

fn download_installs_a_binary_the_engine_compiles_with() -> Result<(), Failed> {
    let server = server();
    let scratch = Scratch::new()?;
    let release = server.release("good");
    let options = scratch.options(Some(release.clone()));

    let engine = Engine::new(tests_dir("conformance/verbs"), options.clone())?;
    let decision = engine.evaluate(RM_EVENT)?.decision;
    check(decision.kind == DecisionKind::Deny, || {
        format!("{decision:?}")
    })?;

    let installed = scratch.bin_dir().join(format!(
        "opa-{}{}",
        release.version,
        std::env::consts::EXE_SUFFIX
    ));
    check(installed.is_file(), || {
        format!("{} missing", installed.display())
    })?;
    check(fs_sha256(&installed)? == release.sha256, || {
        "installed bytes differ from the served binary".into()
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&installed)?.permissions().mode() & 0o7777;
        check(mode == 0o755, || format!("mode {mode:o}"))?;
    }
    let entries = scratch.bin_entries();
    check(entries.len() == 1, || format!("bin holds {entries:?}"))?;
    check(cupcake::ensure_opa(&options)? == installed, || {
        "ensure_opa names another binary".into()
    })?;

    // The next start finds the downloaded binary in the cache directory, even with the
    // download switched off, and the compile cache it filled: nothing is fetched again.
    let warm = EngineOptions {
        download_opa: false,
        ..options
    };
    let engine = Engine::new(tests_dir("conformance/verbs"), warm)?;
    check(
        engine.evaluate(RM_EVENT)?.decision.kind == DecisionKind::Deny,
        || "warm engine decided differently".into(),
    )?;
    let fetched = server.requests("good");
    check(fetched == 1, || format!("fetched {fetched} times"))
}

fn truncated_download_installs_nothing() -> Result<(), Failed> {
    expect_failure(
        "truncated",
        |problem| matches!(problem, DownloadProblem::Truncated { received, expected } if received < expected),
        "stopped after",
    )
}

fn wrong_checksum_installs_nothing() -> Result<(), Failed> {
    expect_failure(
        "altered",
        |problem| matches!(problem, DownloadProblem::Checksum { .. }),
        "not the pinned",
    )
}

fn missing_asset_installs_nothing() -> Result<(), Failed> {
    expect_failure(
        "missing",
        |problem| matches!(problem, DownloadProblem::Status { status: 404 }),
        "HTTP 404",
    )
}

/// Loading with a download from `route` fails with the expected problem, says what to do,
/// and leaves the bin directory without any file, final or partial.
fn expect_failure(
    route: &str,
    expected: impl Fn(&DownloadProblem) -> bool,
    text: &str,
) -> Result<(), Failed> {
    let server = server();
    let scratch = Scratch::new()?;
    let options = scratch.options(Some(server.release(route)));
    let Err(error) = Engine::new(tests_dir("conformance/verbs"), options) else {
        return Err(format!("{route}: engine loaded").into());
    };
    let message = error.to_string();
    let cupcake::Error::OpaDownload { problem, url } = &error else {
        return Err(format!("{route}: not an OpaDownload error: {message}").into());
    };
    check(expected(problem), || format!("{route}: {problem:?}"))?;
    check(url.ends_with(&format!("/{route}/opa")), || url.clone())?;
    check(
        message.contains(text) && message.contains("nothing was installed"),
        || message.clone(),
    )?;
    check(message.contains("opa_path"), || message.clone())?;
    let kind = error.kind();
    check(kind == "OpaNotFound", || kind.to_string())?;
    let entries = scratch.bin_entries();
    check(entries.is_empty(), || {
        format!("{route}: bin holds {entries:?}")
    })
}

fn without_download_a_missing_opa_is_opa_not_found() -> Result<(), Failed> {
    let scratch = Scratch::new()?;
    let empty = scratch.dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty)?;
    let options = EngineOptions {
        opa_search_path: Some(vec![empty]),
        ..scratch.options(None)
    };
    let Err(error) = Engine::new(tests_dir("conformance/verbs"), options) else {
        return Err("engine loaded without any OPA".into());
    };
    let message = error.to_string();
    check(error.kind() == "OpaNotFound", || message.clone())?;
    let cached = scratch.bin_dir().join(format!(
        "opa-{}{}",
        cupcake::OPA_DOWNLOAD_VERSION,
        std::env::consts::EXE_SUFFIX
    ));
    for needle in [
        "no opa in the 1 PATH directories",
        &format!("{} does not exist", cached.display()),
        "download_opa",
        "go install github.com/open-policy-agent/opa",
        // The download it offers is the release it looked for in the cache.
        &format!("OPA {}", cupcake::OPA_DOWNLOAD_VERSION),
        &format!("tested with {}", cupcake::OPA_VERSION),
    ] {
        check(message.contains(needle), || {
            format!("{needle:?} missing from: {message}")
        })?;
    }
    check(!scratch.bin_dir().exists(), || {
        "nothing may be downloaded without download_opa".into()
    })
}

/// `conformance/verbs` compiled with the real OPA into `<scratch>/verbs.bundle`.
fn verbs_bundle(scratch: &Scratch) -> Result<PathBuf, Failed> {
    let bundle = scratch.dir.path().join("verbs.bundle");
    let real = EngineOptions {
        opa_path: Some(real_opa()),
        ..scratch.options(None)
    };
    Engine::export_bundle(tests_dir("conformance/verbs"), &real, &bundle)?;
    Ok(bundle)
}

fn bundle_loads_with_no_opa_anywhere() -> Result<(), Failed> {
    let scratch = Scratch::new()?;
    let bundle = verbs_bundle(&scratch)?;
    // No PATH directory, no cached OPA, an explicit path that does not exist, and a download
    // that could only fail: loading the bundle must not look for OPA at all.
    let options = EngineOptions {
        opa_path: Some(scratch.dir.path().join("no-such-opa")),
        ..scratch.options(Some(OpaRelease {
            version: "unreachable".into(),
            url: "http://127.0.0.1:9/opa".into(),
            sha256: "0".repeat(64),
        }))
    };
    let engine = Engine::from_bundle(&bundle, options)?;
    check(
        engine.evaluate(RM_EVENT)?.decision.kind == DecisionKind::Deny,
        || "bundle decided differently".into(),
    )?;
    check(scratch.bin_entries().is_empty(), || {
        "loading a bundle downloaded OPA".into()
    })
}

fn a_bundle_with_a_damaged_module_is_a_config_error() -> Result<(), Failed> {
    let scratch = Scratch::new()?;
    let bundle = verbs_bundle(&scratch)?;
    // Overwrite the module's first section headers; the tar around it stays intact.
    let mut bytes = std::fs::read(&bundle)?;
    let start = bytes
        .windows(4)
        .position(|window| window == b"\0asm")
        .ok_or("the bundle holds no WebAssembly module")?;
    bytes[start + 8..start + 72].fill(0xff);
    std::fs::write(&bundle, &bytes)?;
    let Err(error) = Engine::from_bundle(&bundle, scratch.options(None)) else {
        return Err("a bundle with a damaged module loaded".into());
    };
    check(error.kind() == "Config", || {
        format!("{}: {error}", error.kind())
    })?;
    let message = error.to_string();
    check(
        message.contains("verbs.bundle") && message.contains("cupcake compile"),
        || message.clone(),
    )
}

fn a_warm_cache_needs_no_opa() -> Result<(), Failed> {
    let scratch = Scratch::new()?;
    let policies = scratch.dir.path().join("project");
    copy_tree(&tests_dir("conformance/verbs"), &policies)?;
    let with_opa = EngineOptions {
        opa_path: Some(real_opa()),
        ..scratch.options(None)
    };
    Engine::new(&policies, with_opa.clone())?;
    // A warm start with OPA also records the entry (here: after its pointer was lost).
    std::fs::remove_dir_all(scratch.dir.path().join("cache/compiled-last"))?;
    Engine::new(&policies, with_opa)?;
    // No OPA anywhere now: the entry compiled a moment ago is all a start needs.
    let engine = Engine::new(&policies, scratch.options(None))?;
    check(
        engine.evaluate(RM_EVENT)?.decision.kind == DecisionKind::Deny,
        || "the cached module decided differently".into(),
    )?;
    // A changed policy has no entry, and without OPA it cannot compile.
    let extra = policies.join("policies/claude/changed.rego");
    std::fs::write(
        &extra,
        "# METADATA\n# custom:\n#   routing:\n#     required_events: [\"Stop\"]\n\
         package cupcake.policies.changed\n\nimport rego.v1\n",
    )?;
    match Engine::new(&policies, scratch.options(None)) {
        Ok(_) => Err("a changed policy set loaded without any OPA".into()),
        Err(error) => check(error.kind() == "OpaNotFound", || error.to_string()),
    }
}

/// Copies the directory tree at `from` to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Failed> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The real OPA binary, found on `PATH` the way a user's shell would (ci/env.sh puts it there).
#[expect(
    clippy::disallowed_methods,
    reason = "the test finds the real opa the way a user's shell would"
)]
fn real_opa() -> PathBuf {
    let name = format!("opa{}", std::env::consts::EXE_SUFFIX);
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(&name))
                .find(|candidate| candidate.is_file())
        })
        .expect("opa on PATH (source ci/env.sh)")
}

fn fs_sha256(path: &Path) -> Result<String, Failed> {
    Ok(format!("{:x}", Sha256::digest(std::fs::read(path)?)))
}

/// Serves the real OPA binary under `/<route>/opa`:
/// `good` whole, `truncated` cut to half its announced length, `altered` with one byte changed;
/// any other path is a 404. One thread, loopback only, and it stops by itself after a bounded
/// number of connections or minutes.
struct Server {
    addr: SocketAddr,
    /// The real binary's SHA-256: what every test release pins.
    sha256: String,
    /// The version the real binary reports.
    version: String,
    requests: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Server {
    fn release(&self, route: &str) -> OpaRelease {
        OpaRelease {
            version: self.version.clone(),
            url: format!("http://{}/{route}/opa", self.addr),
            sha256: self.sha256.clone(),
        }
    }

    fn requests(&self, route: &str) -> usize {
        let counts = self.requests.lock().expect("request counts");
        counts
            .get(&format!("/{route}/opa"))
            .copied()
            .unwrap_or_default()
    }
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let opa = real_opa();
        let binary = std::fs::read(&opa).expect("read the real opa");
        let version = opa_version(&opa);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(BTreeMap::new()));
        let counts = Arc::clone(&requests);
        let sha256 = format!("{:x}", Sha256::digest(&binary));
        std::thread::spawn(move || serve(&listener, &binary, &counts));
        Server {
            addr,
            sha256,
            version,
            requests,
        }
    })
}

fn opa_version(opa: &Path) -> String {
    let output = std::process::Command::new(opa)
        .arg("version")
        .output()
        .expect("opa version runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().trim_start_matches('v').to_string())
        .expect("opa version prints its version")
}

fn serve(listener: &TcpListener, binary: &[u8], counts: &Mutex<BTreeMap<String, usize>>) {
    const MAX_CONNECTIONS: usize = 64;
    let deadline = Instant::now() + Duration::from_mins(10);
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let mut served = 0;
    while served < MAX_CONNECTIONS && Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                served += 1;
                // A client that went away only fails its own test.
                let _ = respond(stream, binary, counts);
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(_) => return,
        }
    }
}

fn respond(
    stream: TcpStream,
    binary: &[u8],
    counts: &Mutex<BTreeMap<String, usize>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    *counts
        .lock()
        .expect("request counts")
        .entry(path.clone())
        .or_default() += 1;
    let mut stream = stream;
    let header = |length: usize| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };
    match path.as_str() {
        "/good/opa" => {
            stream.write_all(header(binary.len()).as_bytes())?;
            stream.write_all(binary)?;
        }
        "/truncated/opa" => {
            stream.write_all(header(binary.len()).as_bytes())?;
            stream.write_all(binary.get(..binary.len() / 2).unwrap_or_default())?;
        }
        "/altered/opa" => {
            let mut altered = binary.to_vec();
            if let Some(byte) = altered.get_mut(binary.len() / 2) {
                *byte ^= 0xff;
            }
            stream.write_all(header(altered.len()).as_bytes())?;
            stream.write_all(&altered)?;
        }
        _ => {
            stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            )?;
        }
    }
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Both)
}
