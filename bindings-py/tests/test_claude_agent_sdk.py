"""claude_agent_sdk_hook, driven the way the Claude Agent SDK calls a hook callback:
``await hook(input_data, tool_use_id, context)`` with the hook input Claude Code sends, the
returned dict read as the hook's output."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import cupcake
from conftest import repo_path

VERBS = repo_path("tests", "conformance", "verbs")


def pre_tool_use(command: str) -> dict[str, Any]:
    return {
        "hook_event_name": "PreToolUse",
        "session_id": "sdk",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": "/tmp",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": "toolu_1",
    }


def call(hook: cupcake.HookCallback, event: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(hook(event, event.get("tool_use_id"), {"signal": None}))


def test_a_deny_is_the_sdk_output_claude_code_would_get() -> None:
    with cupcake.Cupcake().init(VERBS) as holder:
        hook = cupcake.claude_agent_sdk_hook(holder)
        denied = call(hook, pre_tool_use("rm -rf build"))
        specific = denied["hookSpecificOutput"]
        assert (specific["hookEventName"], specific["permissionDecision"]) == ("PreToolUse", "deny")
        assert "rm -rf build" in specific["permissionDecisionReason"]
        assert call(hook, pre_tool_use("ls")) == {}


def test_a_failure_inside_blocks() -> None:
    holder = cupcake.Cupcake().init(VERBS)
    hook = cupcake.claude_agent_sdk_hook(holder)
    holder.close()  # every evaluation now raises
    blocked = call(hook, pre_tool_use("ls"))
    specific = blocked["hookSpecificOutput"]
    assert specific["permissionDecision"] == "deny"
    assert "cupcake could not evaluate this hook" in specific["permissionDecisionReason"]


def test_an_input_that_is_not_json_blocks() -> None:
    with cupcake.Cupcake().init(VERBS) as holder:
        hook = cupcake.claude_agent_sdk_hook(holder)
        event: dict[str, Any] = {**pre_tool_use("ls"), "tool_input": {"command": object()}}
        blocked = call(hook, event)
        assert blocked["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_only_a_claude_engine_is_accepted() -> None:
    with cupcake.Cupcake().init(VERBS, harness="cursor") as holder, pytest.raises(ValueError, match="claude"):
        cupcake.claude_agent_sdk_hook(holder)


def test_an_input_that_is_not_a_mapping_blocks() -> None:
    with cupcake.Cupcake().init(VERBS) as holder:
        hook = cupcake.claude_agent_sdk_hook(holder)
        blocked = asyncio.run(hook([1, 2], None, {}))  # type: ignore[arg-type]
        assert blocked["continue"] is False
