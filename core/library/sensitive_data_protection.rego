# METADATA
# scope: package
# title: Credentials and keys are not read by the agent
# description: >-
#   Refuses reads (and shell commands naming them) of files that commonly hold secrets: SSH and
#   GPG keys, cloud credentials, .env files, private keys and keystores, token files, plus the
#   regular expressions in `additional_patterns`, matched against the resolved path.
# custom:
#   id: BUILTIN-SENSITIVE-DATA
#   severity: HIGH
#   routing:
#     required_actions: ["read", "shell"]
package cupcake.policies.builtins.sensitive_data_protection

import rego.v1

config := object.get(input, ["builtin_config", "sensitive_data_protection"], {})

message := object.get(config, "message", "The agent may not read credentials or keys")

patterns := array.concat(
	[
		`(^|/)\.ssh/`, `(^|/)\.gnupg/`, `(^|/)\.aws/credentials$`, `(^|/)\.aws/config$`,
		`(^|/)\.config/gcloud/`, `(^|/)\.azure/`, `(^|/)\.kube/config$`, `(^|/)\.docker/config\.json$`,
		`(^|/)\.netrc$`, `(^|/)\.npmrc$`, `(^|/)\.pypirc$`, `(^|/)\.git-credentials$`,
		`(^|/)\.env(\.[A-Za-z0-9_-]+)*$`, `\.(pem|key|p12|pfx|jks|keystore)$`, `(^|/)id_(rsa|dsa|ecdsa|ed25519)$`,
	],
	object.get(config, "additional_patterns", []),
)

# Example files document the variables; they hold no secrets.
examples := `(^|/)\.env\.(example|sample|template)$`

deny contains refusal(path) if {
	input.cupcake.action.kind == "read"
	some path in action_paths
	sensitive(path)
}

deny contains refusal(word) if {
	input.cupcake.action.kind == "shell"
	some word in regex.split(`[\s;&|()<>]+`, input.cupcake.action.command)
	word != ""
	sensitive(trim(word, `"'`))
}

action_paths contains input.cupcake.action.path

action_paths contains path if some path in input.cupcake.action.paths

sensitive(path) if {
	some pattern in patterns
	regex.match(pattern, path)
	not regex.match(examples, path)
}

refusal(path) := {
	"rule_id": "BUILTIN-SENSITIVE-DATA",
	"reason": sprintf("%s (%s)", [message, path]),
	"severity": "HIGH",
}
