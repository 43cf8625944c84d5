# METADATA
# scope: package
# title: Installs go through the lockfile
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.package_installs

import rego.v1

modify contains decision if {
	input.tool_input.command == "npm install"
	decision := {
		"rule_id": "PKG-NPM-CI",
		"reason": "Installs use the lockfile",
		"updated_input": {"command": "npm ci"},
	}
}

ask contains decision if {
	regex.match(`^(pip|pip3) install [^-]`, input.tool_input.command)
	decision := {"rule_id": "PKG-PIP", "reason": "Installing Python packages outside the lockfile", "severity": "LOW"}
}
