"""The idiomatic layer of the Python package: Decision helpers, the exception classes (each
raised for real where a fixture can cause it) and the engine's lifetime as a context manager."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import inspect
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

import cupcake
from cupcake import _native

from conftest import repo_path

PROJECT = repo_path("examples", "project")
INPUT_ERRORS = repo_path("tests", "conformance", "input_errors")
FORBIDDEN = {"hook_event_name": "PreToolUse", "tool_name": "Forbidden"}


def bash(command: str) -> dict[str, Any]:
    return {
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
    }


# Facade class, generated variant it extends.
ERRORS: dict[type[cupcake.CupcakeError], str] = {
    cupcake.ConfigError: "Config",
    cupcake.OpaNotFoundError: "OpaNotFound",
    cupcake.PolicyCompileError: "PolicyCompile",
    cupcake.UnsupportedBuiltinError: "UnsupportedBuiltin",
    cupcake.InvalidInputError: "InvalidInput",
    cupcake.EvaluationError: "Evaluation",
    cupcake.LimitExceededError: "LimitExceeded",
    cupcake.InternalError: "Internal",
}


@pytest.fixture(scope="module")
def project() -> cupcake.Cupcake:
    return cupcake.Cupcake.init(PROJECT)


E = TypeVar("E", bound=cupcake.CupcakeError)


def raised(call: Callable[[], object], expected: type[E]) -> E:
    """Runs `call`, checks it raised exactly `expected` (and no other kind), chained to the
    generated error of the same kind with the same message, path and line, and returns it."""
    variant: type[Exception] = getattr(_native.CupcakeError, ERRORS[expected])
    with pytest.raises(cupcake.CupcakeError) as info:
        call()
    error = info.value
    assert type(error) is expected and isinstance(error, variant)
    assert not any(isinstance(error, other) for other in ERRORS if other is not expected)
    cause = error.__cause__
    assert type(cause) is variant
    assert str(error) == error.message == getattr(cause, "message") and str(error)
    assert (error.path, error.line) == (getattr(cause, "path", None), getattr(cause, "line", None))
    assert isinstance(error, expected)
    return error


# Decision


def test_decision_helpers_for_every_kind() -> None:
    proceeds = {cupcake.DecisionKind.ALLOW, cupcake.DecisionKind.MODIFY}
    stops = {cupcake.DecisionKind.HALT, cupcake.DecisionKind.DENY, cupcake.DecisionKind.BLOCK}
    for kind in cupcake.DecisionKind:
        decision = cupcake.Decision(
            kind=kind,
            reason="",
            context=[],
            agent_messages=[],
            rule_ids=[],
            updated_input=None,
            response="{}",
            stderr="",
            exit_code=0,
        )
        assert decision.allowed is (kind in proceeds), kind
        assert decision.blocked is (kind in stops), kind
    # Ask is the one kind that is neither: it waits for a person.
    assert not ({cupcake.DecisionKind.ASK} & (proceeds | stops))


def test_decisions_from_the_engine(project: cupcake.Cupcake) -> None:
    denied = project.eval(bash("rm -rf build"))
    assert (denied.kind, denied.blocked, denied.allowed) == (cupcake.DecisionKind.DENY, True, False)
    asked = project.eval(bash("git push origin main"))
    assert (asked.kind, asked.blocked, asked.allowed) == (cupcake.DecisionKind.ASK, False, False)
    modified = project.eval(bash("npm install"))
    assert (modified.kind, modified.allowed) == (cupcake.DecisionKind.MODIFY, True)
    allowed = project.eval(bash("ls"))
    assert (allowed.kind, allowed.allowed, allowed.blocked) == (
        cupcake.DecisionKind.ALLOW,
        True,
        False,
    )


def test_to_dict_parses_the_json_fields(project: cupcake.Cupcake) -> None:
    decision = project.eval(bash("npm install"))
    as_dict = decision.to_dict()
    assert as_dict == {
        "kind": "modify",
        "reason": "Installs use the lockfile",
        "context": [],
        "agent_messages": [],
        "rule_ids": ["SHELL-NPM-CI"],
        "updated_input": {"command": "npm ci"},
        "response": json.loads(decision.response),
        "stderr": "",
        "exit_code": 0,
    }
    assert as_dict["response"]["hookSpecificOutput"]["updatedInput"] == {"command": "npm ci"}
    assert json.loads(json.dumps(as_dict)) == as_dict
    prompt = project.eval({"hook_event_name": "UserPromptSubmit", "prompt": "hi"}).to_dict()
    assert (prompt["kind"], prompt["updated_input"]) == ("allow", None)
    assert prompt["context"] == ["This repository's tests run with `bash ci/test.sh`."]


def test_decision_is_a_frozen_value(project: cupcake.Cupcake) -> None:
    decision = project.eval(bash("rm -rf build"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.reason = "let it through"  # type: ignore[misc]
    assert not hasattr(decision, "__dict__")
    assert copy.copy(decision) == decision == copy.deepcopy(decision)
    assert pickle.loads(pickle.dumps(decision)) == decision
    assert decision == project.eval(bash("rm -rf build"))


# Errors


def test_error_classes_extend_the_generated_variants() -> None:
    for facade, variant in ERRORS.items():
        assert issubclass(facade, cupcake.CupcakeError)
        assert issubclass(facade, getattr(cupcake.CupcakeError, variant))
        assert facade.__name__ == f"{variant}Error"
        assert facade.__doc__
        assert repr(facade("what failed")) == f"{variant}Error('what failed')"
    assert not issubclass(cupcake.Denied, cupcake.CupcakeError)


def test_every_generated_error_is_translated() -> None:
    """The translation table covers every variant, and a Rust panic (the generated module's
    own InternalError, not a CupcakeError) becomes a CupcakeError too."""
    from cupcake import _errors

    located = {"Config": ("/p",), "PolicyCompile": ("/p/a.rego", 7)}
    for facade, variant in ERRORS.items():
        fields = located.get(variant, ())
        original = getattr(_native.CupcakeError, variant)("what failed", *fields)
        with pytest.raises(facade, match="^what failed$") as info:
            _errors.reraise(original)
        assert info.value.__cause__ is original
        assert (info.value.path, info.value.line) == (fields + (None, None))[:2]
    panic = _native.InternalError("panicked")
    with pytest.raises(cupcake.InternalError, match="^panicked$"):
        _errors.reraise(panic)


def test_missing_directory_is_config_error() -> None:
    error = raised(
        lambda: cupcake.Cupcake.init(repo_path("no", "such", "dir")), cupcake.ConfigError
    )
    assert "does not exist" in str(error)


def test_missing_bundle_is_config_error(tmp_path: Path) -> None:
    error = raised(
        lambda: cupcake.Cupcake.init(bundle=tmp_path / "missing.bundle"), cupcake.ConfigError
    )
    assert "cupcake compile" in str(error)


def test_missing_opa_is_opa_not_found_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-opa"
    error = raised(
        lambda: cupcake.Cupcake.init(INPUT_ERRORS, opa_path=missing), cupcake.OpaNotFoundError
    )
    assert str(missing) in str(error)


def test_export_bundle_errors_are_translated(tmp_path: Path) -> None:
    options = cupcake.EngineOptions(
        harness=cupcake.Harness.CLAUDE,
        opa_path=str(tmp_path / "no-opa"),
        timeout_ms=None,
        memory_limit_bytes=None,
        global_dir=None,
        cache_dir=str(tmp_path / "cache"),
    )
    out = str(tmp_path / "out.bundle")
    raised(lambda: cupcake.export_bundle(PROJECT, options, out), cupcake.OpaNotFoundError)


def test_rego_syntax_error_is_policy_compile_error() -> None:
    broken = repo_path("tests", "conformance", "compile_error")
    error = raised(lambda: cupcake.Cupcake.init(broken), cupcake.PolicyCompileError)
    assert "broken.rego:13" in str(error)
    assert error.path is not None and error.path.endswith("broken.rego"), error.path
    assert error.line == 13


def test_errors_carry_path_and_line_from_a_relative_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_path("tests", "conformance"))
    error = raised(lambda: cupcake.Cupcake.init("compile_error"), cupcake.PolicyCompileError)
    assert error.path is not None and error.path.endswith("broken.rego"), error.path
    assert error.line == 13
    monkeypatch.chdir(tmp_path)
    missing = raised(lambda: cupcake.Cupcake.init("no-such-dir"), cupcake.ConfigError)
    assert missing.path is not None and missing.path.endswith("no-such-dir"), missing.path
    assert missing.line is None
    # Kinds with no file at fault say so with None, not a missing attribute.
    engine = cupcake.Cupcake.init(INPUT_ERRORS)
    bad_input = raised(lambda: engine.eval({"tool_name": "Bash"}), cupcake.InvalidInputError)
    assert (bad_input.path, bad_input.line) == (None, None)


def test_unsupported_builtin_error_names_the_builtin() -> None:
    policies = repo_path("tests", "fixtures", "unsupported_builtin")
    error = raised(lambda: cupcake.Cupcake.init(policies), cupcake.UnsupportedBuiltinError)
    assert "http.send" in str(error)


def test_invalid_input_errors_and_the_engine_keeps_working() -> None:
    engine = cupcake.Cupcake.init(INPUT_ERRORS)
    raised(lambda: engine.eval(["PreToolUse"]), cupcake.InvalidInputError)  # type: ignore[arg-type]
    error = raised(lambda: engine.eval({"tool_name": "Bash"}), cupcake.InvalidInputError)
    assert "hook_event_name" in str(error)
    assert engine.eval(FORBIDDEN).reason == "denied"


def test_bad_builtin_operand_is_evaluation_error() -> None:
    engine = cupcake.Cupcake.init(repo_path("tests", "conformance", "builtins"))
    event = {
        "hook_event_name": "UserPromptSubmit",
        "prompt": "mail bob@example.com about 12 or 345 or 6",
        "csv": "a , b,c ,d",
        "when": "not a time",
    }
    error = raised(lambda: engine.eval(event), cupcake.EvaluationError)
    assert "time.parse_rfc3339_ns" in str(error)


def test_deadline_is_limit_exceeded_error() -> None:
    engine = cupcake.Cupcake.init(repo_path("tests", "fixtures", "limits"), timeout_ms=50)
    loop = {"hook_event_name": "PreToolUse", "tool_name": "Loop"}
    raised(lambda: engine.eval(loop), cupcake.LimitExceededError)
    fine = {"hook_event_name": "PreToolUse", "tool_name": "Fine"}
    assert engine.eval(fine).reason == "ordinary decision"


def test_async_errors_are_translated() -> None:
    async def load_missing() -> None:
        await cupcake.Cupcake.init_async(repo_path("no", "such", "dir"))

    async def evaluate_text_list() -> None:
        engine = await cupcake.Cupcake.init_async(INPUT_ERRORS)
        await engine.eval_async(["PreToolUse"])  # type: ignore[arg-type]

    raised(lambda: asyncio.run(load_missing()), cupcake.ConfigError)
    raised(lambda: asyncio.run(evaluate_text_list()), cupcake.InvalidInputError)


def test_the_generated_layer_keeps_its_own_classes() -> None:
    """Engine is the generated class: it raises the generated variants, not facade classes;
    native_kind names their kind."""
    engine = cupcake.Cupcake.init(INPUT_ERRORS).engine
    with pytest.raises(_native.CupcakeError.InvalidInput) as info:  # type: ignore[attr-defined]
        engine.evaluate("")
    assert not isinstance(info.value, cupcake.CupcakeError)
    assert cupcake.native_kind(info.value) == "InvalidInput"
    assert cupcake.native_kind(ValueError("x")) is None


def test_the_facade_hierarchy() -> None:
    """One base, one subclass per kind with its `kind`, the generated spelling naming the same
    classes, and the generated variant still a base at run time."""
    for facade, variant in ERRORS.items():
        assert issubclass(facade, cupcake.CupcakeError)
        assert facade.kind == variant
        assert getattr(cupcake.CupcakeError, variant) is facade
        assert issubclass(facade, getattr(_native.CupcakeError, variant))
        error = facade("what failed")
        assert repr(error) == f"{facade.__name__}('what failed')"
        assert isinstance(error, Exception) and not isinstance(error, tuple(set(ERRORS) - {facade}))
    assert cupcake.CupcakeError.kind == ""


# Lifetime


def test_init_on_the_class_and_on_an_instance() -> None:
    made = cupcake.Cupcake.init(INPUT_ERRORS)
    assert isinstance(made, cupcake.Cupcake) and made.eval(FORBIDDEN).reason == "denied"
    holder = cupcake.Cupcake()
    assert holder.init(INPUT_ERRORS, harness="cursor") is holder
    assert holder.harness is cupcake.Harness.CURSOR
    assert cupcake.Cupcake.init.__name__ == "init"
    assert list(inspect.signature(cupcake.Cupcake.init).parameters)[:2] == ["path", "harness"]


def test_context_manager_closes_the_engine() -> None:
    with cupcake.Cupcake.init(INPUT_ERRORS) as engine:
        assert not engine.closed
        assert engine.eval(FORBIDDEN).reason == "denied"
    assert engine.closed
    with pytest.raises(RuntimeError, match="closed"):
        engine.eval(FORBIDDEN)
    with pytest.raises(RuntimeError, match="closed"):
        _ = engine.engine
    # Loading again reopens it.
    assert engine.init(INPUT_ERRORS).eval(FORBIDDEN).reason == "denied"
    assert not engine.closed


def test_context_manager_closes_on_an_exception() -> None:
    holder = cupcake.Cupcake()
    with pytest.raises(KeyError):
        with holder.init(INPUT_ERRORS):
            raise KeyError("boom")
    assert holder.closed


def test_async_context_manager() -> None:
    async def scenario() -> cupcake.Cupcake:
        async with await cupcake.Cupcake.init_async(INPUT_ERRORS) as engine:
            assert (await engine.eval_async(FORBIDDEN)).reason == "denied"
        with pytest.raises(RuntimeError, match="closed"):
            await engine.eval_async(FORBIDDEN)
        return engine

    assert asyncio.run(scenario()).closed


def test_uninitialised_is_not_closed() -> None:
    holder = cupcake.Cupcake()
    assert not holder.closed
    with pytest.raises(RuntimeError, match="init"):
        _ = holder.harness
