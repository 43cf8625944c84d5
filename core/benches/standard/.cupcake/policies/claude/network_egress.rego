# METADATA
# scope: package
# title: No piping downloads into a shell
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.network_egress

import rego.v1

deny contains decision if {
	regex.match(`(curl|wget)[^|]*\|\s*(sh|bash|zsh)\b`, input.tool_input.command)
	decision := {"rule_id": "NET-PIPE-SH", "reason": "Downloaded scripts must be reviewed before running", "severity": "HIGH"}
}
