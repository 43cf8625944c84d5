# METADATA
# scope: package
# title: Produces whichever decision the event's `want` field names, for response-table tests
# custom:
#   routing:
#     required_events: ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "beforeTabFileRead", "preToolUse", "subagentStart", "beforeSubmitPrompt", "sessionStart", "stop", "subagentStop", "postToolUse", "postToolUseFailure", "preCompact", "sessionEnd", "afterFileEdit", "afterShellExecution", "afterMCPExecution", "afterAgentResponse", "afterAgentThought", "afterTabFileEdit", "workspaceOpen"]
package cupcake.policies.by_field

import rego.v1

verdict := {"rule_id": sprintf("T-%s", [input.want]), "reason": sprintf("because %s", [input.want]), "severity": "HIGH"}

verdict_with_agent := object.union(verdict, {"agent_context": "for the agent"})

halt contains verdict if input.want == "halt"

deny contains verdict_with_agent if input.want == "deny"

block contains verdict if input.want == "block"

ask contains verdict if input.want == "ask"

modify contains {"rule_id": "T-modify", "reason": "because modify", "updated_input": {"command": "safe"}} if input.want == "modify"

add_context contains "context one" if input.want == "context"

add_context contains "context two" if input.want == "context"
