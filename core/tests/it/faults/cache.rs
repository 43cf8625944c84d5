//! The compile cache under faults: an entry damaged in each way a disk or a crash can damage
//! it, and a cache directory that cannot be written. Every start still decides right.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use cupcake::Engine;
use libtest_mimic::{Failed, Trial};

use super::{expect_example, Project};
use crate::support::check;

pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        Trial::test(
            "faults::cache_dir_parent_is_a_file",
            cache_dir_parent_is_a_file,
        ),
        Trial::test("faults::cache_dir_is_a_file", cache_dir_is_a_file),
        Trial::test("faults::cache_dir_read_only", cache_dir_read_only),
    ];
    for (name, damage, heals) in CACHE_DAMAGE {
        trials.push(Trial::test(format!("faults::cache_{name}"), move || {
            damaged_cache(*damage, *heals)
        }));
    }
    trials
}

type Damage = fn(&Path) -> std::io::Result<()>;

/// A cache entry damaged in a given way, and whether the next start replaces it with a good
/// one (an entry whose path holds a plain file cannot be replaced; every start recompiles).
const CACHE_DAMAGE: &[(&str, Damage, bool)] = &[
    ("module_bit_flip", flip_a_bit, true),
    ("module_truncated", truncate_module, true),
    (
        "module_empty",
        |entry| std::fs::write(entry.join("module.cwasm"), b""),
        true,
    ),
    (
        "module_missing",
        |entry| std::fs::remove_file(entry.join("module.cwasm")),
        true,
    ),
    ("module_is_a_directory", module_is_a_directory, true),
    (
        "module_garbage_with_matching_meta",
        garbage_with_matching_meta,
        true,
    ),
    (
        "meta_garbage",
        |entry| std::fs::write(entry.join("meta.json"), b"{\"format\": 2, garbage"),
        true,
    ),
    (
        "meta_missing",
        |entry| std::fs::remove_file(entry.join("meta.json")),
        true,
    ),
    ("meta_other_format", other_format, true),
    ("entry_is_a_file", entry_is_a_file, false),
];

fn flip_a_bit(entry: &Path) -> std::io::Result<()> {
    let path = entry.join("module.cwasm");
    let mut bytes = std::fs::read(&path)?;
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0x04;
    }
    std::fs::write(path, bytes)
}

fn truncate_module(entry: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(entry.join("module.cwasm"))?;
    let len = file.metadata()?.len();
    file.set_len(len / 2)
}

fn module_is_a_directory(entry: &Path) -> std::io::Result<()> {
    std::fs::remove_file(entry.join("module.cwasm"))?;
    std::fs::create_dir(entry.join("module.cwasm"))
}

/// Bytes that pass the length and CRC-32 check but are no wasmtime module: wasmtime itself
/// must refuse them.
fn garbage_with_matching_meta(entry: &Path) -> std::io::Result<()> {
    let garbage: Vec<u8> = (0..64 * 1024_u32)
        .map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap_or(0))
        .collect();
    std::fs::write(entry.join("module.cwasm"), &garbage)?;
    let meta = serde_json::json!({
        "format": 2,
        "native_len": garbage.len(),
        "native_crc32": crc32fast::hash(&garbage),
    });
    std::fs::write(entry.join("meta.json"), meta.to_string())
}

fn other_format(entry: &Path) -> std::io::Result<()> {
    let path = entry.join("meta.json");
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    meta["format"] = 999.into();
    std::fs::write(path, meta.to_string())
}

fn entry_is_a_file(entry: &Path) -> std::io::Result<()> {
    std::fs::remove_dir_all(entry)?;
    std::fs::write(entry, b"not a directory")
}

fn damaged_cache(damage: Damage, heals: bool) -> Result<(), Failed> {
    let project = Project::new()?;
    let opa = project.wrapper("")?;
    expect_example(&project.load(&opa)?)?;
    let entries = project.entries();
    let [entry] = entries.as_slice() else {
        return Err(format!("expected one cache entry, found {entries:?}").into());
    };
    damage(entry)?;
    expect_example(&project.load(&opa)?)?;
    check(project.builds() == 2, || {
        format!(
            "{} builds: the damaged entry was not rebuilt",
            project.builds()
        )
    })?;
    expect_example(&project.load(&opa)?)?;
    let expected = if heals { 2 } else { 3 };
    check(project.builds() == expected, || {
        format!(
            "{} builds after a third start, expected {expected}",
            project.builds()
        )
    })
}

/// Two starts with `cache` as the cache directory both decide correctly.
fn decides_with_cache(project: &Project, cache: &Path) -> Result<(), Failed> {
    let opa = project.wrapper("")?;
    for _ in 0..2 {
        let options = project.options_with_cache(&opa, cache.to_path_buf());
        let engine = Engine::new(project.project(), options)?;
        expect_example(&engine)?;
    }
    Ok(())
}

/// The cache directory cannot be created: a component of its path is a regular file.
fn cache_dir_parent_is_a_file() -> Result<(), Failed> {
    let project = Project::new()?;
    let file = project.root.join("plain-file");
    std::fs::write(&file, b"x")?;
    decides_with_cache(&project, &file.join("cache"))?;
    check(project.builds() == 2, || {
        format!("{} builds; nothing can be cached", project.builds())
    })
}

fn cache_dir_is_a_file() -> Result<(), Failed> {
    let project = Project::new()?;
    let file = project.root.join("plain-file");
    std::fs::write(&file, b"x")?;
    decides_with_cache(&project, &file)?;
    check(project.builds() == 2, || {
        format!("{} builds; nothing can be cached", project.builds())
    })
}

/// A read-only cache directory. Root (and `CAP_DAC_OVERRIDE`) ignores permission bits, so when
/// the test can still write there it checks only the decisions.
fn cache_dir_read_only() -> Result<(), Failed> {
    let project = Project::new()?;
    let cache = project.cache();
    std::fs::create_dir_all(&cache)?;
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555))?;
    let privileged = std::fs::write(cache.join("probe"), b"x").is_ok();
    let _ = std::fs::remove_file(cache.join("probe"));
    let outcome = decides_with_cache(&project, &cache);
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755))?;
    outcome?;
    if privileged {
        return Ok(());
    }
    check(
        project.builds() == 2 && project.entries().is_empty(),
        || {
            format!(
                "{} builds, entries {:?}",
                project.builds(),
                project.entries()
            )
        },
    )
}
