# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Git"]
#     required_signals: ["failing", "hangs"]
package cupcake.policies.failures

import rego.v1

block contains decision if {
	input.signals.failing.success == false
	decision := {
		"rule_id": "SIG-FAIL",
		"reason": sprintf("signal failed with exit %d: %s / %s", [input.signals.failing.exit_code, input.signals.failing.output, input.signals.failing.error]),
		"severity": "HIGH",
	}
}

block contains decision if {
	input.signals.hangs.error == "timeout"
	decision := {"rule_id": "SIG-TIMEOUT", "reason": "signal timed out", "severity": "LOW"}
}
