# METADATA
# scope: package
# title: Remind the agent what it read from outside the project
# custom:
#   routing:
#     required_events: ["PostToolUse"]
#     required_tools: ["Read"]
package cupcake.policies.read_audit

import rego.v1

add_context contains note if {
	not startswith(input.tool_input.file_path, input.cwd)
	note := concat("", ["Read a file outside the project: ", input.tool_input.file_path])
}
