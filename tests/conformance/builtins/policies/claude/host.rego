# METADATA
# scope: package
# title: Host builtins, each result reported as context
# custom:
#   routing:
#     required_events: ["UserPromptSubmit"]
package cupcake.policies.host

import rego.v1

add_context contains sprintf("1 replace: %s", [regex.replace(input.prompt, `(\w+)@(\w+)\.com`, "$2 at $1")]) if true

add_context contains sprintf("2 split: %v", [regex.split(`\s*,\s*`, input.csv)]) if true

add_context contains sprintf("3 find: %v", [regex.find_n(`[0-9]+`, input.prompt, 2)]) if true

add_context contains sprintf("4 time: %d", [time.parse_rfc3339_ns(input.when)]) if true

add_context contains sprintf("5 verbs: %q %5.2f|%-4d|%x|%t|%v", [input.prompt, 3.14159, 7, 255, true, {"k": [1, "a"]}]) if true
