"""Cupcake: an engine holder that takes hook events as dicts and is a context manager."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from ._decision import Decision, from_native
from ._errors import NATIVE_ERRORS, reraise
from ._in_flight import with_slot
from ._native import Engine, EngineOptions, Harness, load_engine, parse_harness
from ._native import ensure_opa as _ensure_opa
from ._native import export_bundle as _export_bundle

if sys.version_info >= (3, 10):
    from typing import Concatenate, ParamSpec
else:
    from typing_extensions import Concatenate, ParamSpec

Event = Mapping[str, Any]
"""A hook event as a JSON-ready mapping."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def engine_options(
    harness: str | Harness = "claude",
    opa_path: str | os.PathLike[str] | None = None,
    timeout_ms: int | None = None,
    memory_limit_bytes: int | None = None,
    global_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download_opa: bool = False,
) -> EngineOptions:
    """The generated ``EngineOptions`` from the facade's keyword arguments: a harness name is
    parsed by the core (``ValueError`` if it refuses it) and paths may be ``os.PathLike``."""
    if isinstance(harness, str):
        # The core parses names, so Python accepts exactly what the CLI and Node accept.
        try:
            harness = parse_harness(harness)
        except NATIVE_ERRORS as err:
            raise ValueError(str(err)) from None
    return EngineOptions(
        harness=harness,
        opa_path=None if opa_path is None else os.fspath(opa_path),
        timeout_ms=timeout_ms,
        memory_limit_bytes=memory_limit_bytes,
        global_dir=None if global_dir is None else os.fspath(global_dir),
        cache_dir=None if cache_dir is None else os.fspath(cache_dir),
        download_opa=download_opa,
    )


class _Loader(Generic[_P, _R]):
    """Makes a loading method callable on the class as well as on an instance.

    ``Cupcake.init(path)`` creates a Cupcake and loads it; ``holder.init(path)`` (re)loads that
    holder. Both return the loaded holder, so either form works in a ``with`` statement.
    """

    def __init__(self, load: Callable[Concatenate[Cupcake, _P], _R]) -> None:
        self._load = load
        self.__doc__ = load.__doc__
        signature = inspect.signature(load)
        # What the bound method shows to inspect and help(): the signature without `self`.
        self._signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        self._is_async = inspect.iscoroutinefunction(load)

    def __get__(self, holder: Cupcake | None, owner: type[Cupcake]) -> Callable[_P, _R]:
        load = self._load

        def bound(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            return load(owner() if holder is None else holder, *args, **kwargs)

        async def bound_async(*args: _P.args, **kwargs: _P.kwargs) -> Any:
            return await cast(Awaitable[Any], bound(*args, **kwargs))

        # An async loader stays a coroutine function, for inspect and for frameworks.
        method = cast(Callable[_P, _R], bound_async) if self._is_async else bound
        method.__name__ = load.__name__
        method.__qualname__ = load.__qualname__
        method.__doc__ = load.__doc__
        method.__signature__ = self._signature  # type: ignore[attr-defined]
        return method


class Cupcake:
    """A loaded policy set that takes hook events as dicts.

    Load it once with :meth:`init` (or :meth:`init_async`), then call :meth:`eval` as often as
    needed, from any number of threads or tasks. Used as a context manager (``with
    Cupcake.init(path) as engine:``) it is closed on exit, after which evaluating raises
    ``RuntimeError``.
    """

    def __init__(self) -> None:
        # The engine and the harness it was loaded for, replaced together by one assignment.
        self._loaded: tuple[Engine, Harness] | None = None
        self._closed = False

    @_Loader
    def init(
        self,
        path: str | os.PathLike[str] = ".cupcake",
        harness: str | Harness = "claude",
        opa_path: str | os.PathLike[str] | None = None,
        timeout_ms: int | None = None,
        memory_limit_bytes: int | None = None,
        global_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        bundle: str | os.PathLike[str] | None = None,
        download_opa: bool = False,
    ) -> Cupcake:
        """Loads and compiles the policies found from ``path`` (a ``.cupcake`` directory or the
        project that contains it), blocking until done, and returns the loaded Cupcake.

        On the class, ``Cupcake.init(...)`` makes a new Cupcake; on an instance it replaces that
        instance's policies. With ``bundle`` (a file written by :func:`export_bundle` or
        ``cupcake compile``), loads that instead of ``path``; no OPA is needed. With
        ``download_opa``, a missing OPA is fetched (checksum-verified) into the cache directory.
        """
        options = engine_options(
            harness, opa_path, timeout_ms, memory_limit_bytes, global_dir, cache_dir, download_opa
        )
        try:
            if bundle is not None:
                engine = Engine.from_bundle(os.fspath(bundle), options)
            else:
                engine = Engine(os.fspath(path), options)
        except NATIVE_ERRORS as error:
            reraise(error)
        self._set(engine, options.harness)
        return self

    @_Loader
    async def init_async(
        self,
        path: str | os.PathLike[str] = ".cupcake",
        harness: str | Harness = "claude",
        opa_path: str | os.PathLike[str] | None = None,
        timeout_ms: int | None = None,
        memory_limit_bytes: int | None = None,
        global_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        bundle: str | os.PathLike[str] | None = None,
        download_opa: bool = False,
    ) -> Cupcake:
        """Like :meth:`init`, but compiles on cupcake's thread pool without blocking the event
        loop. ``async with await Cupcake.init_async(path) as engine:`` closes it on exit."""
        options = engine_options(
            harness, opa_path, timeout_ms, memory_limit_bytes, global_dir, cache_dir, download_opa
        )
        try:
            if bundle is not None:
                engine = await asyncio.to_thread(Engine.from_bundle, os.fspath(bundle), options)
            else:
                engine = await with_slot(lambda: load_engine(os.fspath(path), options))
        except NATIVE_ERRORS as error:
            reraise(error)
        self._set(engine, options.harness)
        return self

    def _set(self, engine: Engine, harness: Harness) -> None:
        self._loaded = (engine, harness)
        self._closed = False

    def _require(self) -> tuple[Engine, Harness]:
        loaded = self._loaded
        if loaded is None:
            if self._closed:
                raise RuntimeError("this Cupcake is closed: load policies again with init()")
            raise RuntimeError("cupcake is not initialised: call init() or init_async() first")
        return loaded

    @property
    def engine(self) -> Engine:
        """The generated engine, for the raw JSON-text API; ``RuntimeError`` unless loaded."""
        return self._require()[0]

    @property
    def harness(self) -> Harness:
        """The harness the policies were loaded for; ``RuntimeError`` unless loaded."""
        return self._require()[1]

    @property
    def closed(self) -> bool:
        """True after :meth:`close`, until the next :meth:`init`."""
        return self._closed

    def eval(self, event: Event) -> Decision:
        """Evaluates one hook event; the GIL is released while Rust works."""
        engine = self.engine
        try:
            return from_native(engine.evaluate(json.dumps(event)))
        except NATIVE_ERRORS as error:
            reraise(error)

    async def eval_async(self, event: Event) -> Decision:
        """Evaluates one hook event on cupcake's thread pool, leaving the event loop free."""
        engine = self.engine
        try:
            payload = json.dumps(event)
            return from_native(await with_slot(lambda: engine.evaluate_async(payload)))
        except NATIVE_ERRORS as error:
            reraise(error)

    def close(self) -> None:
        """Drops this holder's engine; evaluations already running finish normally. The native
        engine is freed once no evaluation uses it."""
        self._loaded = None
        self._closed = True

    def __enter__(self) -> Cupcake:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Cupcake:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def export_bundle(
    path: str | os.PathLike[str],
    options: EngineOptions | None = None,
    output: str | os.PathLike[str] = "cupcake.bundle",
) -> None:
    """Compiles the policies found from ``path`` (and ``options.global_dir``) with OPA into a
    bundle file at ``output``, which ``Cupcake.init(bundle=...)`` loads without OPA. Without
    ``options``, the defaults of :func:`engine_options` apply."""
    try:
        _export_bundle(os.fspath(path), options or EngineOptions(), os.fspath(output))
    except NATIVE_ERRORS as error:
        reraise(error)


def ensure_opa(
    opa_path: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download_opa: bool = False,
) -> str:
    """Finds the OPA binary :meth:`Cupcake.init` would compile with (``opa_path``, else
    ``PATH``, else cupcake's cache directory, else, with ``download_opa``, a verified download)
    and returns its path, so a hook can fetch OPA ahead of its first call. Raises
    :class:`OpaNotFoundError` if there is none."""
    options = engine_options(opa_path=opa_path, cache_dir=cache_dir, download_opa=download_opa)
    try:
        return _ensure_opa(options)
    except NATIVE_ERRORS as error:
        reraise(error)


DEFAULT = Cupcake()
"""The Cupcake behind the module-level ``cupcake.init``, ``cupcake.eval`` and ``cupcake.guard``."""
