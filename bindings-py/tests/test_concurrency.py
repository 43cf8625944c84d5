"""One engine serves many threads and tasks at once (SPEC §16). These tests prove overlap by
ordering events, never by timing thresholds: a thread that held the GIL through a slow call
would keep every other thread from even starting its own call."""

from __future__ import annotations

import asyncio
import threading
import time

import cupcake

from conftest import SLOW_REASON, slow_event

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
