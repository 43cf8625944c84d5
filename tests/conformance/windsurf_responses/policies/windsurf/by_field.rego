# METADATA
# scope: package
# title: Produces whichever decision the event's `want` field names, for response-table tests
# custom:
#   routing:
#     required_events: ["pre_user_prompt", "pre_read_code", "post_read_code", "pre_write_code", "post_write_code", "pre_run_command", "post_run_command", "pre_mcp_tool_use", "post_mcp_tool_use", "post_cascade_response", "post_cascade_response_with_transcript", "post_setup_worktree"]
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
