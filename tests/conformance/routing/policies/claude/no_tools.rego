# METADATA
# scope: package
# custom:
#   routing:
#     required_events: ["PreToolUse", "Stop"]
package cupcake.policies.no_tools

import rego.v1

add_context contains sprintf("any-tool saw %s", [input.hook_event_name]) if {
	true
}
