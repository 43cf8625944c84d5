# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
#     required_signals: ["branch", "echo_event"]
package cupcake.policies.branch

import rego.v1

deny contains decision if {
	startswith(input.tool_input.command, "git commit")
	input.signals.branch.name == "main"
	decision := {"rule_id": "SIG-MAIN", "reason": sprintf("no commits on %s", [input.signals.branch.name]), "severity": "HIGH"}
}

add_context contains sprintf("signal saw tool %s", [input.signals.echo_event.tool_name]) if {
	input.tool_input.command == "echo"
}
