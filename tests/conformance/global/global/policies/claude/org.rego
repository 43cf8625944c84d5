# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse", "UserPromptSubmit"]
package cupcake.global.policies.org

import rego.v1

deny contains decision if {
	contains(input.tool_input.command, "curl")
	decision := {"rule_id": "ORG-CURL", "reason": "The organisation forbids curl", "severity": "HIGH"}
}

ask contains decision if {
	startswith(input.tool_input.command, "git push")
	decision := {"rule_id": "ORG-PUSH", "reason": "Pushes need a human", "severity": "MEDIUM"}
}

add_context contains "Global: be careful." if {
	input.hook_event_name == "UserPromptSubmit"
}
