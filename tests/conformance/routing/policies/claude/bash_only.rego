# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.bash_only

import rego.v1

# Checks neither the event nor the tool: only routing keeps it from deciding other events.
deny contains {"rule_id": "BASH-ONLY", "reason": "bash-only decided", "severity": "HIGH"} if {
	true
}
