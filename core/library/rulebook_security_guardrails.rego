# METADATA
# scope: package
# title: Guarded paths are neither read nor changed by the agent
# description: >-
#   The strictest tier: files under `protected_paths` (default `.cupcake/`) may not be read,
#   written, edited or named by a shell command, by any agent's tools. cupcake's own
#   self-protection already refuses changes to its configuration; this also refuses reads.
# custom:
#   id: BUILTIN-RULEBOOK-GUARDRAILS
#   severity: CRITICAL
#   routing:
#     required_actions: ["read", "write", "edit", "shell"]
package cupcake.policies.builtins.rulebook_security_guardrails

import rego.v1

config := object.get(input, ["builtin_config", "rulebook_security_guardrails"], {})

message := object.get(config, "message", "cupcake's configuration is off limits to the agent")

deny contains refusal(path) if {
	input.cupcake.action.kind in {"read", "write", "edit"}
	some path in action_paths
	some guarded in object.get(config, "resolved_paths", [])
	under(path, guarded)
}

deny contains refusal(guarded) if {
	input.cupcake.action.kind == "shell"
	some word in regex.split(`[\s;&|()<>]+`, input.cupcake.action.command)
	word != ""
	some guarded in object.get(config, "resolved_paths", [])
	named(word, guarded)
}

action_paths contains input.cupcake.action.path

action_paths contains path if some path in input.cupcake.action.paths

refusal(path) := {
	"rule_id": "BUILTIN-RULEBOOK-GUARDRAILS",
	"reason": sprintf("%s (%s)", [message, path]),
	"severity": "CRITICAL",
}

under(path, guarded) if path == trim_suffix(guarded, "/")

under(path, guarded) if startswith(path, concat("", [trim_suffix(guarded, "/"), "/"]))

named(word, guarded) if under(clean(word), guarded)

named(word, guarded) if {
	given := object.get(config, "given_paths", {})[guarded]
	under(clean(word), trim_prefix(given, "./"))
}

# A word naming the entry by its last component (`cat .cupcake/rulebook.yml` from the project).
clean(word) := trim_prefix(trim(word, `"'`), "./")
