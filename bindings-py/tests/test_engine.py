"""Binding behaviour of the Python package: types, exceptions, the facade and async loading.
Policy semantics are tested by the shared conformance cases, not here."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
from typing import Any

import pytest

import cupcake

from conftest import repo_path

POLICIES = repo_path("tests", "conformance", "input_errors")
FORBIDDEN = {"hook_event_name": "PreToolUse", "tool_name": "Forbidden"}
HARMLESS = {"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {}}
VARIANTS = [
    "InvalidInput",
    "Config",
    "OpaNotFound",
    "PolicyCompile",
    "UnsupportedBuiltin",
    "Evaluation",
    "LimitExceeded",
    "Internal",
]


@pytest.fixture(scope="module")
def engine() -> cupcake.Cupcake:
    loaded = cupcake.Cupcake()
    loaded.init(POLICIES)
    return loaded


def raised(call: Any, variant: str) -> cupcake.CupcakeError:
    """Runs `call`, checks it raised exactly CupcakeError.<variant>, and returns the error."""
    with pytest.raises(getattr(cupcake.CupcakeError, variant)) as info:
        call()
    error = info.value
    assert isinstance(error, cupcake.CupcakeError)
    assert type(error).__name__ == variant
    others = [name for name in VARIANTS if name != variant]
    assert not any(isinstance(error, getattr(cupcake.CupcakeError, name)) for name in others)
    assert isinstance(str(error), str) and str(error)
    return error


def test_version_matches_the_distribution() -> None:
    assert cupcake.version() == importlib.metadata.version("cupcake")


def test_every_error_variant_subclasses_cupcake_error() -> None:
    assert issubclass(cupcake.CupcakeError, Exception)
    for name in VARIANTS:
        assert issubclass(getattr(cupcake.CupcakeError, name), cupcake.CupcakeError)


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
    with pytest.raises(ValueError, match="windsurf"):
        loaded.init(POLICIES, harness="windsurf")


def test_invalid_json_then_the_engine_keeps_working(engine: cupcake.Cupcake) -> None:
    raised(lambda: engine.engine.evaluate('{"hook_event_name": '), "InvalidInput")
    assert engine.eval(FORBIDDEN).kind is cupcake.DecisionKind.DENY


def test_non_object_event(engine: cupcake.Cupcake) -> None:
    raised(lambda: engine.eval(["PreToolUse"]), "InvalidInput")  # type: ignore[arg-type]
    assert engine.eval(HARMLESS).kind is cupcake.DecisionKind.ALLOW


def test_missing_directory_is_config() -> None:
    error = raised(lambda: cupcake.Cupcake().init(repo_path("no", "such", "dir")), "Config")
    assert "does not exist" in str(error)


def test_missing_opa_is_opa_not_found(tmp_path: Any) -> None:
    missing = str(tmp_path / "no-opa")
    error = raised(lambda: cupcake.Cupcake().init(POLICIES, opa_path=missing), "OpaNotFound")
    assert missing in str(error)


def test_syntax_error_is_policy_compile_with_file_and_line(engine: cupcake.Cupcake) -> None:
    broken = repo_path("tests", "conformance", "compile_error")
    error = raised(lambda: cupcake.Cupcake().init(broken), "PolicyCompile")
    assert "broken.rego:13" in str(error)
    assert engine.eval(FORBIDDEN).kind is cupcake.DecisionKind.DENY


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


def test_async_errors_are_typed() -> None:
    async def load_missing() -> None:
        await cupcake.Cupcake().init_async(repo_path("no", "such", "dir"))

    raised(lambda: asyncio.run(load_missing()), "Config")
    loaded = cupcake.Cupcake()
    asyncio.run(loaded.init_async(POLICIES))
    raised(lambda: asyncio.run(loaded.engine.evaluate_async("")), "InvalidInput")


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
