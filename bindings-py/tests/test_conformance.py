"""Runs the shared conformance cases (tests/conformance/<area>/cases.json) through the raw
generated Engine: one test per case, named by its note, with one engine per area.

Skips live in conformance_skips.json as {"<note>": {"reason": "...", "issue": "..."}}; a skip
without a reason, or for a note that no longer exists, fails the run.

A case may build its event from ``input_parts`` (``[text, n]`` pairs, for inputs too large to
store) or carry ``load`` instead of an event (load another engine and expect ``want_error``); an
area's ``follow_up`` event runs on the area's engine after every case. See the Rust runner,
core/tests/it/conformance.rs, for the full description.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from cupcake._native import CupcakeError, Decision, Engine, EngineOptions, parse_harness

from conftest import CONFORMANCE_DIR

SKIPS: dict[str, Any] = json.loads((Path(__file__).parent / "conformance_skips.json").read_text())
AREAS = sorted(path.parent for path in CONFORMANCE_DIR.glob("*/cases.json"))


def _spec(area: Path) -> dict[str, Any]:
    # `$AREA` stands for the area's canonical path, so cases can name real files.
    text = (area / "cases.json").read_text(encoding="utf-8").replace("$AREA", str(area.resolve()))
    return json.loads(text)  # type: ignore[no-any-return]


def _options(area: Path, spec: dict[str, Any]) -> EngineOptions:
    global_dir = str(area / spec["global_dir"]) if "global_dir" in spec else None
    return EngineOptions(
        harness=parse_harness(spec["harness"]),
        opa_path=None,
        timeout_ms=None,
        memory_limit_bytes=None,
        global_dir=global_dir,
        cache_dir=None,
    )


@functools.cache
def _engine(area: Path) -> Engine:
    spec = _spec(area)
    # `policy_dir_relative`: load from that directory, spelled relative to the working directory.
    relative = spec.get("policy_dir_relative")
    path = str(area) if relative is None else os.path.relpath(area / relative)
    return Engine(path, _options(area, spec))


@functools.cache
def _unreadable_unsupported() -> str | None:
    """Why a mode-000 directory proves nothing here, or None. Root reads it anyway; the CLI
    suite (cli/tests/bad_input.rs) runs that case as an unprivileged user instead."""
    if os.name != "posix":
        return "this platform has no permission bits"
    with tempfile.TemporaryDirectory() as probe:
        os.chmod(probe, 0)
        try:
            os.listdir(probe)
        except PermissionError:
            return None
        finally:
            os.chmod(probe, 0o700)
    return "permission bits are not enforced for this user (root ignores them)"


def _load(area: Path, load: dict[str, Any]) -> Engine:
    options = _options(area, _spec(area))
    if not load.get("unreadable"):
        return Engine(load["policy_dir"], options)
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "policies", "claude"))
        os.chmod(root, 0)
        try:
            return Engine(root, options)
        finally:
            os.chmod(root, 0o700)


def _event(case: dict[str, Any]) -> str:
    if "input_text" in case:
        return str(case["input_text"])
    if "input_parts" in case:
        return "".join(text * count for text, count in case["input_parts"])
    return json.dumps(case["input"])


def _params() -> list[Any]:
    params = []
    for area in AREAS:
        spec = _spec(area)
        if "load_error" in spec:
            params.append(pytest.param(area, None, id=f"{area.name}/load-error"))
        for case in spec["cases"]:
            skip = SKIPS.get(case["note"])
            reason = skip.get("reason") if isinstance(skip, dict) else None
            if case.get("load", {}).get("unreadable"):
                reason = reason or _unreadable_unsupported()
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            params.append(pytest.param(area, case, id=case["note"], marks=marks))
    return params


PARAMS = _params()


def _check_error(error: CupcakeError, want: dict[str, Any]) -> None:
    assert type(error).__name__ == want["kind"], f"{type(error).__name__}: {str(error)}"
    assert want["contains"] in str(error)


def _check_result(decision: Decision, want: dict[str, Any]) -> None:
    got = {
        "kind": decision.kind.name.lower(),
        "reason": decision.reason,
        "context": decision.context,
        "agent_messages": decision.agent_messages,
        "rule_ids": decision.rule_ids,
        "updated_input": json.loads(decision.updated_input or "null"),
        "response": json.loads(decision.response),
        "exit_code": decision.exit_code,
        "stderr": decision.stderr,
    }
    expected = dict(want, **({"kind": want["kind"].lower()} if "kind" in want else {}))
    assert {key: got[key] for key in expected} == expected


def _run(area: Path, case: dict[str, Any]) -> None:
    if "load" in case:
        with pytest.raises(CupcakeError) as raised:
            _load(area, case["load"])
        _check_error(raised.value, case["want_error"])
        return
    event = _event(case)
    if "want_error" in case:
        with pytest.raises(CupcakeError) as raised:
            _engine(area).evaluate(event)
        _check_error(raised.value, case["want_error"])
    else:
        _check_result(_engine(area).evaluate(event), case["want_result"])


@pytest.mark.parametrize(("area", "case"), PARAMS)
def test_case(area: Path, case: dict[str, Any] | None) -> None:
    if case is None:
        with pytest.raises(CupcakeError) as raised:
            _engine(area)
        _check_error(raised.value, _spec(area)["load_error"])
        return
    _run(area, case)
    follow_up = _spec(area).get("follow_up")
    if follow_up is not None:
        # The same engine answers an ordinary event correctly after this case.
        _run(area, follow_up)


def test_skip_file_is_valid() -> None:
    notes = {param.id for param in PARAMS}
    for note, skip in SKIPS.items():
        assert note in notes, f"conformance_skips.json names an unknown case {note!r}"
        assert isinstance(skip, dict) and str(skip.get("reason", "")).strip(), (
            f"conformance_skips.json: the skip of {note!r} needs a reason"
        )
