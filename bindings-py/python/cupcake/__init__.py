"""cupcake: a policy engine for AI coding agent hooks.

The types and functions come unchanged from the generated ``cupcake._native`` module; the
engine lives in Rust. This facade only adds Python idiom on top: :class:`Cupcake`, which
takes events as dicts (one ``json.dumps`` and one call into Rust per evaluation), and
module-level ``init``/``eval`` functions backed by a default :class:`Cupcake`.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from typing import Any

from ._native import (
    CupcakeError,
    Decision,
    DecisionKind,
    Engine,
    EngineOptions,
    Harness,
    export_bundle,
    load_engine,
    version,
)

__all__ = [
    "Cupcake",
    "CupcakeError",
    "Decision",
    "DecisionKind",
    "Engine",
    "EngineOptions",
    "Harness",
    "eval",
    "eval_async",
    "export_bundle",
    "init",
    "init_async",
    "load_engine",
    "version",
]

Event = Mapping[str, Any]


def _options(
    harness: str | Harness,
    opa_path: str | None,
    timeout_ms: int | None,
    memory_limit_bytes: int | None,
    global_dir: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str] | None,
) -> EngineOptions:
    if isinstance(harness, str):
        try:
            harness = Harness[harness.upper()]
        except KeyError:
            names = ", ".join(member.name.lower() for member in Harness)
            raise ValueError(f"unknown harness {harness!r}; expected one of {names}") from None
    return EngineOptions(
        harness=harness,
        opa_path=opa_path,
        timeout_ms=timeout_ms,
        memory_limit_bytes=memory_limit_bytes,
        global_dir=None if global_dir is None else os.fspath(global_dir),
        cache_dir=None if cache_dir is None else os.fspath(cache_dir),
    )


class Cupcake:
    """An engine holder that takes hook events as dicts.

    Call :meth:`init` (or :meth:`init_async`) once, then :meth:`eval` as often as needed, from
    any number of threads or tasks.
    """

    def __init__(self) -> None:
        self._engine: Engine | None = None

    def init(
        self,
        path: str | os.PathLike[str] = ".cupcake",
        harness: str | Harness = "claude",
        opa_path: str | None = None,
        timeout_ms: int | None = None,
        memory_limit_bytes: int | None = None,
        global_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        bundle: str | os.PathLike[str] | None = None,
    ) -> None:
        """Loads and compiles the policies found from ``path``, blocking until done.

        With ``bundle`` (a file written by :func:`export_bundle` or ``cupcake compile``), loads
        that instead of ``path``; no OPA is needed.
        """
        options = _options(harness, opa_path, timeout_ms, memory_limit_bytes, global_dir, cache_dir)
        if bundle is not None:
            self._engine = Engine.from_bundle(os.fspath(bundle), options)
        else:
            self._engine = Engine(os.fspath(path), options)

    async def init_async(
        self,
        path: str | os.PathLike[str] = ".cupcake",
        harness: str | Harness = "claude",
        opa_path: str | None = None,
        timeout_ms: int | None = None,
        memory_limit_bytes: int | None = None,
        global_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        bundle: str | os.PathLike[str] | None = None,
    ) -> None:
        """Like :meth:`init`, but compiles on cupcake's thread pool without blocking the loop."""
        options = _options(harness, opa_path, timeout_ms, memory_limit_bytes, global_dir, cache_dir)
        if bundle is not None:
            self._engine = await asyncio.to_thread(Engine.from_bundle, os.fspath(bundle), options)
        else:
            self._engine = await load_engine(os.fspath(path), options)

    @property
    def engine(self) -> Engine:
        """The loaded engine; raises ``RuntimeError`` before ``init``."""
        if self._engine is None:
            raise RuntimeError("cupcake is not initialised: call init() or init_async() first")
        return self._engine

    def eval(self, event: Event) -> Decision:
        """Evaluates one hook event; the GIL is released while Rust works."""
        return self.engine.evaluate(json.dumps(event))

    async def eval_async(self, event: Event) -> Decision:
        """Evaluates one hook event on cupcake's thread pool, leaving the event loop free."""
        return await self.engine.evaluate_async(json.dumps(event))


_default = Cupcake()

# The module-level API is the default instance's own methods, so it cannot drift from them.
init = _default.init
init_async = _default.init_async
eval = _default.eval
eval_async = _default.eval_async
