# METADATA
# scope: package
# title: Git hooks may not be skipped
# description: >-
#   Refuses git commands that bypass the repository's hooks: `--no-verify` on any git
#   command, `-n` (bundled or not) on `git commit`, and pointing `core.hooksPath` elsewhere with
#   `-c`. Every agent's shell tool is covered through the shared action view.
# custom:
#   id: BUILTIN-GIT-NO-VERIFY
#   severity: HIGH
#   routing:
#     required_actions: ["shell"]
package cupcake.policies.builtins.git_block_no_verify

import rego.v1

config := object.get(input, ["builtin_config", "git_block_no_verify"], {})

message := object.get(config, "message", "Git commands may not skip the repository's hooks (--no-verify)")

deny contains {
	"rule_id": "BUILTIN-GIT-NO-VERIFY",
	"reason": message,
	"severity": "HIGH",
} if {
	some words in git_commands
	skips_hooks(words)
}

# The words of each simple command that runs git, from `git` on.
git_commands contains array.slice(words, i, count(words)) if {
	some part in regex.split(`[;&|\n()]+`, input.cupcake.action.command)
	words := [word | some word in regex.split(`\s+`, trim_space(part)); word != ""]
	some i, word in words
	regex.match(`^(.*/)?git$`, word)
}

skips_hooks(words) if "--no-verify" in words

skips_hooks(words) if {
	some word in words
	startswith(word, "--no-verify=")
}

skips_hooks(words) if {
	"commit" in words
	some word in words
	regex.match(`^-[a-zA-Z]*n[a-zA-Z]*$`, word)
}

skips_hooks(words) if {
	some word in words
	contains(lower(word), "core.hookspath")
}
