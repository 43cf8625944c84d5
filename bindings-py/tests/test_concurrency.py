"""One engine serves many threads and tasks at once (SPEC §16). These tests prove overlap by
ordering events, never by timing thresholds: a thread that held the GIL through a slow call
would keep every other thread from even starting its own call."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import cupcake

from conftest import SLOW_REASON, repo_path, slow_event

THREADS = 4


def test_sync_calls_release_the_gil(slow_cupcake: cupcake.Cupcake) -> None:
    barrier = threading.Barrier(THREADS)
    intervals: list[tuple[float, float]] = []
    reasons: list[str] = []

    def worker() -> None:
        barrier.wait()
        start = time.perf_counter()
        decision = slow_cupcake.eval(slow_event(300_000))
        intervals.append((start, time.perf_counter()))
        reasons.append(decision.reason)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert reasons == [SLOW_REASON] * THREADS
    # Every call started before any call finished: all four were inside Rust at once.
    assert max(start for start, _ in intervals) < min(end for _, end in intervals)


def test_main_thread_runs_during_a_sync_call(slow_cupcake: cupcake.Cupcake) -> None:
    interval: list[float] = []

    def worker() -> None:
        interval.append(time.perf_counter())
        slow_cupcake.eval(slow_event(300_000))
        interval.append(time.perf_counter())

    thread = threading.Thread(target=worker)
    ticks = []
    thread.start()
    while thread.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    start, end = interval
    assert sum(start < tick < end for tick in ticks) >= 2


def test_async_eval_leaves_the_event_loop_free(slow_cupcake: cupcake.Cupcake) -> None:
    async def scenario() -> tuple[cupcake.Decision, float, float, list[float]]:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.001)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)  # the ticker is running before the evaluation starts
        start = time.perf_counter()
        decision = await slow_cupcake.eval_async(slow_event(300_000))
        end = time.perf_counter()
        done.set()
        await task
        return decision, start, end, ticks

    decision, start, end, ticks = asyncio.run(scenario())
    assert decision.reason == SLOW_REASON
    assert sum(start < tick < end for tick in ticks) >= 2
    # A call that blocked the loop would let the ticker run only after the work was done; the
    # ticker ran while the evaluation had barely begun.
    assert any(start < tick < (start + end) / 2 for tick in ticks)


# Stress: 1,000 evaluations at once on one engine, over a mix of events whose decisions are known.
# Events 4 and 6 of every 8 carry their index into the decision (a file path echoed in the reason
# or context), so a decision handed to the wrong caller is caught, not just a lost one.
STANDARD = repo_path("core", "benches", "standard")
STRESS_EVENTS = 1000


def stress_event(i: int) -> tuple[dict[str, Any], cupcake.DecisionKind, str | None]:
    """Event ``i`` of the mix, the kind it must get, and the marker its decision must carry."""
    kind = cupcake.DecisionKind
    base = {"session_id": f"stress-{i}", "cwd": "/work/app"}

    def tool(name: str, **tool_input: str) -> dict[str, Any]:
        return {
            **base,
            "hook_event_name": "PreToolUse",
            "tool_name": name,
            "tool_input": tool_input,
        }

    shape = i % 8
    if shape == 0:
        return tool("Bash", command=f"git status --short {i}"), kind.ALLOW, None
    if shape == 1:
        return tool("Bash", command=f"rm -rf build-{i}/"), kind.DENY, None
    if shape == 2:
        return tool("Bash", command=f"git push origin feature-{i}"), kind.ASK, None
    if shape == 3:
        return tool("Bash", command="npm install"), kind.MODIFY, None
    if shape == 4:
        path = f"/work/app/secret-{i}.env"
        return tool("Write", file_path=path, content="TOKEN=x"), kind.DENY, path
    if shape == 5:
        return tool("Edit", file_path=f"/work/app/src/file_{i}.rs"), kind.ALLOW, None
    if shape == 6:
        path = f"/etc/outside-{i}"
        event = {**base, "hook_event_name": "PostToolUse", "tool_name": "Read"}
        return {**event, "tool_input": {"file_path": path}}, kind.ALLOW, path
    if i % 16 == 7:
        prompt = {**base, "hook_event_name": "UserPromptSubmit", "prompt": f"CUPCAKE-STOP {i}"}
        return prompt, kind.HALT, None
    prompt = {**base, "hook_event_name": "UserPromptSubmit", "prompt": f"commit change {i}"}
    return prompt, kind.ALLOW, None


STRESS = [stress_event(i) for i in range(STRESS_EVENTS)]


@pytest.fixture(scope="module")
def standard() -> cupcake.Cupcake:
    return cupcake.Cupcake.init(STANDARD, timeout_ms=5000)


@pytest.fixture(scope="module")
def expected(standard: cupcake.Cupcake) -> list[cupcake.Decision]:
    """The decisions of a sequential pass, each checked against its hand-written kind and marker."""
    decisions = [standard.eval(event) for event, _, _ in STRESS]
    for i, decision in enumerate(decisions):
        _check_marked(i, decision)
    return decisions


def _check_marked(i: int, decision: cupcake.Decision) -> None:
    _, kind, marker = STRESS[i]
    assert decision.kind is kind, f"event {i}: {decision}"
    if marker is not None:
        assert marker in decision.reason or any(marker in note for note in decision.context), (
            f"event {i} got a decision without its marker {marker!r}: {decision}"
        )


def _check_all(decisions: list[cupcake.Decision], expected: list[cupcake.Decision]) -> None:
    assert len(decisions) == STRESS_EVENTS
    for i, decision in enumerate(decisions):
        _check_marked(i, decision)
        assert decision == expected[i], f"event {i}: {decision} != {expected[i]}"


def test_stress_1000_evaluations_from_16_threads(
    standard: cupcake.Cupcake, expected: list[cupcake.Decision]
) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(pool.map(standard.eval, [event for event, _, _ in STRESS]))
    _check_all(decisions, expected)


def test_stress_1000_asyncio_tasks(
    standard: cupcake.Cupcake, expected: list[cupcake.Decision]
) -> None:
    async def run_all() -> list[cupcake.Decision]:
        return list(await asyncio.gather(*(standard.eval_async(event) for event, _, _ in STRESS)))

    _check_all(asyncio.run(run_all()), expected)


def test_stress_threads_and_tasks_together(
    standard: cupcake.Cupcake, expected: list[cupcake.Decision]
) -> None:
    """Threads calling eval while an asyncio loop awaits eval_async, on the same engine."""
    events = [event for event, _, _ in STRESS]

    async def run_all() -> list[cupcake.Decision]:
        return list(await asyncio.gather(*(standard.eval_async(event) for event in events)))

    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = pool.map(standard.eval, events)
        awaited = asyncio.run(run_all())
        _check_all(list(threaded), expected)
    _check_all(awaited, expected)


def test_stress_10000_tasks_on_the_facade_and_the_raw_engine() -> None:
    """Far more calls than the core's evaluation threads, on both async surfaces; each gets its
    own decision."""
    project = cupcake.Cupcake.init(repo_path("examples", "project", ".cupcake"))
    calls = 10_000
    rm = {
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "rm -rf /"},
    }
    ls = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}
    events = [rm if i % 2 == 0 else ls for i in range(calls)]

    async def run_all() -> tuple[list[cupcake.Decision], list[Any]]:
        facade = await asyncio.gather(*(project.eval_async(event) for event in events))
        raw = await asyncio.gather(
            *(project.engine.evaluate_async(json.dumps(event)) for event in events)
        )
        return list(facade), list(raw)

    facade, raw = asyncio.run(run_all())
    for decisions in (facade, raw):
        assert len(decisions) == calls
        kinds = [decision.kind for decision in decisions]
        assert kinds[0::2] == [cupcake.DecisionKind.DENY] * (calls // 2)
        assert kinds[1::2] == [cupcake.DecisionKind.ALLOW] * (calls // 2)
