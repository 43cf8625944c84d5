# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse", "UserPromptSubmit"]
package cupcake.policies.project

import rego.v1

modify contains decision if {
	contains(input.tool_input.command, "curl")
	decision := {"rule_id": "PROJ-CURL", "reason": "Add a timeout", "updated_input": {"command": "curl --max-time 5"}}
}

deny contains decision if {
	input.tool_input.command == "make deploy"
	decision := {"rule_id": "PROJ-DEPLOY", "reason": "Deploys run in CI", "severity": "HIGH"}
}

add_context contains "Project: tests live in tests/." if {
	input.hook_event_name == "UserPromptSubmit"
}
