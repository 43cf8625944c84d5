# METADATA
# scope: package
# title: Context added to every prompt
# description: >-
#   Adds each configured `context` entry to every user prompt: text as written, `command:`
#   entries as their output and `file:` entries as the file's text (cupcake runs those as
#   signals `__builtin_prompt_context_<n>`). Agents without a context channel on prompts
#   (Cursor, Windsurf, Cline) do not receive it.
# custom:
#   id: BUILTIN-ALWAYS-INJECT
#   routing:
#     required_actions: ["prompt"]
package cupcake.policies.builtins.always_inject_on_prompt

import rego.v1

name := "always_inject_on_prompt"

config := object.get(input, ["builtin_config", name], {})

add_context contains text if {
	some text in object.get(config, "static_contexts", [])
}

add_context contains text if {
	some key, result in object.get(input, "signals", {})
	startswith(key, "__builtin_prompt_context_")
	text := as_text(result)
	text != ""
}

as_text(result) := result if is_string(result)

# A dynamic source that failed is not context; its error is not shown to the model.
as_text(result) := "" if failed(result)

as_text(result) := json.marshal(result) if {
	not is_string(result)
	not failed(result)
}

failed(result) if {
	is_object(result)
	result.success == false
}
