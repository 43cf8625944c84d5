# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["*"]
package cupcake.policies.star

import rego.v1

add_context contains sprintf("star saw %s", [input.tool_name]) if {
	input.hook_event_name == "PreToolUse"
}
