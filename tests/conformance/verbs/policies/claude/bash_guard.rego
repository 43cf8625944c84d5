# METADATA
# scope: package
# title: Dangerous shell commands
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.bash_guard

import rego.v1

halt contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "shutdown")
	decision := {"rule_id": "BASH-HALT", "reason": "Shutting the machine down stops the session", "severity": "CRITICAL"}
}

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "rm -rf")
	decision := {
		"rule_id": "BASH-RM",
		"reason": sprintf("Recursive delete blocked: %q (%d characters)", [input.tool_input.command, count(input.tool_input.command)]),
		"severity": "HIGH",
		"agent_context": "Delete files one by one, or ask the user.",
	}
}

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "curl")
	contains(input.tool_input.command, "| sh")
	decision := {"rule_id": "BASH-PIPE", "reason": "Piping downloads into a shell is not allowed", "severity": "HIGH"}
}

ask contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	startswith(input.tool_input.command, "git push")
	decision := {"rule_id": "GIT-PUSH", "reason": "Pushing changes leaves this machine", "severity": "MEDIUM"}
}
