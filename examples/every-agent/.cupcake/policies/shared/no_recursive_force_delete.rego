# METADATA
# scope: package
# title: No recursive force-deletes, whichever agent runs the command
# description: >-
#   Routed on the shared action view, so one rule covers Claude Code's Bash, Gemini's
#   run_shell_command, Copilot's bash, Cursor's shell events, Windsurf's pre_run_command,
#   Droid's Execute, OpenCode's bash and Cline's run_commands.
# custom:
#   id: EVERY-AGENT-RM
#   severity: HIGH
#   routing:
#     required_actions: ["shell"]
package cupcake.policies.every_agent.no_recursive_force_delete

import rego.v1

deny contains {
	"rule_id": "EVERY-AGENT-RM",
	"reason": "Recursive force-deletes are blocked (examples/every-agent)",
	"severity": "HIGH",
} if {
	some words in commands
	some i, word in words
	is_rm(word)
	flags := array.slice(words, i + 1, count(words))
	some recursive in flags
	is_recursive(recursive)
	some force in flags
	is_force(force)
}

# Each simple command of the line, split into words.
commands contains words if {
	some part in regex.split(`[;&|\n()]+`, input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
	count(words) > 0
}

is_rm(word) if word == "rm"

is_rm(word) if endswith(word, "/rm")

# Short flags may be bundled (`-rf`, `-fR`); long ones are spelled out.
short_flag(flag) if {
	startswith(flag, "-")
	not startswith(flag, "--")
}

is_recursive(flag) if {
	short_flag(flag)
	regex.match(`[rR]`, flag)
}

is_recursive("--recursive")

is_force(flag) if {
	short_flag(flag)
	contains(flag, "f")
}

is_force("--force")
