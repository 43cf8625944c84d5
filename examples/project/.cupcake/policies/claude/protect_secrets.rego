# METADATA
# scope: package
# title: Keep secrets out of the agent's edits
# custom:
#   severity: HIGH
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Edit", "Write", "MultiEdit"]
package cupcake.policies.protect_secrets

import rego.v1

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in {"Edit", "Write", "MultiEdit"}
	path := input.tool_input.file_path
	endswith(path, ".env")
	decision := {
		"rule_id": "SECRETS-ENV",
		"reason": sprintf("%s holds secrets; edit it by hand", [path]),
		"severity": "HIGH",
		"agent_context": "Do not modify .env files; ask the user to make the change.",
	}
}
