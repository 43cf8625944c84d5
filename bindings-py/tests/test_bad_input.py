"""Bad input that only a Python caller can send: strings that are not Unicode scalar values, and
a harness the enum does not have. The shared matrix (tests/conformance/bad_input) runs in
test_conformance.py; here each rejection must be a typed error or a plain ValueError raised
before Rust is called, never a crash or an allow, and the engine must answer the next event.

What happens to a lone surrogate (``"\\ud800"`` in a ``str``):

- through the facade (``Cupcake.eval`` with a dict), ``json.dumps`` escapes it as ``\\ud800``
  and the engine rejects the JSON: ``InvalidInputError``;
- through the generated ``Engine.evaluate`` (JSON text), UniFFI encodes the ``str`` as UTF-8,
  which a lone surrogate cannot be: ``UnicodeEncodeError`` (a ``ValueError``), raised in Python
  before the call reaches Rust.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import cupcake
from cupcake import _native

from conftest import repo_path

BAD_INPUT = repo_path("tests", "conformance", "bad_input")
FORBIDDEN = {"hook_event_name": "PreToolUse", "tool_name": "Forbidden"}
SURROGATES = ["\ud800", "\udfff", "a\udc00b"]


@pytest.fixture(scope="module")
def engine() -> cupcake.Cupcake:
    return cupcake.Cupcake.init(BAD_INPUT)


def _answers(engine: cupcake.Cupcake) -> None:
    """The engine still decides an ordinary event correctly."""
    decision = engine.eval(FORBIDDEN)
    assert (decision.kind, decision.reason, decision.rule_ids) == (
        cupcake.DecisionKind.DENY,
        "ordinary decision",
        ["ORDINARY"],
    )


def _with(value: str) -> dict[str, Any]:
    return {**FORBIDDEN, "tool_input": {"command": value}}


@pytest.mark.parametrize("surrogate", SURROGATES)
def test_lone_surrogate_through_the_facade_is_invalid_input(
    engine: cupcake.Cupcake, surrogate: str
) -> None:
    with pytest.raises(cupcake.InvalidInputError, match="not valid JSON"):
        engine.eval(_with(surrogate))
    _answers(engine)
    with pytest.raises(cupcake.InvalidInputError, match="not valid JSON"):
        asyncio.run(engine.eval_async(_with(surrogate)))
    _answers(engine)


@pytest.mark.parametrize("surrogate", SURROGATES)
def test_lone_surrogate_in_raw_text_never_reaches_rust(
    engine: cupcake.Cupcake, surrogate: str
) -> None:
    # ensure_ascii=False keeps the surrogate itself in the text rather than an escape.
    text = json.dumps(_with(surrogate), ensure_ascii=False)
    with pytest.raises(UnicodeEncodeError):
        engine.engine.evaluate(text)
    _answers(engine)
    with pytest.raises(UnicodeEncodeError):
        asyncio.run(engine.engine.evaluate_async(text))
    _answers(engine)


def test_lone_surrogate_in_the_event_name_is_no_event(engine: cupcake.Cupcake) -> None:
    event = {**FORBIDDEN, "hook_event_name": "PreToolUse\ud800"}
    with pytest.raises(cupcake.InvalidInputError):
        engine.eval(event)
    with pytest.raises(UnicodeEncodeError):
        engine.engine.evaluate(json.dumps(event, ensure_ascii=False))
    _answers(engine)


def test_unknown_harness_is_refused_before_loading(engine: cupcake.Cupcake) -> None:
    with pytest.raises(ValueError, match="unknown harness 'aider'"):
        cupcake.Cupcake.init(BAD_INPUT, harness="aider")
    options = _native.EngineOptions(
        harness="aider",  # type: ignore[arg-type]
        opa_path=None,
        timeout_ms=None,
        memory_limit_bytes=None,
        global_dir=None,
        cache_dir=None,
    )
    with pytest.raises(ValueError):
        _native.Engine(BAD_INPUT, options)
    _answers(engine)


def test_event_of_the_wrong_type_is_refused(engine: cupcake.Cupcake) -> None:
    with pytest.raises(TypeError):
        engine.engine.evaluate(b'{"hook_event_name": "PreToolUse"}')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.eval({"hook_event_name": "PreToolUse", "x": object()})
    _answers(engine)
