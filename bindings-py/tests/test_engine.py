"""Binding behaviour of the Python package: types, the facade, async loading and bundles.
Errors, Decision helpers and the context manager are in test_api.py, the guard decorator in
test_guard.py; policy semantics are tested by the shared conformance cases, not here."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

import cupcake

from conftest import repo_path

POLICIES = repo_path("tests", "conformance", "input_errors")
FORBIDDEN = {"hook_event_name": "PreToolUse", "tool_name": "Forbidden"}
HARMLESS = {"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {}}


@pytest.fixture(scope="module")
def engine() -> cupcake.Cupcake:
    loaded = cupcake.Cupcake()
    loaded.init(POLICIES)
    return loaded


def test_version_matches_the_distribution() -> None:
    # The distribution's name lives in pyproject.toml only (PyPI's `cupcake` is another project).
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    distribution = tomllib.loads(pyproject.read_text())["project"]["name"]
    assert distribution != "cupcake"
    assert cupcake.version() == importlib.metadata.version(distribution) == cupcake.__version__


def test_decision_types(engine: cupcake.Cupcake) -> None:
    decision = engine.eval(FORBIDDEN)
    assert isinstance(decision, cupcake.Decision)
    assert decision.kind is cupcake.DecisionKind.DENY
    assert (decision.reason, decision.rule_ids, decision.context) == ("denied", ["ANY"], [])
    assert decision.updated_input is None
    assert isinstance(json.loads(decision.response), dict)
    assert engine.engine.harness() is cupcake.Harness.CLAUDE


def test_harness_names_map_to_the_enum() -> None:
    loaded = cupcake.Cupcake()
    loaded.init(POLICIES, harness="cursor")
    assert loaded.engine.harness() is cupcake.Harness.CURSOR
    loaded.init(POLICIES, harness=cupcake.Harness.CLAUDE)
    assert loaded.engine.harness() is cupcake.Harness.CLAUDE
    with pytest.raises(ValueError, match="aider"):
        loaded.init(POLICIES, harness="aider")


def test_harness_names_are_the_clis() -> None:
    # The core parses names: every spelling `cupcake eval --harness` takes works here too.
    loaded = cupcake.Cupcake()
    for name in ("claude-code", "claude_code", "Claude"):
        loaded.init(POLICIES, harness=name)
        assert loaded.engine.harness() is cupcake.Harness.CLAUDE
    with pytest.raises(ValueError, match="expected one of claude .also claude-code, claude_code., cursor"):
        loaded.init(POLICIES, harness="aider")


def test_eval_before_init_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="init"):
        cupcake.Cupcake().eval(FORBIDDEN)


def test_module_level_api() -> None:
    cupcake.init(POLICIES)
    assert cupcake.eval(FORBIDDEN).reason == "denied"
    assert cupcake.eval(HARMLESS).kind is cupcake.DecisionKind.ALLOW


def test_async_api() -> None:
    async def scenario() -> tuple[cupcake.Decision, cupcake.Decision]:
        loaded = cupcake.Cupcake()
        await loaded.init_async(POLICIES)
        await cupcake.init_async(POLICIES)
        return await loaded.eval_async(FORBIDDEN), await cupcake.eval_async(HARMLESS)

    denied, allowed = asyncio.run(scenario())
    assert (denied.kind, denied.rule_ids) == (cupcake.DecisionKind.DENY, ["ANY"])
    assert allowed.kind is cupcake.DecisionKind.ALLOW


def test_bundle_round_trip(tmp_path: Any) -> None:
    """A bundle exported from Python loads through the facade without compiling again."""
    bundle = tmp_path / "policies.bundle"
    options = cupcake.EngineOptions(
        harness=cupcake.Harness.CLAUDE,
        opa_path=None,
        timeout_ms=None,
        memory_limit_bytes=None,
        global_dir=None,
        cache_dir=str(tmp_path / "cache"),
    )
    cupcake.export_bundle(repo_path("examples", "project"), options, str(bundle))
    engine = cupcake.Cupcake()
    engine.init(bundle=bundle, opa_path="/no/such/opa", cache_dir=tmp_path / "cache")
    event = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}
    assert engine.eval(event).kind == cupcake.DecisionKind.DENY
    with pytest.raises(cupcake.CupcakeError.Config, match="cupcake compile"):
        engine.init(bundle=tmp_path / "missing.bundle")
