# METADATA
# scope: package
# title: Shell command guard rails
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.shell

import rego.v1

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	regex.match(`rm\s+-[a-z]*r[a-z]*f|rm\s+-[a-z]*f[a-z]*r`, input.tool_input.command)
	decision := {"rule_id": "SHELL-RM", "reason": "Recursive force-delete is blocked", "severity": "HIGH"}
}

ask contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	startswith(input.tool_input.command, "git push")
	decision := {"rule_id": "SHELL-PUSH", "reason": "Confirm before pushing to a remote", "severity": "MEDIUM"}
}

modify contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	input.tool_input.command == "npm install"
	decision := {
		"rule_id": "SHELL-NPM-CI",
		"reason": "Installs use the lockfile",
		"updated_input": {"command": "npm ci"},
	}
}