"""The facade's Decision: the generated record's fields, frozen, plus a few helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._native import Decision as NativeDecision
from ._native import DecisionKind

_PROCEEDS = frozenset({DecisionKind.ALLOW, DecisionKind.MODIFY})
_STOPS = frozenset({DecisionKind.HALT, DecisionKind.DENY, DecisionKind.BLOCK})


@dataclass(frozen=True)
class Decision:
    """The outcome of one evaluation.

    The fields are the engine's, as it made them: ``updated_input`` and ``response`` stay
    JSON text, and only :meth:`to_dict` parses them. A decision is one of three things for
    the action it judged: it proceeds (:attr:`allowed`), it is stopped (:attr:`blocked`), or,
    on Ask, it waits for a person to confirm it.
    """

    # Declared by hand rather than with dataclass(slots=True), which needs Python 3.10; so
    # is __reduce__, which copy and pickle need to rebuild a frozen instance without __dict__.
    __slots__ = (
        "kind",
        "reason",
        "context",
        "agent_messages",
        "rule_ids",
        "updated_input",
        "response",
        "stderr",
        "exit_code",
    )

    kind: DecisionKind
    """The winning decision kind."""
    reason: str
    """The reason shown to the user; empty for a plain allow."""
    context: list[str]
    """``add_context`` strings, on Allow."""
    agent_messages: list[str]
    """Messages meant for the agent."""
    rule_ids: list[str]
    """The rule ids that produced the decision."""
    updated_input: str | None
    """The merged tool input as JSON text, on Modify."""
    response: str
    """The harness-formatted response as JSON text: what a hook prints on stdout."""
    stderr: str
    """What a hook prints on stderr (exit-code protocols show it); usually empty."""
    exit_code: int
    """The exit code a hook ends with; 2 blocks in exit-code protocols (Windsurf)."""

    @property
    def allowed(self) -> bool:
        """True on Allow and on Modify: the action proceeds, on Modify with ``updated_input``
        applied to its input (a Claude hook answers Modify with the ``updatedInput`` alone, so
        Claude's own permission check still runs)."""
        return self.kind in _PROCEEDS

    @property
    def blocked(self) -> bool:
        """True on Halt, Deny and Block: the action must not run. Ask is neither allowed nor
        blocked; it needs a person's answer."""
        return self.kind in _STOPS

    def __reduce__(self) -> tuple[type[Decision], tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)

    def to_dict(self) -> dict[str, Any]:
        """The decision as a JSON-ready dict: ``kind`` as its lowercase name (``"deny"``),
        ``updated_input`` and ``response`` parsed from their JSON text."""
        return {
            "kind": self.kind.name.lower(),
            "reason": self.reason,
            "context": list(self.context),
            "agent_messages": list(self.agent_messages),
            "rule_ids": list(self.rule_ids),
            "updated_input": None if self.updated_input is None else json.loads(self.updated_input),
            "response": json.loads(self.response),
            "stderr": self.stderr,
            "exit_code": self.exit_code,
        }


def from_native(native: NativeDecision) -> Decision:
    """Wraps the generated record; its strings and lists are shared, not copied."""
    return Decision(
        kind=native.kind,
        reason=native.reason,
        context=native.context,
        agent_messages=native.agent_messages,
        rule_ids=native.rule_ids,
        updated_input=native.updated_input,
        response=native.response,
        stderr=native.stderr,
        exit_code=native.exit_code,
    )
