# METADATA
# scope: package
# title: Keep secrets out of the agent's edits
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Edit", "Write", "MultiEdit"]
package cupcake.policies.protect_secrets

import rego.v1

secret_suffixes := [".env", ".pem", "id_rsa", "id_ed25519", ".p12"]

deny contains decision if {
	some suffix in secret_suffixes
	endswith(input.tool_input.file_path, suffix)
	decision := {
		"rule_id": "SECRETS-FILE",
		"reason": concat(" ", [input.tool_input.file_path, "holds secrets; edit it by hand"]),
		"severity": "HIGH",
		"agent_context": "Do not modify secret files; ask the user to make the change.",
	}
}
