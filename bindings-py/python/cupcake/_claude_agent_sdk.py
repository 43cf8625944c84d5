"""A hook callback for the Claude Agent SDK (``ClaudeAgentOptions(hooks=...)``) that answers with
cupcake's decision.

The SDK hands a hook callback the same input Claude Code gives a command hook and reads the same
output, so the engine's Claude response is the answer as it is. Whatever fails on the way (the
engine, the input) becomes the blocking answer ``cupcake eval`` would print, taken from the core:
an exception never lets the action through.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from ._cupcake import Cupcake
from ._native import Harness, failure_response

HookCallback = Callable[[Mapping[str, Any], "str | None", Any], Awaitable[dict[str, Any]]]
"""The SDK's hook callback: ``(input_data, tool_use_id, context) -> output``."""


def _blocked(input_data: object, err: Exception) -> dict[str, Any]:
    """The core's blocking answer for `input_data`, which may be anything the SDK passed."""
    reason = f"cupcake could not evaluate this hook: {err}"
    try:
        try:
            text = json.dumps(input_data)
        except (TypeError, ValueError, RecursionError):
            # Keep the event's name, so the failure is that event's own refusal.
            name: object = (
                cast("Mapping[str, object]", input_data).get("hook_event_name", "")
                if isinstance(input_data, Mapping)
                else ""
            )
            text = json.dumps({"hook_event_name": str(name)})
        reply = failure_response(Harness.CLAUDE, text, reason)
        blocked: dict[str, Any] = json.loads(reply.response)
        return blocked
    except Exception:  # noqa: BLE001 - the answer must still block
        return {"continue": False, "stopReason": reason}


def claude_agent_sdk_hook(holder: Cupcake) -> HookCallback:
    """A hook callback evaluating every hook input with ``holder`` (loaded for ``claude``)."""
    if holder.harness is not Harness.CLAUDE:
        # Another harness would not route Claude events to its policies, and so allow them.
        raise ValueError(
            "the Claude Agent SDK sends Claude Code hook events, but this engine answers for "
            f"{holder.harness.name.lower()}: load the policies with harness='claude'"
        )

    async def hook(
        input_data: Mapping[str, Any], tool_use_id: str | None, context: Any
    ) -> dict[str, Any]:
        try:
            decision = await holder.eval_async(input_data)
            response: dict[str, Any] = json.loads(decision.response)
            return response
        except Exception as err:  # noqa: BLE001 - every failure must block, whatever it is
            # (Cancellation and interpreter exit are not Exceptions: they still propagate.)
            return _blocked(input_data, err)

    return hook
