# METADATA
# scope: package
# title: Blocks when its signal fails, whichever way it fails
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["FloodingSignal"]
#     required_signals: ["floods"]
package cupcake.policies.flooding

import rego.v1

block contains decision if {
	input.tool_name == "FloodingSignal"
	input.signals.floods.success == false
	decision := {"rule_id": "SIGNAL-FLOODS", "reason": sprintf("signal failed: %s", [input.signals.floods.error]), "severity": "HIGH"}
}
