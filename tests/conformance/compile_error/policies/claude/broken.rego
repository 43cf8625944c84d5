# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
package cupcake.policies.broken

import rego.v1

deny contains decision if {
	decision := {"rule_id": "X", "reason": "x", "severity": "LOW"
}
