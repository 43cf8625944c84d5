# METADATA
# scope: package
# title: Prompt reminders
# custom:
#   routing:
#     required_events: ["UserPromptSubmit"]
package cupcake.policies.prompt_context

import rego.v1

add_context contains "Follow the project style guide." if {
	input.hook_event_name == "UserPromptSubmit"
}

add_context contains sprintf("The prompt has %d words.", [count(split(trim_space(input.prompt), " "))]) if {
	input.hook_event_name == "UserPromptSubmit"
}
