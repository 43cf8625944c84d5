# METADATA
# scope: package
# title: time.now_ns gives one value per evaluation (OPA's "consistent value for same evaluation")
# custom:
#   routing:
#     required_events: ["Notification"]
package cupcake.policies.clock

import rego.v1

readings := {t | some i in numbers.range(1, 100); t := time.now_ns() + (i - i)}

add_context contains sprintf("distinct clock readings: %d", [count(readings)]) if true
