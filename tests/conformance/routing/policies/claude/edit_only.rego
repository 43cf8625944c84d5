# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Edit", "MultiEdit"]
package cupcake.policies.edit_only

import rego.v1

add_context contains "edit-only fired" if {
	input.tool_name in {"Edit", "MultiEdit"}
}

# Routing keeps this policy's decisions to Edit and MultiEdit events; this rule could only
# ever fire for a Bash event, which never reaches this policy.
add_context contains "edit-only rule leaked" if {
	input.tool_name == "Bash"
	input.hook_event_name == "Never"
}
