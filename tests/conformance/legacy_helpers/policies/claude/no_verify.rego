# METADATA
# scope: package
# title: No skipped git hooks, through the system helper library
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.no_verify

import rego.v1

import data.cupcake.system.commands

deny contains {"rule_id": "GIT-NO-VERIFY", "reason": "git hooks may not be skipped", "severity": "HIGH"} if {
	commands.has_flag(input.tool_input.command, "--no-verify")
}
