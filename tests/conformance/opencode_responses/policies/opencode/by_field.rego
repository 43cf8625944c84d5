# METADATA
# scope: package
# title: Produces whichever decision the event's `want` field names, for response-table tests
# custom:
#   routing:
#     required_events: ["tool.execute.before", "tool.execute.after", "chat.message", "experimental.session.compacting"]
package cupcake.policies.by_field

import rego.v1

verdict := {"rule_id": sprintf("T-%s", [input.want]), "reason": sprintf("because %s", [input.want]), "severity": "HIGH"}

halt contains verdict if input.want == "halt"

deny contains verdict if input.want == "deny"

block contains verdict if input.want == "block"

ask contains verdict if input.want == "ask"

modify contains {"rule_id": "T-modify", "reason": "because modify", "updated_input": {"command": "safe"}} if input.want == "modify"

add_context contains "context one" if input.want == "context"

add_context contains "context two" if input.want == "context"
