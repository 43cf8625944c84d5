# A user-supplied aggregation entrypoint in the earlier engine's place and shape: it lives in
# the harness folder and returns plain lists of decisions, without package tags.
package cupcake.system

import rego.v1

# METADATA
# entrypoint: true
evaluate := {
	"halts": gather("halt"),
	"denials": gather("deny"),
	"blocks": gather("block"),
	"asks": gather("ask"),
	"modifications": gather("modify"),
	"add_context": gather("add_context"),
}

gather(name) := [item |
	walk(data.cupcake.policies, [path, found])
	count(path) > 0
	path[count(path) - 1] == name
	some item in found
]
