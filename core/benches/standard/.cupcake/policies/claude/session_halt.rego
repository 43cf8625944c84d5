# METADATA
# scope: package
# title: Stop the session on a kill phrase
# custom:
#   routing:
#     required_events: ["UserPromptSubmit", "PreToolUse"]
package cupcake.policies.session_halt

import rego.v1

halt contains decision if {
	input.hook_event_name == "UserPromptSubmit"
	contains(input.prompt, "CUPCAKE-STOP")
	decision := {"rule_id": "HALT-PHRASE", "reason": "The user asked to stop the session", "severity": "CRITICAL"}
}

halt contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "shutdown -h")
	decision := {"rule_id": "HALT-SHUTDOWN", "reason": "Shutting the machine down ends the session", "severity": "CRITICAL"}
}
