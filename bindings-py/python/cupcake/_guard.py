"""guard: a decorator that asks the policies before a tool function runs.

The decorator plays the part of the agent: it turns each call into a Claude Code
``PreToolUse`` event, has the engine evaluate it, and acts on the decision the way Claude
Code acts on the hook's answer. Every decision comes from the engine; the guard only maps its
kind to "call", "call with the updated input", "ask" or "raise".
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from ._cupcake import DEFAULT, Cupcake
from ._decision import Decision
from ._native import DecisionKind, Harness

if sys.version_info >= (3, 10):
    from typing import ParamSpec
else:
    from typing_extensions import ParamSpec

_P = ParamSpec("_P")
_R = TypeVar("_R")

AskCallback = Callable[[Decision], "bool | Awaitable[bool]"]
"""Decides an Ask: True lets the call run; anything else refuses it."""


class Denied(Exception):
    """A guarded call the policies did not let through: Halt, Deny or Block, or an Ask that
    was not confirmed. The function never ran."""

    tool: str
    """The guarded tool's name."""
    decision: Decision
    """The engine's decision."""

    def __init__(self, tool: str, decision: Decision) -> None:
        kind = decision.kind.name.lower()
        outcome = "not confirmed" if decision.kind is DecisionKind.ASK else "blocked"
        super().__init__(f"{tool} call {outcome} ({kind}): {decision.reason}")
        self.tool = tool
        self.decision = decision

    def __reduce__(self) -> tuple[type[Denied], tuple[str, Decision]]:
        return type(self), (self.tool, self.decision)


class _Guard:
    """What a guarded function's sync and async wrappers share: building the event and
    turning the decision into the arguments of the call, or into Denied."""

    def __init__(
        self,
        engine: Cupcake | None,
        tool: str,
        tool_input: Callable[..., Mapping[str, Any]] | None,
        function: Callable[..., Any],
    ) -> None:
        self.engine = engine
        self.tool = tool
        self.tool_input = tool_input
        self.name = getattr(function, "__qualname__", repr(function))
        self.signature = inspect.signature(function)

    def cupcake(self) -> Cupcake:
        engine = DEFAULT if self.engine is None else self.engine
        if engine.harness is not Harness.CLAUDE:
            raise ValueError(
                f"guard sends Claude Code PreToolUse events, but this engine answers for "
                f"{engine.harness.name.lower()}: load the policies with harness='claude'"
            )
        return engine

    def event(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], inspect.BoundArguments]:
        """The PreToolUse event of one call, and the call's arguments bound to parameters."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        tool_input: dict[str, Any]
        if self.tool_input is not None:
            tool_input = dict(self.tool_input(*args, **kwargs))
        else:
            tool_input = {}
            for name, value in bound.arguments.items():
                if self.signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                    tool_input.update(value)
                else:
                    tool_input[name] = value
        event = {
            "hook_event_name": "PreToolUse",
            "tool_name": self.tool,
            "tool_input": tool_input,
            "cwd": os.getcwd(),
        }
        return event, bound

    def arguments(
        self, decision: Decision, bound: inspect.BoundArguments, confirmed: bool
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The arguments to call the function with, or Denied. Only Allow, Modify and a
        confirmed Ask let the call through, so a kind added later is refused."""
        if decision.kind is DecisionKind.ALLOW or (decision.kind is DecisionKind.ASK and confirmed):
            return bound.args, bound.kwargs
        if decision.kind is DecisionKind.MODIFY and decision.updated_input is not None:
            self.update(bound, json.loads(decision.updated_input))
            return bound.args, bound.kwargs
        raise Denied(self.tool, decision)

    def update(self, bound: inspect.BoundArguments, updated: Mapping[str, Any]) -> None:
        """Replaces each argument that ``updated`` names; a name the function has no
        parameter for goes to its ``**kwargs``, or is a TypeError (the call does not run)."""
        parameters = self.signature.parameters
        var_keyword = next(
            (p.name for p in parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD), None
        )
        for key, value in updated.items():
            parameter = parameters.get(key)
            if parameter is not None and parameter.kind not in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                bound.arguments[key] = value
            elif var_keyword is not None:
                bound.arguments[var_keyword][key] = value
            else:
                raise TypeError(
                    f"a policy modified {self.tool} input {key!r}, "
                    f"which {self.name}() has no parameter for"
                )


def _confirmed_sync(answer: bool | Awaitable[bool]) -> bool:
    if inspect.isawaitable(answer):
        if inspect.iscoroutine(answer):
            answer.close()
        raise TypeError(
            "on_ask returned an awaitable for a synchronous function: "
            "guard an async function, or pass a callback that returns a bool"
        )
    return answer is True


def guard(
    engine: Cupcake | None = None,
    *,
    tool: str,
    tool_input: Callable[..., Mapping[str, Any]] | None = None,
    on_ask: AskCallback | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Asks the policies before each call of the decorated tool function.

    Each call becomes the event ``{"hook_event_name": "PreToolUse", "tool_name": tool,
    "tool_input": ..., "cwd": os.getcwd()}``, where ``tool_input`` maps the function's
    parameter names to the call's arguments (defaults included, ``**kwargs`` merged in), or is
    what ``tool_input(*args, **kwargs)`` returns; it must be JSON-ready (for methods, pass
    ``tool_input`` to leave ``self`` out). Then, by the decision's kind:

    - Halt, Deny, Block: raises :class:`Denied`; the function does not run.
    - Ask: calls ``on_ask(decision)``; the function runs only if it returns ``True`` (for an
      async function it may be a coroutine). Without ``on_ask``, raises :class:`Denied`.
    - Modify: runs the function with each argument named in ``updated_input`` replaced.
    - Allow: runs the function unchanged.

    An async function is evaluated with ``eval_async``, so the event loop is never blocked; a
    sync function with ``eval``. ``engine`` defaults to the module-level Cupcake, looked up at
    each call, and must be loaded for the Claude harness. Any error from the engine propagates
    and the function does not run.
    """

    def decorate(function: Callable[_P, _R]) -> Callable[_P, _R]:
        shared = _Guard(engine, tool, tool_input, function)

        if inspect.iscoroutinefunction(function):
            coroutine_function = cast(Callable[..., Awaitable[Any]], function)

            @functools.wraps(function)
            async def guarded_async(*args: _P.args, **kwargs: _P.kwargs) -> Any:
                event, bound = shared.event(args, kwargs)
                decision = await shared.cupcake().eval_async(event)
                confirmed = False
                if decision.kind is DecisionKind.ASK and on_ask is not None:
                    answer = on_ask(decision)
                    if inspect.isawaitable(answer):
                        answer = await answer
                    confirmed = answer is True
                call_args, call_kwargs = shared.arguments(decision, bound, confirmed)
                return await coroutine_function(*call_args, **call_kwargs)

            return cast(Callable[_P, _R], guarded_async)

        @functools.wraps(function)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            event, bound = shared.event(args, kwargs)
            decision = shared.cupcake().eval(event)
            confirmed = False
            if decision.kind is DecisionKind.ASK and on_ask is not None:
                confirmed = _confirmed_sync(on_ask(decision))
            call_args, call_kwargs = shared.arguments(decision, bound, confirmed)
            return function(*call_args, **call_kwargs)

        return guarded

    return decorate
