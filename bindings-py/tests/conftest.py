"""Shared helpers: where the repository's shared test data lives, and a slow-policy engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cupcake

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE_DIR = REPO_ROOT / "tests" / "conformance"
FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures"


def repo_path(*parts: str) -> str:
    """An absolute path inside the repository, as the string the engine takes."""
    return str(REPO_ROOT.joinpath(*parts))


def slow_event(n: int) -> dict[str, Any]:
    """An event the slow fixture denies after about n / 1,000,000 seconds of wasm work."""
    return {"hook_event_name": "PreToolUse", "tool_name": "Slow", "tool_input": {"n": n}}


# The slow fixture's answer for slow_event(300_000): multiples of 7 below 300,000.
SLOW_REASON = "counted 42857"


@pytest.fixture(scope="session")
def slow_cupcake() -> cupcake.Cupcake:
    """A Cupcake over tests/fixtures/slow, with a deadline generous enough for slow events."""
    engine = cupcake.Cupcake()
    engine.init(repo_path("tests", "fixtures", "slow"), timeout_ms=5000)
    return engine
