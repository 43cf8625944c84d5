# METADATA
# scope: package
# title: Confirm pushes, refuse force-pushes to main
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.git_safety

import rego.v1

ask contains decision if {
	startswith(input.tool_input.command, "git push")
	not force_push
	decision := {"rule_id": "GIT-PUSH", "reason": "Confirm before pushing to a remote", "severity": "MEDIUM"}
}

deny contains decision if {
	force_push
	regex.match(`\b(main|master)\b`, input.tool_input.command)
	decision := {"rule_id": "GIT-FORCE-MAIN", "reason": "Force-pushing the main branch is not allowed", "severity": "HIGH"}
}

force_push if {
	startswith(input.tool_input.command, "git push")
	some flag in ["--force", "-f ", "--force-with-lease"]
	contains(input.tool_input.command, flag)
}
