# METADATA
# scope: package
# title: The agent does not run cupcake itself
# description: >-
#   Refuses shell commands that run the cupcake binary (which could rewrite hooks with `init`,
#   or evaluate forged events), unless the whole command line starts with one of
#   `allowed_commands` (for example "cupcake validate").
# custom:
#   id: BUILTIN-CUPCAKE-EXEC
#   severity: HIGH
#   routing:
#     required_actions: ["shell"]
package cupcake.policies.builtins.cupcake_exec_protection

import rego.v1

config := object.get(input, ["builtin_config", "cupcake_exec_protection"], {})

message := object.get(config, "message", "The agent may not run cupcake itself")

deny contains {
	"rule_id": "BUILTIN-CUPCAKE-EXEC",
	"reason": message,
	"severity": "HIGH",
} if {
	some part in regex.split("[;&|\\n()`$]+", input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
	some word in words
	regex.match(`^(.*/)?cupcake(\.exe)?["']?$`, trim(word, `"'`))
	not allowed(trim_space(part))
}

allowed(part) if {
	some prefix in object.get(config, "allowed_commands", [])
	startswith(part, prefix)
	not regex.match(`[;&|<>]`, part)
}
