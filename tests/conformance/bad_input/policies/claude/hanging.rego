# METADATA
# scope: package
# title: Blocks when its signal fails, whichever way it fails
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["HangingSignal"]
#     required_signals: ["hangs"]
package cupcake.policies.hanging

import rego.v1

block contains decision if {
	input.tool_name == "HangingSignal"
	input.signals.hangs.success == false
	decision := {"rule_id": "SIGNAL-HANGS", "reason": sprintf("signal failed: %s", [input.signals.hangs.error]), "severity": "HIGH"}
}
