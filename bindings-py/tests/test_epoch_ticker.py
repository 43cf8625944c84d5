"""The thread that enforces evaluation deadlines runs only while policy code does: an idle
engine in a long-lived program does not wake the process every tick, and deadlines still fire
the next time an evaluation runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import cupcake

from conftest import repo_path

TASKS = Path("/proc/self/task")


def ticker_wakeups() -> int:
    """How often the ticker thread has gone to sleep and woken since it started. The test
    suites run on Linux; without /proc this fails rather than skipping, since a skipped check
    proves nothing."""
    for task in TASKS.iterdir():
        try:
            if (task / "comm").read_text().strip() != "cupcake-epoch":
                continue
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
        except OSError:
            continue
    raise AssertionError("no cupcake-epoch thread in this process")


def test_the_ticker_sleeps_while_no_policy_runs_and_deadlines_still_fire() -> None:
    engine = cupcake.Cupcake.init(repo_path("tests", "fixtures", "limits"), timeout_ms=50)
    fine = {"hook_event_name": "PreToolUse", "tool_name": "Fine"}
    assert engine.eval(fine).reason == "ordinary decision"
    before = ticker_wakeups()
    time.sleep(0.4)
    # A ticker that kept ticking would have woken about 200 times.
    assert ticker_wakeups() - before <= 2
    with pytest.raises(cupcake.LimitExceededError):
        engine.eval({"hook_event_name": "PreToolUse", "tool_name": "Loop"})
    assert engine.eval(fine).reason == "ordinary decision"
    before = ticker_wakeups()
    time.sleep(0.4)
    assert ticker_wakeups() - before <= 2
