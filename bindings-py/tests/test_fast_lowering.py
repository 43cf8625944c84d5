"""The facade's replacement of UniFFI's byte-at-a-time argument copy (``_fast_lowering``)."""

from __future__ import annotations

import json

import cupcake
from cupcake import _fast_lowering

from conftest import repo_path

# Every UTF-8 length (1-4 bytes), a NUL and the JSON escapes, so an off-by-one in the copy or
# a wrong length shows up as a different string.
MIXED = 'a\u00e9\u4e2d\U0001f642\x00"\\\n'


def test_the_fast_path_is_installed() -> None:
    # A generator upgrade that renames the patched helpers must fail here, not slow down.
    assert _fast_lowering.installed()


def test_strings_of_every_size_reach_rust_unchanged() -> None:
    event = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash"})
    for size in (0, 1, 2, 3, 15, 16, 17, 4095, 4096, 65537, 1_000_003):
        reason = (MIXED * (size // len(MIXED) + 1))[:size]
        reply = cupcake.failure_response(cupcake.Harness.CLAUDE, event, reason)
        output = json.loads(reply.response)["hookSpecificOutput"]
        assert output["permissionDecisionReason"] == reason, size


def test_a_large_event_reaches_the_policies_whole() -> None:
    # A credential only at the very end of 3 MB of escaped mixed text: a truncated or shifted copy
    # would let the write through.
    engine = cupcake.Cupcake().init(repo_path("core", "benches", "standard"), timeout_ms=5000)
    content = MIXED * 80_000

    def write(text: str) -> cupcake.Decision:
        return engine.eval(
            {
                "hook_event_name": "PreToolUse",
                "tool_name": "Write",
                "session_id": "s",
                "transcript_path": "/tmp/t",
                "cwd": "/tmp",
                "tool_input": {"file_path": "notes.txt", "content": text},
            }
        )

    assert write(content).kind == cupcake.DecisionKind.ALLOW
    denied = write(content + "AKIAABCDEFGHIJKLMNOP")
    assert denied.kind == cupcake.DecisionKind.BLOCK
    assert denied.rule_ids == ["CONTENT-CREDENTIAL"]
