"""Generated events through the binding: whatever a Python caller passes (any JSON-shaped dict,
any text), the call returns a Decision or raises one of cupcake's typed errors, never another
exception or a crash; the same event decides the same way twice and on both call styles.
Policy semantics are the Rust suite's; these only check what crosses the language boundary.

Examples are derandomised and nothing is stored (no ``.hypothesis/`` directory), so a run is
reproducible and leaves the tree clean.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cupcake
from cupcake import _native

from conftest import repo_path

EXAMPLES = settings(max_examples=60, deadline=None, database=None, derandomize=True)

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_names = st.sampled_from(["PreToolUse", "UserPromptSubmit", "PostToolUse", "Stop", ""]) | st.text()
_commands = st.sampled_from(["rm -rf /", "rm   -rf\tbuild", "npm install", "ls"]) | st.text()

# Events shaped like the real thing (routed, so the policies run), with any values inside.
_events = st.fixed_dictionaries(
    {"hook_event_name": _names},
    optional={
        "tool_name": st.sampled_from(["Bash", "Write"]) | st.text(),
        "tool_input": st.fixed_dictionaries({}, optional={"command": _commands}) | _json,
        "prompt": st.text(),
        "cwd": st.text(),
        "extra": _json,
    },
)


@pytest.fixture(scope="module")
def engine() -> cupcake.Cupcake:
    return cupcake.Cupcake.init(repo_path("tests", "conformance", "verbs"))


def _outcome(call: Any) -> tuple[str, Any]:
    """What a call gave, in a comparable form: the decision, or the error's class and text."""
    try:
        decision = call()
    except cupcake.CupcakeError as error:
        return ("error", (type(error).__name__, str(error)))
    return ("decision", decision)


@EXAMPLES
@given(event=_events)
def test_any_event_decides_or_raises_a_typed_error(engine: cupcake.Cupcake, event: Any) -> None:
    first = _outcome(lambda: engine.eval(event))
    if first[0] == "decision":
        decision = first[1]
        assert isinstance(decision, cupcake.Decision)
        assert isinstance(json.loads(decision.response), dict)
    assert _outcome(lambda: engine.eval(event)) == first
    assert _outcome(lambda: asyncio.run(engine.eval_async(event))) == first


@EXAMPLES
@given(value=_json)
def test_any_json_value_decides_or_raises_a_typed_error(engine: cupcake.Cupcake, value: Any) -> None:
    kind, _ = _outcome(lambda: engine.eval(value))
    assert kind in ("decision", "error")


@EXAMPLES
@given(text=st.text())
def test_any_text_through_the_generated_engine(engine: cupcake.Cupcake, text: str) -> None:
    # st.text() holds no lone surrogates, so every example reaches Rust (test_bad_input.py
    # covers the ones that cannot).
    try:
        decision = engine.engine.evaluate(text)
    except _native.CupcakeError:
        return
    assert isinstance(decision.kind, cupcake.DecisionKind)
