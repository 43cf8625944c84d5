# METADATA
# scope: package
# title: Refuse recursive force-deletes and disk wipes
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.destructive_shell

import rego.v1

deny contains decision if {
	regex.match(`rm\s+-[a-zA-Z]*(rf|fr)`, input.tool_input.command)
	decision := {"rule_id": "SH-RM-RF", "reason": "Recursive force-delete is blocked", "severity": "HIGH"}
}

deny contains decision if {
	some word in ["mkfs", "dd if=", "> /dev/sd"]
	contains(input.tool_input.command, word)
	decision := {"rule_id": "SH-DISK", "reason": concat(" ", ["Disk-level command refused:", word]), "severity": "CRITICAL"}
}
