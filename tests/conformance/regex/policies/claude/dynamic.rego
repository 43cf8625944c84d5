# METADATA
# scope: package
# title: regex builtins with the pattern from the event, as Go's RE2 evaluates them
# custom:
#   routing:
#     required_events: ["UserPromptSubmit"]
package cupcake.policies.dynamic

import rego.v1

add_context contains sprintf("match: %v", [regex.match(input.pattern, input.prompt)]) if {
	input.builtin == "match"
}

add_context contains sprintf("valid: %v", [regex.is_valid(input.pattern)]) if {
	input.builtin == "is_valid"
}

add_context contains sprintf("submatches: %v", [regex.find_all_string_submatch_n(input.pattern, input.prompt, -1)]) if {
	input.builtin == "submatches"
}

# A constant pattern OPA's WebAssembly engine rejects and Go accepts.
add_context contains "constant named group matched" if {
	input.builtin == "constant"
	regex.match(`^(?<word>\w+)$`, input.prompt)
}
