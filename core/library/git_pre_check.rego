# METADATA
# scope: package
# title: Checks pass before git commits, pushes and merges
# description: >-
#   Before a git operation named in `operations` (default commit, push, merge), each configured
#   check runs (cupcake runs them as signals `__builtin_git_check_<n>`, only for such commands);
#   a failing check refuses the operation with the check's message and output.
# custom:
#   id: BUILTIN-GIT-PRE-CHECK
#   severity: HIGH
#   routing:
#     required_actions: ["shell"]
package cupcake.policies.builtins.git_pre_check

import rego.v1

config := object.get(input, ["builtin_config", "git_pre_check"], {})

deny contains {
	"rule_id": "BUILTIN-GIT-PRE-CHECK",
	"reason": sprintf("%s failed before git %s: %s", [check.message, operation, output(result)]),
	"severity": "HIGH",
} if {
	some operation in object.get(config, "operations", [])
	runs_git(operation)
	some index, check in object.get(config, "checks", [])
	# A check whose signal is missing did not run: it has not passed.
	name := sprintf("__builtin_git_check_%d", [index])
	result := object.get(object.get(input, "signals", {}), name, {"success": false, "error": "the check did not run"})
	failed(result)
}

runs_git(operation) if {
	some part in regex.split(`[;&|\n()]+`, input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
	some i, word in words
	regex.match(`^(.*/)?git$`, word)
	operation in array.slice(words, i + 1, count(words))
}

# A failed, timed-out or missing check reports `success: false`.
failed(result) if {
	is_object(result)
	result.success == false
}

output(result) := trim_space(sprintf("%v", [object.get(result, "output", object.get(result, "error", ""))]))
