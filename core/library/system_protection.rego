# METADATA
# scope: package
# title: The operating system's own directories are not changed by the agent
# description: >-
#   Refuses writes, edits and deletes under system directories (/etc, /bin, /sbin, /usr, /boot,
#   /lib, /lib64, /var/lib, /System, /Library, C:\Windows, …) and `additional_paths`, through any
#   agent's file tools or a shell command that writes there (redirections, and programs other
#   than read-only ones naming such a path).
# custom:
#   id: BUILTIN-SYSTEM-PROTECTION
#   severity: CRITICAL
#   routing:
#     required_actions: ["write", "edit", "shell"]
package cupcake.policies.builtins.system_protection

import rego.v1

config := object.get(input, ["builtin_config", "system_protection"], {})

message := object.get(config, "message", "The agent may not change the operating system's directories")

system_paths := array.concat(
	[
		"/etc", "/bin", "/sbin", "/usr", "/boot", "/lib", "/lib32", "/lib64", "/var/lib", "/opt/homebrew/bin",
		"/System", "/Library", "/private/etc", "C:/Windows", "C:/Program Files", "C:/Program Files (x86)",
	],
	object.get(config, "resolved_paths", []),
)

deny contains refusal(path) if {
	input.cupcake.action.kind in {"write", "edit"}
	some path in action_paths
	some system in system_paths
	under(replace(path, "\\", "/"), system)
}

deny contains refusal(word) if {
	input.cupcake.action.kind == "shell"
	some words in commands
	count(words) > 0
	not words[0] in read_only_programs
	some word in array.slice(words, 1, count(words))
	some system in system_paths
	under(trim(word, `"'`), system)
}

deny contains refusal(target) if {
	input.cupcake.action.kind == "shell"
	some found in regex.find_n(`>>?\s*[^\s;&|]+`, input.cupcake.action.command, -1)
	target := trim(regex.replace(found, `^>>?\s*`, ""), `"'`)
	some system in system_paths
	under(target, system)
}

action_paths contains input.cupcake.action.path

action_paths contains path if some path in input.cupcake.action.paths

refusal(path) := {
	"rule_id": "BUILTIN-SYSTEM-PROTECTION",
	"reason": sprintf("%s (%s)", [message, path]),
	"severity": "CRITICAL",
}

under(path, system) if path == system

under(path, system) if startswith(path, concat("", [trim_suffix(system, "/"), "/"]))

commands contains words if {
	some part in regex.split(`[;&|\n()]+`, input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
}

read_only_programs := {
	"cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ls", "find", "wc",
	"diff", "file", "stat", "du", "tree", "which", "type", "echo", "printf",
}
