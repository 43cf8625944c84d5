# METADATA
# scope: package
# title: No credentials written into files
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Write"]
package cupcake.policies.secret_content

import rego.v1

block contains decision if {
	regex.match(`(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|ghp_[A-Za-z0-9]{36})`, input.tool_input.content)
	decision := {"rule_id": "CONTENT-CREDENTIAL", "reason": "The content looks like a credential", "severity": "HIGH"}
}
