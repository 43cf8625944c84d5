//! OPA replaced by scripts that fail or lie: each is a typed load error, and nothing it
//! produced reaches the compile cache.

use std::os::unix::fs::PermissionsExt as _;

use cupcake::Engine;
use libtest_mimic::{Failed, Trial};

use super::{expect_example, kind_of, real_opa, script, Project};
use crate::support::check;

pub fn trials() -> Vec<Trial> {
    BROKEN_OPA
        .iter()
        .map(|(name, body, kind, needle)| {
            Trial::test(format!("faults::opa_{name}"), move || {
                broken_opa(body, kind, needle)
            })
        })
        .chain([Trial::test(
            "faults::opa_build_that_hangs_is_stopped",
            hanging_build,
        )])
        .collect()
}

/// An `opa build` that never ends is killed at the compile deadline: a typed compile error,
/// soon, instead of a hook that waits until its host gives up.
fn hanging_build() -> Result<(), Failed> {
    let project = Project::new()?;
    let fake = project.root.join("hanging-opa");
    script(
        &fake,
        &format!(
            "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec '{}' \"$@\"\nexec sleep 600\n",
            real_opa().display()
        ),
    )?;
    let mut options = project.options(&fake);
    options.limits.compile_timeout = std::time::Duration::from_millis(500);
    let started = std::time::Instant::now();
    let (got, message) = kind_of(Engine::new(project.project(), options))?;
    check(
        got == "PolicyCompile" && message.contains("was stopped"),
        || format!("expected PolicyCompile naming the deadline, got {got}: {message}"),
    )?;
    check(
        started.elapsed() < std::time::Duration::from_secs(10),
        || format!("the load took {:?}", started.elapsed()),
    )?;
    check(project.entries().is_empty(), || {
        format!("a stopped compile left {:?}", project.entries())
    })?;
    expect_example(&project.load(&real_opa())?)
}

/// Scripts standing in for OPA. `$REAL` is the real OPA; `output "$@"` prints the bundle path
/// of a build (`build -t wasm -e <entrypoint>… -o <bundle> <files>…`).
const BROKEN_OPA: &[(&str, &str, &str, &str)] = &[
    ("exits_non_zero", "echo boom >&2\nexit 3\n", "OpaNotFound", "exited with"),
    (
        "prints_garbage",
        "printf 'garbage\\001\\n'\nexit 0\n",
        "OpaNotFound",
        "printed no version",
    ),
    (
        "reports_another_major_version",
        "echo 'Version: 0.70.0'\n",
        "OpaNotFound",
        "is not OPA 1.x",
    ),
    (
        "build_fails_with_garbage",
        "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec \"$REAL\" \"$@\"\nprintf 'garbage\\001' >&2\nexit 2\n",
        "PolicyCompile",
        "opa build failed: garbage",
    ),
    (
        "build_writes_no_bundle",
        "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec \"$REAL\" \"$@\"\nexit 0\n",
        "Internal",
        "bundle",
    ),
    (
        "build_writes_a_garbage_bundle",
        "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec \"$REAL\" \"$@\"\necho garbage > \"$(output \"$@\")\"\n",
        "Internal",
        "unreadable OPA bundle",
    ),
    (
        "build_writes_a_garbage_module",
        "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec \"$REAL\" \"$@\"\nd=$(mktemp -d)\necho garbage > \"$d/policy.wasm\"\ntar czf \"$(output \"$@\")\" -C \"$d\" policy.wasm\nrm -r \"$d\"\n",
        "Evaluation",
        "cannot compile policy module",
    ),
];

/// Loading with a broken OPA fails with the expected kind, caches nothing, and leaves the
/// cache usable by the real OPA afterwards. A missing execute bit is one more way to break.
fn broken_opa(body: &str, kind: &str, needle: &str) -> Result<(), Failed> {
    let project = Project::new()?;
    let fake = project.root.join("fake-opa");
    // `output` prints the argument after `-o`: where `opa build` writes its bundle.
    let output =
        "output() { while [ $# -gt 1 ]; do [ \"$1\" = -o ] && echo \"$2\"; shift; done; }\n";
    script(
        &fake,
        &format!("REAL='{}'\n{output}{body}", real_opa().display()),
    )?;
    let (got, message) = kind_of(Engine::new(project.project(), project.options(&fake)))?;
    check(got == kind && message.contains(needle), || {
        format!("expected {kind} with {needle:?}, got {got}: {message}")
    })?;
    check(project.entries().is_empty(), || {
        format!("a failed compile left {:?}", project.entries())
    })?;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o644))?;
    let (got, message) = kind_of(Engine::new(project.project(), project.options(&fake)))?;
    check(
        got == "OpaNotFound" && message.contains("cannot run"),
        || format!("not executable: {got}: {message}"),
    )?;
    expect_example(&project.load(&real_opa())?)
}
