# METADATA
# scope: package
# title: A literal pattern Go's RE2 rejects is refused at load, naming the policy and line
# custom:
#   routing:
#     required_events: ["PreToolUse"]
package cupcake.policies.bad_pattern

import rego.v1

deny contains {"rule_id": "NEVER", "reason": "a pattern OPA would reject", "severity": "HIGH"} if {
	regex.match(`rm\C-rf`, input.tool_input.command)
}
