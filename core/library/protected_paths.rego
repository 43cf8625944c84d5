# METADATA
# scope: package
# title: Protected paths are read-only for the agent
# description: >-
#   Files and directories under `paths` may be read but not written, edited or deleted, by any
#   agent's file tools or by a shell command that names them (only read-only programs may). The
#   paths arrive resolved: relative ones from the project, `~/` from the home directory.
# custom:
#   id: BUILTIN-PROTECTED-PATHS
#   severity: HIGH
#   routing:
#     required_actions: ["write", "edit", "shell"]
package cupcake.policies.builtins.protected_paths

import rego.v1

config := object.get(input, ["builtin_config", "protected_paths"], {})

message := object.get(config, "message", "This path is protected: the agent may read it but not change it")

deny contains refusal(path) if {
	input.cupcake.action.kind in {"write", "edit"}
	some path in action_paths
	some protected in object.get(config, "resolved_paths", [])
	under(path, protected)
}

deny contains refusal(protected) if {
	input.cupcake.action.kind == "shell"
	some words in commands
	count(words) > 0
	not words[0] in read_only_programs
	some protected in object.get(config, "resolved_paths", [])
	mentions(words, protected)
}

action_paths contains input.cupcake.action.path

action_paths contains path if some path in input.cupcake.action.paths

refusal(path) := {
	"rule_id": "BUILTIN-PROTECTED-PATHS",
	"reason": sprintf("%s (%s)", [message, path]),
	"severity": "HIGH",
}

# A path is under a protected entry when it is the entry, inside it, or matches it as a glob.
under(path, protected) if path == trim_suffix(protected, "/")

under(path, protected) if startswith(path, concat("", [trim_suffix(protected, "/"), "/"]))

under(path, protected) if {
	regex.match(`[*?\[]`, protected)
	glob.match(protected, ["/"], path)
}

deny contains refusal(protected) if {
	input.cupcake.action.kind == "shell"
	some target in regex.find_n(`>>?\s*[^\s;&|]+`, input.cupcake.action.command, -1)
	some protected in object.get(config, "resolved_paths", [])
	mentions([regex.replace(target, `^>>?\s*`, "")], protected)
}

# A command names a protected entry when one of its words is (or is inside) the entry, as
# resolved or as the rulebook spells it (`secrets/`, `~/.ssh/`).
mentions(words, protected) if {
	some word in words
	under(clean(word), protected)
}

mentions(words, protected) if {
	some word in words
	given := object.get(config, "given_paths", {})[protected]
	under(clean(word), trim_prefix(given, "./"))
}

clean(word) := trim_prefix(trim(word, `"'`), "./")

commands contains words if {
	some part in regex.split(`[;&|\n()]+`, input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
}

read_only_programs := {
	"cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ls", "find", "wc",
	"diff", "file", "stat", "du", "tree", "md5sum", "sha256sum", "strings", "od", "xxd",
}
