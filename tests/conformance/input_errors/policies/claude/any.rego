# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
package cupcake.policies.any_tool

import rego.v1

deny contains {"rule_id": "ANY", "reason": "denied", "severity": "LOW"} if {
	input.tool_name == "Forbidden"
}
