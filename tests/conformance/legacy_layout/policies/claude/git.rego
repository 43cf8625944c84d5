# METADATA
# scope: package
# title: Git safety
# custom:
#   severity: HIGH
#   id: GIT-SAFETY
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.git_safety

import rego.v1

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	contains(input.tool_input.command, "push --force")
	decision := {
		"rule_id": "GIT-FORCE",
		"reason": "Force pushes rewrite shared history",
		"severity": "HIGH",
		"agent_context": "Use --force-with-lease after asking the user.",
	}
}

add_context contains "Commit messages follow the conventional style." if {
	input.hook_event_name == "PreToolUse"
	startswith(input.tool_input.command, "git commit")
}
