# METADATA
# scope: package
# title: Blocks when its signal fails, whichever way it fails
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["FailingSignal"]
#     required_signals: ["fails"]
package cupcake.policies.failing

import rego.v1

block contains decision if {
	input.tool_name == "FailingSignal"
	input.signals.fails.success == false
	decision := {"rule_id": "SIGNAL-FAILS", "reason": sprintf("signal failed: %s", [input.signals.fails.error]), "severity": "HIGH"}
}
