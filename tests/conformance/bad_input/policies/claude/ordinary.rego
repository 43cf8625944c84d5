# METADATA
# scope: package
# title: An ordinary decision, the follow-up every bad-input case is checked against
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Forbidden"]
package cupcake.policies.ordinary

import rego.v1

deny contains {"rule_id": "ORDINARY", "reason": "ordinary decision", "severity": "LOW"} if {
	input.tool_name == "Forbidden"
}
