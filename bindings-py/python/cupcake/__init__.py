"""cupcake: a policy engine for AI coding agent hooks.

The engine lives in Rust; its types come from the generated ``cupcake._native`` module and
are re-exported unchanged. This facade only adds Python idiom on top:

- :class:`Cupcake` takes events as dicts (one ``json.dumps`` and one call into Rust per
  evaluation), returns :class:`Decision` dataclasses and closes as a context manager;
- :class:`CupcakeError` and one subclass per error kind (:class:`ConfigError`, ...), which
  type checkers accept in ``except`` clauses;
- :func:`guard`, a decorator that asks the policies before a tool function runs;
- :func:`claude_agent_sdk_hook`, a Claude Agent SDK hook callback that fails closed;
- module-level ``init``, ``eval``, ``init_async`` and ``eval_async``: the methods of a default
  :class:`Cupcake`, which :func:`guard` also uses when given no engine.
"""

from __future__ import annotations

from . import _fast_lowering
from ._claude_agent_sdk import HookCallback, claude_agent_sdk_hook
from ._cupcake import DEFAULT as _DEFAULT
from ._cupcake import Cupcake, Event, engine_options, ensure_opa, export_bundle
from ._decision import Decision
from ._errors import (
    ConfigError,
    CupcakeError,
    EvaluationError,
    InternalError,
    InvalidInputError,
    LimitExceededError,
    OpaNotFoundError,
    PolicyCompileError,
    UnsupportedBuiltinError,
    native_kind,
)
from ._guard import AskCallback, Denied, guard
from ._native import (
    DecisionKind,
    Engine,
    EngineOptions,
    Harness,
    HookReply,
    async_in_flight_limit,
    failure_response,
    load_engine,
    parse_harness,
    version,
)
from ._native import cupcake as _generated

# Before any call: arguments then reach Rust in one copy each (see _fast_lowering).
_fast_lowering.install(_generated)

__all__ = [
    "AskCallback",
    "ConfigError",
    "Cupcake",
    "CupcakeError",
    "Decision",
    "DecisionKind",
    "Denied",
    "Engine",
    "EngineOptions",
    "EvaluationError",
    "Event",
    "Harness",
    "HookCallback",
    "InternalError",
    "InvalidInputError",
    "LimitExceededError",
    "OpaNotFoundError",
    "PolicyCompileError",
    "HookReply",
    "UnsupportedBuiltinError",
    "__version__",
    "async_in_flight_limit",
    "claude_agent_sdk_hook",
    "engine_options",
    "ensure_opa",
    "eval",
    "eval_async",
    "export_bundle",
    "failure_response",
    "guard",
    "init",
    "init_async",
    "load_engine",
    "native_kind",
    "parse_harness",
    "version",
]

__version__ = version()
"""The engine's version, as the Rust crate reports it (``cupcake.version()``)."""

# Tracebacks and reprs name the public module, not the private one a class is defined in.
for _public in (
    Cupcake,
    Decision,
    Denied,
    CupcakeError,
    ConfigError,
    EvaluationError,
    InternalError,
    InvalidInputError,
    LimitExceededError,
    OpaNotFoundError,
    PolicyCompileError,
    UnsupportedBuiltinError,
):
    _public.__module__ = __name__
del _public

# The module-level API is the default instance's own methods, so it cannot drift from them.
init = _DEFAULT.init
init_async = _DEFAULT.init_async
eval = _DEFAULT.eval
eval_async = _DEFAULT.eval_async
