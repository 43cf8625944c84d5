# METADATA
# scope: package
# title: Context for every prompt
# custom:
#   routing:
#     required_events: ["UserPromptSubmit"]
package cupcake.policies.prompts

import rego.v1

add_context contains "This repository's tests run with `bash ci/test.sh`." if {
	input.hook_event_name == "UserPromptSubmit"
}
