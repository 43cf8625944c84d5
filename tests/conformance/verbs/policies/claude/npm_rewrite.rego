# METADATA
# scope: package
# title: Reproducible installs
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.npm_rewrite

import rego.v1

modify contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_input.command == "npm install"
	decision := {
		"rule_id": "NPM-CI",
		"reason": "Use the lockfile",
		"priority": 80,
		"updated_input": {"command": "npm ci", "description": "clean install"},
	}
}

modify contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_input.command == "npm install"
	decision := {
		"rule_id": "NPM-TIMEOUT",
		"reason": "Installs get a timeout",
		"priority": 20,
		"updated_input": {"command": "npm install --no-audit", "timeout": 120000},
	}
}
