# METADATA
# scope: package
# title: Edited files are checked right after the edit
# description: >-
#   After an agent writes or edits a file whose extension has a check in `by_extension`, the
#   check runs (as signal `__builtin_post_edit_<ext>`) and a failure goes back to the agent as a
#   block with the check's output, so it fixes the file. Harnesses without an after-edit event
#   (Windsurf's post_write_code cannot refuse) only observe.
# custom:
#   id: BUILTIN-POST-EDIT-CHECK
#   severity: MEDIUM
#   routing:
#     required_actions: ["write:after", "edit:after"]
package cupcake.policies.builtins.post_edit_check

import rego.v1

config := object.get(input, ["builtin_config", "post_edit_check"], {})

block contains {
	"rule_id": "BUILTIN-POST-EDIT-CHECK",
	"reason": sprintf("%s failed for %s: %s", [check.message, path, output(result)]),
	"severity": "MEDIUM",
} if {
	input.cupcake.action.kind in {"write", "edit"}
	input.cupcake.action.stage == "after"
	some path in paths
	extension := regex.replace(path, `^.*\.`, "")
	extension != path
	check := object.get(config, ["by_extension", extension], null)
	check != null
	name := sprintf("__builtin_post_edit_%s", [extension])
	result := object.get(object.get(input, "signals", {}), name, {"success": false, "error": "the check did not run"})
	failed(result)
}

paths contains input.cupcake.action.path

paths contains path if some path in input.cupcake.action.paths

# A failed, timed-out or missing check reports `success: false`.
failed(result) if {
	is_object(result)
	result.success == false
}

output(result) := trim_space(sprintf("%v", [object.get(result, "output", object.get(result, "error", ""))]))
