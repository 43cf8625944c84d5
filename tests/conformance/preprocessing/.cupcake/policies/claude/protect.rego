# METADATA
# scope: package
# title: Protected secrets and destructive commands, checked on preprocessed fields
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash", "Edit", "Write", "MultiEdit"]
package cupcake.policies.protect

import rego.v1

protected := "secrets/.env"

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in {"Edit", "Write", "MultiEdit"}
	endswith(input.resolved_file_path, protected)
	decision := {"rule_id": "PROTECT-FILE", "reason": sprintf("%s is protected", [input.resolved_file_path]), "severity": "HIGH"}
}

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "MultiEdit"
	some edit in input.tool_input.edits
	endswith(edit.resolved_file_path, protected)
	decision := {"rule_id": "PROTECT-EDIT", "reason": "an edit touches the protected file", "severity": "HIGH"}
}

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "rm -rf")
	decision := {"rule_id": "NO-RM", "reason": sprintf("blocked: %s", [input.tool_input.command]), "severity": "HIGH"}
}

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	some dir in input.affected_parent_directories
	endswith(dir, "/secrets")
	decision := {"rule_id": "PROTECT-DIR", "reason": sprintf("touches %s", [dir]), "severity": "MEDIUM"}
}

ask contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name in {"Edit", "Write"}
	contains(input.tool_input.new_string, "BEGIN PRIVATE KEY")
	decision := {"rule_id": "KEY-CONTENT", "reason": "writes a private key", "severity": "HIGH"}
}

add_context contains sprintf("symlink=%v original=%s", [input.is_symlink, input.original_file_path]) if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Edit"
	not endswith(input.resolved_file_path, protected)
}
