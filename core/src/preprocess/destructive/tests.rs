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
