"""The decision log from the library: an engine whose rulebook names a log appends one JSON line
per evaluation, the same lines hook mode and the server write (the core writes them all)."""

from __future__ import annotations

import json
from pathlib import Path

import cupcake

POLICY = """# METADATA
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.shell

import rego.v1

deny contains {"rule_id": "RM", "reason": "no rm -rf", "severity": "HIGH"} if {
\tcontains(input.tool_input.command, "rm -rf")
}
"""


def test_library_evaluations_are_logged(tmp_path: Path) -> None:
    root = tmp_path / ".cupcake"
    (root / "policies" / "claude").mkdir(parents=True)
    (root / "policies" / "claude" / "shell.rego").write_text(POLICY)
    (root / "rulebook.yml").write_text(
        "decision_log:\n  path: decisions.jsonl\n  event: true\n  redact: [tool_input]\n"
    )
    (tmp_path / "global").mkdir()
    engine = cupcake.Cupcake()
    engine.init(root, global_dir=tmp_path / "global", cache_dir=tmp_path / "cache")
    bash = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "session_id": "py"}
    assert engine.eval({**bash, "tool_input": {"command": "rm -rf x"}}).blocked
    assert not engine.eval({**bash, "tool_input": {"command": "ls"}}).blocked

    lines = [json.loads(line) for line in (root / "decisions.jsonl").read_text().splitlines()]
    assert [line["decision"] for line in lines] == ["Deny", "Allow"]
    assert lines[0]["rule_ids"] == ["RM"]
    assert lines[0]["session_id"] == "py"
    assert lines[0]["event"]["tool_input"] == "[redacted]"
    assert len(lines[0]["policy_set"]) == 64
