#!/usr/bin/env python3
"""Times cupcake's Python API against two OPA WebAssembly SDKs for Python on one compiled policy.

All four contenders run in this process over the same hook events. ``cupcake.eval`` and
``cupcake.eval_async`` are the public facade (routing, preprocessing, WebAssembly, synthesis and
the agent's response). The peers, opa-wasmtime and opa-py-wasm, load the module cupcake compiled
(the project tier of an exported bundle) and return OPA's raw aggregation. Before any timing,
every event's answer is compared across all four, so a peer running a different policy fails the
run. README.md beside this file says what each number means.

    python bindings-py/benches/bench_eval.py --out bench.json [--smoke] [--wasm policy.wasm]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import cupcake

try:
    import opa_wasmtime.benchmark  # type: ignore[import-untyped]  # ships no py.typed
    import opapywasm
    from opa_wasmtime import OPAPolicy
except ImportError as err:
    raise SystemExit(
        f"{err}: the peers are pinned in ci/requirements-dev.txt; install them with "
        "`python -m pip install -r ci/requirements-dev.txt`"
    ) from None

# cupcake compiles `regex.match` and friends to host builtins with Go's RE2 semantics (OPA's
# WebAssembly engine differs from OPA); the peers run the same module, so they get the same
# host calls, here with Python's `re` (equivalent for the standard set's patterns).
PEER_BUILTINS: dict[str, Callable[..., object]] = {
    "cupcake_re2.match": lambda pattern, value: re.search(pattern, value) is not None,
    "cupcake_re2.is_valid": lambda pattern: _compiles(pattern),
    "cupcake_re2.find_all_string_submatch_n": lambda pattern, value, n: [
        [m.group(0), *(g or "" for g in m.groups())]
        for m in list(re.finditer(pattern, value))[: None if n < 0 else n]
    ],
}


def _compiles(pattern: object) -> bool:
    try:
        re.compile(str(pattern))
    except re.error:
        return False
    return isinstance(pattern, str)


REPO_ROOT = Path(__file__).resolve().parents[2]
STANDARD = REPO_ROOT / "core" / "benches" / "standard"

# The aggregation's verdict buckets in the order synthesis lets them win; add_context comes last.
BUCKETS = (
    ("HALT", "halts"),
    ("DENY", "denials"),
    ("BLOCK", "blocks"),
    ("ASK", "asks"),
    ("MODIFY", "modifications"),
)

Event = dict[str, Any]
# What a decision amounts to: its kind, the rule ids behind it and its context, ids sorted.
Answer = tuple[str, list[str], list[str]]
# Runs n passes over every event and returns the seconds they took.
Passes = Callable[[int], float]


@dataclass(frozen=True)
class Plan:
    """How long to warm up, how many samples to take and how long one should last."""

    warmup_seconds: float
    warmup_passes: int
    sample_seconds: float
    samples: int
    fixed_repeats: int | None
    thread_seconds: float


FULL = Plan(0.5, 3, 0.03, 30, None, 2.0)
SMOKE = Plan(0.0, 1, 0.0, 2, 1, 0.2)

LAG_IN_FLIGHT = 1000
"""Evaluations started at once for the event-loop lag rows."""
LAG_ROUNDS = {FULL: 5, SMOKE: 1}


async def loop_lag(
    start: Callable[[Any], Awaitable[object]], inputs: list[Any]
) -> tuple[float, float]:
    """Starts LAG_IN_FLIGHT calls of ``start`` at once while a task sleeping 1 ms at a time
    records the longest gap between its wake-ups (counting the wait up to the end); returns
    that gap and the wall time for all calls, in milliseconds."""
    done = False
    worst = 0.0
    last = time.perf_counter()

    async def ticker() -> None:
        nonlocal worst, last
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    ticking = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.005)
    last = began = time.perf_counter()
    await asyncio.gather(*(start(inputs[i % len(inputs)]) for i in range(LAG_IN_FLIGHT)))
    ended = time.perf_counter()
    done = True
    await ticking
    return max(worst, ended - last) * 1000, (ended - began) * 1000


def lag_rows(
    loop: asyncio.AbstractEventLoop, engine: cupcake.Cupcake, events: list[Event], rounds: int
) -> list[dict[str, Any]]:
    """The facade's eval_async (capped in flight) against the raw generated call (uncapped)."""
    native = engine.engine
    texts = [json.dumps(event) for event in events]
    contenders: list[tuple[str, str, Callable[[Any], Awaitable[object]], list[Any]]] = [
        ("cupcake.eval_async", "Cupcake.eval_async (facade, capped in flight)",
         engine.eval_async, list(events)),
        ("raw.evaluate_async", "Engine.evaluate_async (generated, uncapped)",
         native.evaluate_async, texts),
    ]
    measured: dict[str, tuple[list[float], list[float]]] = {c[0]: ([], []) for c in contenders}
    for _ in range(rounds):
        for row_id, _label, start, inputs in contenders:
            lag, wall = loop.run_until_complete(loop_lag(start, inputs))
            measured[row_id][0].append(lag)
            measured[row_id][1].append(wall)
    rows = []
    for row_id, label, _start, _inputs in contenders:
        lags, walls = (sorted(values) for values in measured[row_id])
        rows.append({
            "id": row_id,
            "label": label,
            "in_flight": LAG_IN_FLIGHT,
            "rounds": rounds,
            "max_lag_ms": round(lags[len(lags) // 2], 2),
            "worst_lag_ms": round(lags[-1], 2),
            "wall_ms": round(walls[len(walls) // 2], 2),
        })
    return rows
THREAD_COUNTS = (1, 2, 4)


@dataclass(frozen=True)
class Row:
    """One contender's samples, each already divided down to seconds per evaluation."""

    id: str
    label: str
    per_eval: list[float]
    evals_per_sample: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "median_us": round(percentile(self.per_eval, 0.5) * 1e6, 3),
            "p10_us": round(percentile(self.per_eval, 0.1) * 1e6, 3),
            "p90_us": round(percentile(self.per_eval, 0.9) * 1e6, 3),
            "samples": len(self.per_eval),
            "evals_per_sample": self.evals_per_sample,
        }


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values, interpolating between neighbours."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def sample_size(run: Passes, plan: Plan) -> int:
    """Warms ``run`` up and returns how many passes make a sample of ``plan.sample_seconds``."""
    warm = 0.0
    passes = 0
    while passes < plan.warmup_passes or warm < plan.warmup_seconds:
        warm += run(1)
        passes += 1
    return plan.fixed_repeats or max(1, round(plan.sample_seconds * passes / warm))


def measure(contenders: Sequence[tuple[str, str, Passes]], plan: Plan, events: int) -> list[Row]:
    """Samples every contender in turn, round after round, so that a slow spell of the machine
    lands on all of them rather than on whichever was running then."""
    repeats = [sample_size(run, plan) for _, _, run in contenders]
    per_eval: list[list[float]] = [[] for _ in contenders]
    for _ in range(plan.samples):
        for (_, _, run), count, samples in zip(contenders, repeats, per_eval):
            samples.append(run(count) / (count * events))
    return [
        Row(row_id, label, samples, count * events)
        for (row_id, label, _), count, samples in zip(contenders, repeats, per_eval)
    ]


def sync_passes(evaluate: Callable[[Event], object], events: Sequence[Event]) -> Passes:
    def run(repeats: int) -> float:
        start = time.perf_counter()
        for _ in range(repeats):
            for event in events:
                evaluate(event)
        return time.perf_counter() - start

    return run


def async_passes(
    loop: asyncio.AbstractEventLoop,
    evaluate: Callable[[Event], Awaitable[object]],
    events: Sequence[Event],
) -> Passes:
    async def passes(repeats: int) -> float:
        # Timed inside the loop, so entering and leaving run_until_complete is not counted.
        start = time.perf_counter()
        for _ in range(repeats):
            for event in events:
                await evaluate(event)
        return time.perf_counter() - start

    def run(repeats: int) -> float:
        return loop.run_until_complete(passes(repeats))

    return run


def thread_throughput(
    engine: cupcake.Cupcake, events: Sequence[Event], threads: int, seconds: float
) -> float:
    """Evaluations per second of ``threads`` threads sharing ``engine``, each looping over
    every event until ``seconds`` have passed."""
    counts = [0] * threads
    failures: list[BaseException] = []
    start_line = threading.Barrier(threads + 1)
    stop = threading.Event()

    def worker(index: int) -> None:
        start_line.wait()
        done = 0
        try:
            while not stop.is_set():
                for event in events:
                    engine.eval(event)
                done += len(events)
        except BaseException as failure:  # re-raised on the main thread below
            failures.append(failure)
        counts[index] = done

    workers = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in workers:
        thread.start()
    start_line.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in workers:
        thread.join()
    if failures:
        raise failures[0]
    # Each thread finishes the pass it was in; those evaluations and that time both count.
    return sum(counts) / (time.perf_counter() - start)


def export_module(policies: Path, work: Path) -> tuple[Path, Path]:
    """Exports ``policies`` as a bundle and extracts its project tier's module.

    Returns the bundle (for cupcake) and the module (for the peers), so both run the same bytes.
    """
    bundle = work / "policies.bundle"
    options = cupcake.EngineOptions(
        harness=cupcake.Harness.CLAUDE,
        opa_path=None,
        timeout_ms=None,
        memory_limit_bytes=None,
        global_dir=None,
        cache_dir=None,
    )
    cupcake.export_bundle(str(policies), options, str(bundle))
    with tarfile.open(bundle) as archive:
        manifest = json.loads(read_member(archive, "manifest.json"))
        modules = [tier["module"] for tier in manifest["tiers"] if not tier["global"]]
        if len(modules) != 1:
            raise SystemExit(f"{bundle}: expected one project tier, found {len(modules)}")
        wasm = work / "policy.wasm"
        wasm.write_bytes(read_member(archive, modules[0]))
    return bundle, wasm


def read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise SystemExit(f"bundle has no regular file {name}")
    return member.read()


def cupcake_answer(decision: cupcake.Decision) -> Answer:
    return decision.kind.name, sorted(decision.rule_ids), sorted(decision.context)


def aggregation_answer(aggregation: object) -> Answer:
    """What cupcake's synthesis would decide from a raw aggregation: the first non-empty
    verdict bucket's rule ids, or else an allow carrying every add_context string."""
    if not isinstance(aggregation, dict):
        raise SystemExit(f"a peer returned {aggregation!r}, not the aggregation object")
    for kind, key in BUCKETS:
        entries = aggregation[key]
        if entries:
            return kind, sorted(entry["decision"]["rule_id"] for entry in entries), []
    return "ALLOW", [], sorted(entry["decision"] for entry in aggregation["add_context"])


def check_agreement(
    names: Sequence[str],
    events: Sequence[Event],
    engine: cupcake.Cupcake,
    loop: asyncio.AbstractEventLoop,
    peers: dict[str, Callable[[Event], object]],
) -> None:
    """Exits non-zero unless, for every event, all four contenders reach the same answer and
    the two peers return identical aggregations.

    This holds for the bench policy set because it is pure: no signals or builtin options, and
    every rule tests the event fields it reads, so cupcake's routing and preprocessing do not
    change which rules fire. A policy set where they do would (rightly) fail here.
    """
    problems = []
    for name, event in zip(names, events):
        answers = {
            "cupcake.eval": cupcake_answer(engine.eval(event)),
            "cupcake.eval_async": cupcake_answer(loop.run_until_complete(engine.eval_async(event))),
        }
        aggregations = {peer: evaluate(event) for peer, evaluate in peers.items()}
        answers.update({peer: aggregation_answer(raw) for peer, raw in aggregations.items()})
        expected = answers["cupcake.eval"]
        for contender, answer in answers.items():
            if answer != expected:
                problems.append(f"{name}: {contender} answered {answer}, cupcake.eval {expected}")
        raws = list(aggregations.values())
        if any(raw != raws[0] for raw in raws):
            problems.append(f"{name}: the peers' aggregations differ: {aggregations}")
    if problems:
        listed = "\n  ".join(problems)
        raise SystemExit(
            f"contenders disagree, so they are not running the same policy:\n  {listed}"
        )


def first_result(result_set: object) -> object:
    """The value of an OPA result set ``[{"result": value}]``."""
    if not isinstance(result_set, list) or len(result_set) != 1:
        raise SystemExit(f"opa-wasmtime returned {result_set!r}, not one result")
    return result_set[0]["result"]


def large_event() -> Event:
    """A Claude Code Write of about 1 MB of ordinary text: what a large file write sends. The
    JSON stays just under 1,000,000 bytes, opa-py-wasm's input limit."""
    line = "let total = items.iter().map(|item| item.price * item.quantity).sum::<u64>();\n"
    content = line * (975_000 // len(line))
    return {
        "hook_event_name": "PreToolUse",
        "session_id": "bench",
        "transcript_path": "/tmp/bench-transcript.jsonl",
        "cwd": "/tmp",
        "tool_name": "Write",
        "tool_input": {"file_path": "src/large.rs", "content": content},
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "system": platform.system(),
        "release": platform.release(),
        "arch": platform.machine(),
        "cpus": os.cpu_count(),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    return info


def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = SMOKE if args.smoke else FULL
    paths = sorted(Path(args.events).glob("*.json"))
    if not paths:
        raise SystemExit(f"{args.events}: no *.json events")
    names = [path.name for path in paths]
    events: list[Event] = [json.loads(path.read_text()) for path in paths]
    policies = Path(args.policies)
    rego_files = sorted(policies.glob(".cupcake/policies/claude/**/*.rego"))
    versions = {
        "python": platform.python_version(),
        "cupcake": cupcake.version(),
        "opa-wasmtime": metadata.version("opa-wasmtime"),
        "opa-py-wasm": metadata.version("opa-py-wasm"),
        "wasmtime-py": metadata.version("wasmtime"),
    }

    with tempfile.TemporaryDirectory(prefix="cupcake-bench-") as work:
        engine = cupcake.Cupcake()
        if args.wasm is None:
            bundle, wasm = export_module(policies, Path(work))
            engine.init(bundle=bundle)
            source = f"cupcake loads the bundle exported from {policies}; the peers load its module"
        else:
            wasm = Path(args.wasm)
            engine.init(policies)
            source = f"cupcake compiles {policies} itself; the peers load {wasm}"
        # Everything reads its module now, so the temporary directory may go.
        wasmtime_policy = OPAPolicy(str(wasm), builtins=PEER_BUILTINS)
        py_wasm_policy = opapywasm.OpaWasmPolicy.from_wasm_file(wasm)
        for name, function in PEER_BUILTINS.items():
            py_wasm_policy.register_builtin(name, function)

    def evaluate_wasmtime(event: Event) -> object:
        return first_result(wasmtime_policy.evaluate(event))

    peers: dict[str, Callable[[Event], object]] = {
        "opa_wasmtime": evaluate_wasmtime,
        "opa_py_wasm": py_wasm_policy.evaluate,
    }
    loop = asyncio.new_event_loop()
    try:
        check_agreement(names, events, engine, loop, peers)
        contenders: list[tuple[str, str, Passes]] = [
            (
                "cupcake.eval",
                "cupcake eval (sync, full pipeline)",
                sync_passes(engine.eval, events),
            ),
            (
                "cupcake.eval_async",
                "cupcake eval_async (awaited one at a time, full pipeline)",
                async_passes(loop, engine.eval_async, events),
            ),
            (
                "opa_wasmtime",
                f"opa-wasmtime {versions['opa-wasmtime']} OPAPolicy.evaluate (warm, raw result)",
                sync_passes(wasmtime_policy.evaluate, events),
            ),
            (
                "opa_py_wasm",
                f"opa-py-wasm {versions['opa-py-wasm']} OpaWasmPolicy.evaluate (warm, raw result)",
                sync_passes(py_wasm_policy.evaluate, events),
            ),
        ]
        rows = measure(contenders, plan, len(events))
        large = large_event()
        rows += measure(
            [
                (
                    "cupcake.eval.1mb",
                    "cupcake eval, one 1 MB Write event",
                    sync_passes(engine.eval, [large]),
                ),
                (
                    "opa_py_wasm.1mb",
                    f"opa-py-wasm {versions['opa-py-wasm']} evaluate, the same 1 MB event",
                    sync_passes(py_wasm_policy.evaluate, [large]),
                ),
            ],
            plan,
            1,
        )
        lag = lag_rows(loop, engine, events, LAG_ROUNDS[plan])
    finally:
        loop.close()
    throughput = []
    for threads in THREAD_COUNTS:
        rate = thread_throughput(engine, events, threads, plan.thread_seconds)
        throughput.append(
            {"id": f"threads.{threads}", "threads": threads, "evals_per_sec": round(rate, 1)}
        )

    count = len(events)
    notes = [
        f"{count} events from {args.events}, {len(rego_files)} policies in {policies}; {source}.",
        "Per-evaluation time = sample time / evals_per_sample; a sample is evals_per_sample / "
        f"{count} passes over every event, after warm-up passes; the contenders take their samples "
        "in turn, round after round; p10/p90 are across samples.",
        "Before timing, all four agreed on every event's decision kind, rule ids and context, "
        "and the two peers returned identical aggregations.",
        "1 MB rows: one PreToolUse Write whose content is 0.975 MB of source text (the JSON just "
        "under opa-py-wasm's 1,000,000-byte input limit), evaluated alone (cupcake: the whole "
        "pipeline; opa-py-wasm: the policy only).",
        "cupcake.eval: Cupcake.eval(dict) = json.dumps + one FFI call with the GIL released: "
        "parse, routing, preprocessing, a pooled wasm instance, synthesis, the Claude response.",
        "cupcake.eval_async: await Cupcake.eval_async(dict), one at a time on one asyncio loop; "
        "the evaluation runs on cupcake's Rust thread pool.",
        "opa_wasmtime: OPAPolicy(path).evaluate(dict) on its single instance: json.dumps into "
        "guest memory, opa_eval, the result read back one byte per Memory.read call, json.loads; "
        "returns OPA's raw result set (no routing, preprocessing or synthesis).",
        "opa_py_wasm: OpaWasmPolicy.from_wasm_file(path).evaluate(dict): borrows one of "
        f"{py_wasm_policy.pool_size} pooled instances, arms an epoch deadline, json.dumps into "
        "guest memory, opa_eval, chunked result read, json.loads; returns the raw aggregation "
        "(no routing, preprocessing or synthesis).",
        f"throughput: one shared Cupcake, N threads each calling eval over every event in a loop "
        f"for {plan.thread_seconds} s; total evaluations per second.",
        f"loop_lag: {LAG_IN_FLIGHT} evaluations gathered at once (the events in turn) while a "
        "task sleeping 1 ms at a time records the longest gap between its wake-ups; max_lag_ms "
        "is the median over rounds of each round's longest gap, worst_lag_ms the longest of "
        "all, wall_ms the median time for all the evaluations of a round.",
    ]
    py_wasm_policy.close()
    if opa_wasmtime.benchmark.PYTEST_RUNNING:
        notes.append(
            "opa-wasmtime saw 'pytest' in sys.argv, so it timed every call itself and will print "
            "a report at exit; its numbers include that overhead."
        )
    return {
        "suite": "python",
        "machine": machine(),
        "versions": versions,
        "rows": [row.to_json() for row in rows],
        "throughput": throughput,
        "loop_lag": lag,
        "notes": notes,
    }


def summary(report: dict[str, Any]) -> str:
    rows = report["rows"]
    base = rows[0]["median_us"]
    lines = [f"{'id':<20}{'median µs':>12}{'p10':>10}{'p90':>10}{'× cupcake.eval':>16}"]
    for row in rows:
        ratio = row["median_us"] / base
        lines.append(
            f"{row['id']:<20}{row['median_us']:>12.2f}{row['p10_us']:>10.2f}"
            f"{row['p90_us']:>10.2f}{ratio:>16.2f}"
        )
    for entry in report["throughput"]:
        lines.append(f"{entry['threads']} thread(s): {entry['evals_per_sec']:,.0f} evals/s")
    for entry in report["loop_lag"]:
        lines.append(
            f"{entry['id']}: {entry['in_flight']} in flight, event-loop lag "
            f"{entry['max_lag_ms']:.1f} ms (worst {entry['worst_lag_ms']:.1f}), "
            f"wall {entry['wall_ms']:.1f} ms"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, help="write the JSON results here")
    parser.add_argument("--smoke", action="store_true", help="a few evaluations only, for tests")
    parser.add_argument("--wasm", type=Path, help="policy.wasm for the peers (default: export one)")
    parser.add_argument("--policies", type=Path, default=STANDARD, help="project directory")
    parser.add_argument("--events", type=Path, default=STANDARD / "events", help="event JSON files")
    args = parser.parse_args(argv)
    report = run(args)
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
