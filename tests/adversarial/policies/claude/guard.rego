# METADATA
# scope: package
# title: Adversarial suite hardening on top of the shipped example, built on preprocessed fields
# custom:
#   severity: HIGH
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash", "Edit", "Write", "MultiEdit", "NotebookEdit"]
package cupcake.policies.adversarial_guard

import rego.v1

file_tools := {"Edit", "Write", "MultiEdit", "NotebookEdit"}

# A file tool on a .env file, whichever name, symlink, `..` or letter case reaches it:
# `resolved_file_path` is canonical and filled from file_path, path or notebook_path.
deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in file_tools
	is_env(input.resolved_file_path)
	decision := {
		"rule_id": "GUARD-ENV-FILE",
		"reason": sprintf("%s is a secrets file", [input.resolved_file_path]),
		"severity": "HIGH",
	}
}

# A file tool writing into protected/.
deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in file_tools
	in_protected(input.resolved_file_path)
	decision := {
		"rule_id": "GUARD-DIR-FILE",
		"reason": sprintf("%s is inside a protected directory", [input.resolved_file_path]),
		"severity": "HIGH",
	}
}

# A shell command that changes protected/ or anything directly in it, however the program,
# its flags or its operands are spelled.
deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	some dir in input.affected_parent_directories
	in_protected(dir)
	decision := {
		"rule_id": "GUARD-DIR-SHELL",
		"reason": sprintf("the command changes %s", [dir]),
		"severity": "HIGH",
	}
}

# A shell command naming a .env file. `affected_parent_directories` names directories only,
# so file-level protection in the shell falls back to the (normalised) text.
deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(lower(input.tool_input.command), ".env")
	decision := {
		"rule_id": "GUARD-ENV-SHELL",
		"reason": "the command names a .env file",
		"severity": "HIGH",
	}
}

# Content that deletes recursively, written now to be run later. A Write's content is also
# offered as new_string, so one rule covers Edit and Write.
deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in {"Edit", "Write"}
	regex.match(`(?i)\brm\s+(-\S*\s+)*-[a-z]*r`, input.tool_input.new_string)
	decision := {
		"rule_id": "GUARD-SCRIPT",
		"reason": "the content deletes recursively",
		"severity": "HIGH",
	}
}

# git push anywhere in the command line, not only at its start.
ask contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	regex.match(`\bgit\b[^;&|\n]*\s['"]?push\b`, input.tool_input.command)
	decision := {
		"rule_id": "GUARD-PUSH",
		"reason": "Confirm before pushing to a remote",
		"severity": "MEDIUM",
	}
}

is_env(path) if endswith(lower(path), "/.env")

is_env(path) if lower(path) == ".env"

in_protected(path) if endswith(path, "/protected")

in_protected(path) if contains(path, "/protected/")

# A command whose effects preprocessing cannot name (a program computed at run time, `$VAR`
# operands, an interpreter or script, `xargs`, a `cd` to an unknown place) goes to the user.
ask contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	input.affected_directories_unknown
	decision := {
		"rule_id": "GUARD-UNKNOWN-EFFECT",
		"reason": "cupcake cannot tell what this command changes; confirm it",
		"severity": "MEDIUM",
	}
}
