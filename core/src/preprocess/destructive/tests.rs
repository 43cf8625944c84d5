use std::path::Path;

use super::affected_parent_directories as affected;

use crate::preprocess::sandbox::Sandbox;

impl Sandbox {
    fn dir(&self, relative: &str) -> String {
        self.text(relative)
    }

    fn run(&self, command: &str) -> Vec<String> {
        affected(command, Some(&self.path("project")))
    }
}

#[test]
fn plain_commands_change_nothing() {
    let sandbox = Sandbox::with_project();
    assert!(sandbox.run("ls -la && cat src/main.rs | grep x").is_empty());
    assert!(sandbox.run("echo rm -rf /").is_empty());
}

#[test]
fn rm_of_a_file_is_its_parent() {
    let sandbox = Sandbox::with_project();
    assert_eq!(sandbox.run("rm src/main.rs"), [sandbox.dir("project/src")]);
    assert_eq!(
        sandbox.run("rm ../protected/secret.txt"),
        [sandbox.dir("protected")]
    );
}

#[test]
fn rm_of_a_directory_lists_it_and_its_parent() {
    let sandbox = Sandbox::with_project();
    assert_eq!(
        sandbox.run("rm -rf ../protected"),
        [sandbox.dir(""), sandbox.dir("protected")]
    );
}

#[test]
fn globs_count_as_the_directory_before_them() {
    let sandbox = Sandbox::with_project();
    assert_eq!(
        sandbox.run("rm -rf ../protected/*"),
        [sandbox.dir("protected")]
    );
    assert_eq!(sandbox.run("rm -f *.log"), [sandbox.dir("project")]);
    assert_eq!(sandbox.run("rm -rf /*"), ["/"]);
    // A quoted star is a file name.
    assert_eq!(sandbox.run("rm 'src/*'"), [sandbox.dir("project/src")]);
}

#[test]
fn unknown_expansions_give_only_what_is_written() {
    let sandbox = Sandbox::with_project();
    assert!(sandbox.run("rm -rf $DIR ~/x \"$(pwd)\"").is_empty());
    let absolute = format!("rm -rf {}/$X", sandbox.dir("protected"));
    assert_eq!(sandbox.run(&absolute), [sandbox.dir("protected")]);
}

#[test]
fn symlinks_list_both_the_link_and_its_target() {
    let sandbox = Sandbox::with_project();
    fs_err::os::unix::fs::symlink(
        sandbox.root.join("protected/secret.txt"),
        sandbox.root.join("project/innocent.txt"),
    )
    .expect("symlink");
    assert_eq!(
        sandbox.run("chmod 777 innocent.txt"),
        [sandbox.dir("project"), sandbox.dir("protected")]
    );
}

#[test]
fn flags_modes_and_owners_are_not_paths() {
    let sandbox = Sandbox::with_project();
    let expected = [sandbox.dir("protected")];
    for command in [
        "chmod -R 000 ../protected/secret.txt",
        "chmod -w ../protected/secret.txt",
        "chown -h root:root ../protected/secret.txt",
        "chgrp --reference=../protected/secret.txt ../protected/secret.txt",
        "truncate -s 0 ../protected/secret.txt",
        "shred -n 3 -u ../protected/secret.txt",
        "rm -- ../protected/secret.txt",
        "dd if=/dev/zero of=../protected/secret.txt",
        "tee -a ../protected/secret.txt",
        "echo x >> ../protected/secret.txt",
    ] {
        assert_eq!(sandbox.run(command), expected, "{command}");
    }
}

#[test]
fn copies_and_links_count_only_their_destination() {
    let sandbox = Sandbox::with_project();
    assert_eq!(
        sandbox.run("cp ../protected/secret.txt copy.txt"),
        [sandbox.dir("project")]
    );
    assert_eq!(
        sandbox.run("cp -t ../protected src/main.rs"),
        [sandbox.dir(""), sandbox.dir("protected")]
    );
    assert_eq!(
        sandbox.run("ln -sf /etc/passwd ../protected/secret.txt"),
        [sandbox.dir("protected")]
    );
    assert_eq!(
        sandbox.run("mv src/main.rs ../protected/keys/"),
        [
            sandbox.dir("project/src"),
            sandbox.dir("protected"),
            sandbox.dir("protected/keys"),
        ]
    );
}

#[test]
fn programs_are_found_behind_wrappers_and_spellings() {
    let sandbox = Sandbox::with_project();
    let expected = [sandbox.dir("protected")];
    for command in [
        "sudo -u root rm ../protected/secret.txt",
        "FOO=1 env -i /bin/rm ../protected/secret.txt",
        "\\rm ../protected/secret.txt",
        "\"rm\" ../protected/secret.txt",
        "$'\\x72m' ../protected/secret.txt",
        "timeout 5 nice -n 10 rm ../protected/secret.txt",
        "if true; then rm ../protected/secret.txt; fi",
        "echo $(rm ../protected/secret.txt)",
        "find ../protected/secret.txt -delete",
        "find ../protected/secret.txt -exec rm {} \\;",
        // Case-insensitive filesystems (macOS, Windows) run rm for these.
        "RM ../protected/secret.txt",
        "SUDO /BIN/Rm ../protected/secret.txt",
    ] {
        assert_eq!(sandbox.run(command), expected, "{command}");
    }
}

#[test]
fn cd_moves_the_base() {
    let sandbox = Sandbox::with_project();
    assert_eq!(
        sandbox.run("cd ../protected && rm secret.txt"),
        [sandbox.dir("protected")]
    );
    // After a `cd` to an unknown place, relative operands stay relative (unresolved).
    assert_eq!(sandbox.run("cd ~ && rm a/b"), ["a"]);
    assert_eq!(
        sandbox.run("cd $X; rm /tmp/../x"),
        [Path::new("/").to_string_lossy().into_owned()]
    );
}

#[test]
fn deduplicates_in_first_seen_order() {
    let sandbox = Sandbox::with_project();
    assert_eq!(
        sandbox.run("rm src/main.rs; rm ./src/../src/main.rs ../protected/secret.txt src/x"),
        [sandbox.dir("project/src"), sandbox.dir("protected")]
    );
}

#[test]
fn without_cwd_relative_operands_stay_lexical() {
    assert_eq!(affected("rm a/../b/c", None), ["b"]);
    assert_eq!(affected("rm /x/../etc/y z", None), ["/etc", "."]);
}

/// Issue 11: spellings that slipped past the analysis, each now listing the protected
/// directory (`sandbox.dir("protected")` is what a policy guards).
#[test]
fn issue_11_commands_strings_functions_braces_and_wrappers() {
    let sandbox = Sandbox::with_project();
    let protected = sandbox.dir("protected");
    for command in [
        "eval rm -r -f ../protected",
        "eval 'rm -r -f ../protected'",
        "function f { rm -r -f ../protected; }; f",
        "f() { rm -r -f ../protected; }; f",
        "rm -r -f ../protect{ed,}",
        "rm -r -f ../{protected,x}",
        "strace -f rm -r -f ../protected",
        "flock /tmp/lock rm -r -f ../protected",
        "taskset 1 rm -r -f ../protected",
        "unshare -r rm -r -f ../protected",
        "runuser -u nobody -- rm -r -f ../protected",
        "coproc rm -r -f ../protected",
        "env -S 'rm -r -f ../protected'",
        "watch -n 1 rm -r -f ../protected",
        "parallel rm -r -f ::: ../protected",
        "bash -c 'rm -r -f ../protected'",
        "sudo sh -c \"rm -r -f ../protected\"",
        "su -c 'rm -r -f ../protected'",
        "ln -s ../protected d && rm -r -f d/*",
        "rsync -a --delete /tmp/empty/ ../protected/",
        "tar -xf /tmp/a.tar -C ../protected",
        "tar xzf /tmp/a.tgz --directory=../protected",
        "git -C ../protected clean -fdx",
        "cd ../protected && git clean -fd",
        "git checkout -- ../protected/secret.txt",
        "sed -i s/a/b/ ../protected/secret.txt",
        "sed -e s/a/b/ -i.bak ../protected/secret.txt",
        "sort -o ../protected/secret.txt src/main.rs",
        "curl -o ../protected/secret.txt https://example.invalid/x",
        "cd ../protected && curl -O https://example.invalid/x",
        "wget -P ../protected https://example.invalid/x",
    ] {
        let analysis = super::analyse(command, Some(&sandbox.path("project")));
        assert!(
            analysis.directories.contains(&protected),
            "{command}: {:?}",
            analysis.directories
        );
    }
}

#[test]
fn issue_11_what_cannot_be_known_is_flagged() {
    let sandbox = Sandbox::with_project();
    let analyse = |command: &str| super::analyse(command, Some(&sandbox.path("project")));
    for command in [
        "cd src && cd - && rm -r -f p",
        "cd \"$PWD\" && rm -r -f p",
        "rm -rf $DIR",
        "rm -rf \"$(pwd)/x\"",
        "$(echo rm) -rf p",
        "python3 -c 'import shutil; shutil.rmtree(\"p\")'",
        "bash run.sh",
        "find . | xargs rm -f",
        "eval eval eval eval eval eval eval eval eval eval rm -rf p",
    ] {
        assert!(analyse(command).unknown, "{command}");
    }
    for command in [
        "ls -la",
        "rm -rf build",
        "git status",
        "sed s/a/b/ src/main.rs",
        "tar -tf x.tar",
    ] {
        assert!(!analyse(command).unknown, "{command}");
    }
    assert!(analyse("tar -tf x.tar").directories.is_empty());
    assert!(analyse("sed s/a/b/ src/main.rs").directories.is_empty());
}

/// Every entry below `root`, with what it is and holds; symlinks are not followed.
fn snapshot(root: &Path) -> std::collections::BTreeMap<std::path::PathBuf, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs_err::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            let meta = fs_err::symlink_metadata(&path).expect("stat");
            let what = if meta.file_type().is_symlink() {
                format!("link {}", fs_err::read_link(&path).expect("link").display())
            } else if meta.is_dir() {
                pending.push(path.clone());
                "dir".to_string()
            } else {
                format!("file {:?}", fs_err::read(&path).expect("read"))
            };
            out.insert(path, what);
        }
    }
    out
}

/// Differential check against real bash: each command runs in a fresh scratch tree, and every
/// entry it added, removed or changed must sit in a directory the analysis listed, unless the
/// analysis said the effect is unknown. Commands whose programs are missing here are skipped.
#[test]
fn issue_11_analysis_covers_what_bash_changes() {
    let commands = [
        "rm -r -f ../other",
        "eval rm -r -f ../other/x",
        "eval 'cd ../other && rm -f x/y'",
        "function f { rm -r -f ../other/x; }; f",
        "f() { rm -r -f ../other/x; }; f",
        "rm -r -f ../oth{er,}/x",
        "rm -rf ../other/*",
        "cd ../other && rm -f x/y",
        "cd ../other/x && cd - && rm -r -f a",
        "ln -s ../other d && rm -r -f d/*",
        "bash -c 'rm -rf ../other/x'",
        "sh -c 'cd ../other; rm -rf x'",
        "env -S 'rm -rf ../other/x'",
        "timeout 5 rm -rf ../other/x",
        "sed -i s/y/z/ ../other/x/y",
        "sort -o ../other/x/y a/f",
        "tar -cf ../t.tar a && tar -xf ../t.tar -C ../other",
        "mv a ../other/",
        "cp a/f ../other/",
        "truncate -s 0 ../other/x/y",
        "echo hi > ../other/new",
        "find ../other -name y -delete",
        "chmod 600 ../other/x/y",
        "rsync -a --delete b/ ../other/",
        "X=../other; rm -rf $X",
        "python3 -c 'import shutil; shutil.rmtree(\"../other\")'",
        "ls -la && cat a/f",
    ];
    let available = |program: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let mut checked = 0;
    for command in commands {
        let programs = [
            "rsync", "python3", "tar", "sed", "sort", "find", "timeout", "truncate",
        ];
        if programs
            .iter()
            .any(|program| command.contains(program) && !available(program))
        {
            continue;
        }
        let sandbox = Sandbox::new();
        for dir in ["work/a", "work/b", "other/x"] {
            fs_err::create_dir_all(sandbox.path(dir)).expect("mkdir");
        }
        fs_err::write(sandbox.path("work/a/f"), "f\n").expect("write");
        fs_err::write(sandbox.path("work/b/g"), "g\n").expect("write");
        fs_err::write(sandbox.path("other/x/y"), "y\n").expect("write");
        fs_err::write(sandbox.path("other/z"), "z\n").expect("write");
        let syntax = std::process::Command::new("bash")
            .args(["-n", "-c", command])
            .status()
            .expect("bash runs");
        assert!(syntax.success(), "not valid bash: {command}");
        let before = snapshot(&sandbox.root);
        let analysis = super::analyse(command, Some(&sandbox.path("work")));
        let status = std::process::Command::new("bash")
            .args(["-c", command])
            .current_dir(sandbox.path("work"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("bash runs");
        let after = snapshot(&sandbox.root);
        let changed = before
            .iter()
            .filter(|(path, what)| after.get(*path) != Some(what))
            .chain(after.iter().filter(|(path, _)| !before.contains_key(*path)))
            .map(|(path, _)| path.clone());
        for path in changed {
            // A listed directory stands for what is in it, down to any depth (`rm -rf dir`).
            let covered = path.ancestors().any(|dir| {
                analysis
                    .directories
                    .contains(&dir.to_string_lossy().into_owned())
            });
            assert!(
                analysis.unknown || covered,
                "{command} (exit {status}) changed {}, not covered by {analysis:?}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} commands could run here");
}
