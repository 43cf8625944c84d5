# Cupcake's built-in aggregation entrypoint, used when a project has no system/evaluate.rego.
# It gathers every verb rule under data.cupcake.policies and tags each decision with the package
# that produced it, so a malformed decision can be reported against its policy.
package cupcake.system

import rego.v1

evaluate := {
	"cupcake_aggregation": 2,
	"halts": tagged("halt"),
	"denials": tagged("deny"),
	"blocks": tagged("block"),
	"asks": tagged("ask"),
	"modifications": tagged("modify"),
	"add_context": tagged("add_context"),
}

tagged(verb) := [{"policy": concat(".", array.concat(["cupcake", "policies"], path_strings(path))), "decision": decision} |
	walk(data.cupcake.policies, [path, value])
	count(path) > 0
	path[count(path) - 1] == verb
	some decision in value
]

# The package segments of a rule path: everything but the trailing rule name.
path_strings(path) := [segment | some i, segment in path; i < count(path) - 1]
