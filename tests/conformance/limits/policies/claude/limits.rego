# METADATA
# scope: package
# title: Policies that run away, for limit tests
# custom:
#   routing:
#     required_events: ["PreToolUse"]
package cupcake.policies.limits

import rego.v1

# About 900 million iterations and almost no memory: only the deadline stops it.
deny contains {"rule_id": "LOOP", "reason": "finished looping", "severity": "LOW"} if {
	input.tool_name == "Loop"
	count({1 | some x in numbers.range(1, 30000); some y in numbers.range(1, 30000)}) > 5
}

# Allocates an array of 200 million numbers: only the memory cap stops it.
deny contains {"rule_id": "BOMB", "reason": "finished allocating", "severity": "LOW"} if {
	input.tool_name == "Bomb"
	count(numbers.range(1, 200000000)) > 5
}

deny contains {"rule_id": "FINE", "reason": "ordinary decision", "severity": "LOW"} if {
	input.tool_name == "Fine"
}
