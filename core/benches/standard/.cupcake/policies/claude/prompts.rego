# METADATA
# scope: package
# title: Prompt hygiene
# custom:
#   routing:
#     required_events: ["UserPromptSubmit"]
package cupcake.policies.prompts

import rego.v1

block contains decision if {
	regex.match(`(?i)ignore (all )?previous instructions`, input.prompt)
	decision := {"rule_id": "PROMPT-INJECTION", "reason": "The prompt tries to override instructions", "severity": "HIGH"}
}

add_context contains "Project rule: run the tests before committing." if {
	contains(lower(input.prompt), "commit")
}
