# METADATA
# scope: package
# title: Files are read whole
# description: >-
#   Refuses a read of part of a file (Claude, Droid and OpenCode `offset`/`limit`, Gemini
#   `start_line`/`end_line`, Copilot `view_range`), so the agent sees the whole file before it
#   acts on it. Like the earlier engine's builtin, any partial read is refused; `max_lines` is
#   passed on in the configuration for policies that want to relax it.
# custom:
#   id: BUILTIN-FULL-FILE-READ
#   severity: MEDIUM
#   routing:
#     required_actions: ["read"]
package cupcake.policies.builtins.enforce_full_file_read

import rego.v1

name := "enforce_full_file_read"

config := object.get(input, ["builtin_config", name], {})

deny contains {
	"rule_id": "BUILTIN-FULL-FILE-READ",
	"reason": object.get(config, "message", "Read the whole file: partial reads are refused"),
	"severity": "MEDIUM",
} if {
	some field in {"offset", "limit", "start_line", "end_line", "view_range"}
	object.get(object.get(input, "tool_input", {}), field, null) != null
}
