# METADATA
# scope: package
# title: Lockfiles and CI config change only with confirmation
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Edit", "Write", "MultiEdit"]
package cupcake.policies.protected_paths

import rego.v1

ask contains decision if {
	some pattern in [`(^|/)\.github/workflows/`, `(^|/)(package-lock\.json|Cargo\.lock|poetry\.lock)$`]
	regex.match(pattern, input.tool_input.file_path)
	decision := {"rule_id": "PATH-PROTECTED", "reason": "This file is protected; confirm the change", "severity": "MEDIUM"}
}
