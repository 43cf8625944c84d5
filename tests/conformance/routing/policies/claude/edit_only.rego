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

# Rules fire on the whole module, so a rule must check the tool itself: this one would
# otherwise fire for Bash events routed here by the other policies.
add_context contains "edit-only rule leaked" if {
	input.tool_name == "Bash"
	input.hook_event_name == "Never"
}
