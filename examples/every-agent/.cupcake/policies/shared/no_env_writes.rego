# METADATA
# scope: package
# title: No writes to .env files, whichever agent writes them
# description: >-
#   Covers file tools (a write, an edit, a patch, in every agent's own spelling) through the
#   shared action view, whose paths are resolved as the agent resolves them, and shell
#   redirections into a .env file. Example files (.env.example, .env.sample) stay writable.
# custom:
#   id: EVERY-AGENT-ENV
#   severity: HIGH
#   routing:
#     required_actions: ["write", "edit", "shell"]
package cupcake.policies.every_agent.no_env_writes

import rego.v1

deny contains decision if {
	input.cupcake.action.kind in {"write", "edit"}
	some path in paths
	env_file(path)
	decision := refusal(path)
}

deny contains decision if {
	input.cupcake.action.kind == "shell"
	some target in regex.find_n(`(>>?|\btee(\s+-a)?)\s*[^\s;&|]*\.env[^\s;&|]*`, input.cupcake.action.command, -1)
	path := regex.replace(target, `^(>>?|tee(\s+-a)?)\s*`, "")
	env_file(path)
	decision := refusal(path)
}

paths contains input.cupcake.action.path

paths contains path if some path in input.cupcake.action.paths

env_file(path) if {
	name := regex.replace(path, `^.*/`, "")
	regex.match(`^\.env(\.[A-Za-z0-9_-]+)*$`, name)
	not name in {".env.example", ".env.sample", ".env.template"}
}

refusal(path) := {
	"rule_id": "EVERY-AGENT-ENV",
	"reason": sprintf("Writing %s is blocked: .env files hold secrets (examples/every-agent)", [path]),
	"severity": "HIGH",
}
