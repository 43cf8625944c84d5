"""Writes BENCHMARKS.md from the JSON results `ci/bench.sh` collects.

Every number comes from one `just bench` session on one machine; ratios compare peers measured
in that same session, never numbers from elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Json = dict[str, Any]

# The earlier engine's first compile of the standard set, as issue 15 recorded it (one core);
# it cannot be run here, so the figure is a constant, not a peer of this session.
EARLIER_ENGINE_COLD_MS = 200.0

# The phases `cupcake eval --timings` reports, in the order a process goes through them.
PHASES = [
    ("cupcake.load.discover", "discover the policy files, read and key them"),
    ("cupcake.load.cache_read", "find and check the compile cache entry"),
    ("cupcake.load.opa_build", "OPA builds the module (cold only)"),
    ("cupcake.load.cranelift", "Cranelift compiles it (cold only)"),
    ("cupcake.load.deserialize", "map the cached module (warm only)"),
    ("cupcake.load.instantiate", "first instance: memory, data, builtins"),
    ("cupcake.evaluate", "evaluate the event"),
]


def load(results: Path, name: str) -> Json:
    path = results / f"{name}.json"
    if not path.exists():
        raise SystemExit(f"bench_report: {path} is missing; did its benchmark run?")
    data: Json = json.loads(path.read_text())
    return data


def criterion_median_us(criterion: Path, group: str, bench: str, per: int) -> float:
    """Criterion's median estimate for one iteration, divided into `per` evaluations."""
    estimates = criterion / group / bench / "new" / "estimates.json"
    data = json.loads(estimates.read_text())
    return float(data["median"]["point_estimate"]) / 1000.0 / per


def row(suite: Json, row_id: str) -> Json:
    for entry in suite["rows"]:
        if entry["id"] == row_id:
            found: Json = entry
            return found
    raise SystemExit(f"bench_report: suite {suite['suite']} has no row {row_id}")


def lag_row(suite: Json, row_id: str) -> Json:
    for entry in suite["loop_lag"]:
        if entry["id"] == row_id:
            found: Json = entry
            return found
    raise SystemExit(f"bench_report: suite {suite['suite']} has no loop_lag row {row_id}")


def lag_table(suite: Json) -> list[str]:
    return table(
        ["calls", "in flight", "event-loop lag (median of rounds)", "worst", "wall for all"],
        [[e["label"], f"{e['in_flight']:,}", milli(e["max_lag_ms"] * 1000),
          milli(e["worst_lag_ms"] * 1000), milli(e["wall_ms"] * 1000)]
         for e in suite["loop_lag"]],
    )


def rate(suite: Json, row_id: str) -> float:
    for entry in suite["throughput"]:
        if entry["id"] == row_id:
            return float(entry["evals_per_sec"])
    raise SystemExit(f"bench_report: suite {suite['suite']} has no throughput {row_id}")


def command_line(*argv: str) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except OSError:
        return "not found"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def machine() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f"{total_kib / 1024 / 1024:.1f} GiB"
    return [
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; memory {memory}",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
        f"- rustc: {command_line('rustc', '--version')}",
        f"- OPA: {command_line('opa', 'version')}",
        f"- Python: {platform.python_version()}; Node: {command_line('node', '--version')}",
    ]


@dataclass
class Target:
    name: str
    measured: str
    met: bool
    miss: str


def at_most(name: str, value: float, limit: float, unit: str) -> Target:
    met = value <= limit
    space = "" if unit == "×" else " "
    miss = "" if met else f"{value / limit:.2f}× the limit ({value - limit:.1f}{space}{unit} over)"
    return Target(name, f"{value:.1f}{space}{unit}", met, miss)


def at_least(name: str, value: float, floor: float, unit: str = "×") -> Target:
    met = value >= floor
    miss = "" if met else f"{floor / value:.2f}× short ({value:.2f}{unit} of {floor:g}{unit})"
    return Target(name, f"{value:.2f}{unit}", met, miss)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return lines


def timing_rows(
    suite: Json, ids: list[str], baseline: str, fmt: Callable[[float], str]
) -> list[list[str]]:
    base = float(row(suite, baseline)["median_us"])
    out = []
    for row_id in ids:
        entry = row(suite, row_id)
        median = float(entry["median_us"])
        out.append(
            [
                entry["label"],
                fmt(median),
                fmt(float(entry.get("p10_us", median))),
                fmt(float(entry.get("p90_us", median))),
                f"{median / base:.2f}×",
            ]
        )
    return out


def size_rows(size: Json) -> list[list[str]]:
    base = float(size["rows"][0]["evaluate_us"])
    return [
        [f"{r['policies']} policies", milli(float(r["cold_compile_us"])),
         micro(float(r["evaluate_us"])), f"{float(r['engine_kib']) / 1024:.1f} MB",
         f"{float(r['evaluate_us']) / base:.2f}×"]
        for r in size["rows"]
    ]


def breakdown_table(cli: Json) -> list[str]:
    warm: Json = cli["warm_breakdown_us"]
    cold: Json = cli["cold_breakdown_us"]
    wall_warm = float(row(cli, "cupcake.warm")["median_us"])
    wall_cold = float(row(cli, "cupcake.cold")["median_us"])

    def cell(phases: Json, name: str) -> str:
        return milli(float(phases[name])) if name in phases else "—"

    rows = [[label, cell(warm, name), cell(cold, name)] for name, label in PHASES]
    rows.append(["inside the process, after argument parsing", cell(warm, "process_us"),
                 cell(cold, "process_us")])
    rows.append(["whole process (wall)", milli(wall_warm), milli(wall_cold)])
    return table(["phase", "warm", "cold"], rows)


def implementations(
    suite: Json, ids: list[str], baseline_name: str, fmt: Callable[[float], str]
) -> list[str]:
    """A table of `ids` (the first is the baseline) with their spread and ratio to it."""
    return table(
        ["implementation", "median", "p10", "p90", f"vs {baseline_name}"],
        timing_rows(suite, ids, ids[0], fmt),
    )


def micro(value: float) -> str:
    return f"{value:.2f} µs"


def milli(value: float) -> str:
    return f"{value / 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--criterion", type=Path, required=True)
    parser.add_argument("--analysis", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    events = 8
    pooled = criterion_median_us(args.criterion, "pipeline", "pooled", events)
    whole = criterion_median_us(args.criterion, "pipeline", "whole_set", events)
    fresh = criterion_median_us(args.criterion, "pipeline", "fresh_store", events)
    raw = criterion_median_us(args.criterion, "wasm", "raw_call", events)
    regorus = criterion_median_us(args.criterion, "peers", "regorus", events)
    size = load(args.results, "size")
    scaling = load(args.results, "scaling")
    python = load(args.results, "python")
    node = load(args.results, "node")
    cli = load(args.results, "cli")
    server = load(args.results, "server")
    served = {(r["id"], r["cores"]): r for r in server["rows"]}
    serve_one = served[("cupcake_serve", 1)]

    def opa_rate(cores: int) -> float:
        return float(served[("opa_server", cores)]["requests_per_sec"])

    py_eval = float(row(python, "cupcake.eval")["median_us"])
    py_peer = float(row(python, "opa_wasmtime")["median_us"])
    node_eval = float(row(node, "cupcake.evaluate")["median_us"])
    node_peer = float(row(node, "opa_wasm")["median_us"])
    warm = float(row(cli, "cupcake.warm")["median_us"]) / 1000
    cold_ms = float(row(cli, "cupcake.cold")["median_us"]) / 1000
    opa_eval = float(row(cli, "opa_eval")["median_us"]) / 1000
    py_threads = rate(python, "threads.2") / rate(python, "threads.1")
    rss = scaling["rss"]
    rss_growth_mb = (rss["after_kib"] - rss["before_kib"]) / 1024
    two_threads = rate(scaling, "threads.2") / rate(scaling, "threads.1")
    node_lag = lag_row(node, "cupcake.evaluate")
    py_lag = lag_row(python, "cupcake.eval_async")

    targets = [
        at_most("Rust full pipeline per evaluation (p50)", pooled, 15, "µs"),
        at_most("Rust pipeline / regorus on the same policies", pooled / regorus, 2, "×"),
        at_most("Python `eval` / Rust pipeline", py_eval / pooled, 1.5, "×"),
        at_least("Python 2 threads vs 1", py_threads, 1.8),
        at_most("Node `evaluate` / opa-wasm warm", node_eval / node_peer, 1.5, "×"),
        at_most("Warm `cupcake eval` process", warm, 5, "ms"),
        at_least("Warm `cupcake eval` vs `opa eval`", opa_eval / warm, 9),
        at_most("Cold start (first compile) vs the earlier engine's 0.20 s", cold_ms,
                EARLIER_ENGINE_COLD_MS, "ms"),
        at_least("2 threads vs 1 (Rust)", two_threads, 1.8),
        at_most("RSS growth over 1M evaluations", rss_growth_mb, 5, "MB"),
        at_least("`cupcake serve` requests/s on one core", float(serve_one["requests_per_sec"]),
                 10_000, " requests/s"),
        at_most("`cupcake serve` p99 latency, one core", float(serve_one["p99_us"]) / 1000, 10,
                "ms"),
        at_most(f"Node timer lag, {node_lag['in_flight']:,} `evaluate` in flight",
                float(node_lag["max_lag_ms"]), 20, "ms"),
        at_most(f"asyncio loop lag, {py_lag['in_flight']:,} `eval_async` in flight",
                float(py_lag["max_lag_ms"]), 20, "ms"),
    ]
    _ = py_peer  # the opa-wasmtime ratio is in the Python table

    out: list[str] = [
        "# Benchmarks",
        "",
        "Generated by `just bench` (`ci/bench.sh`, report by `ci/bench_report.py`); do not edit",
        "by hand. Every peer ran in the same session, on the same machine, on the standard policy",
        "set (`core/benches/standard`: ten policies, eight Claude Code events). Times are medians",
        "per evaluation unless a row says otherwise; ratios compare rows of the same run.",
        "",
        "## Machine",
        "",
        *machine(),
        "",
        "## Targets",
        "",
        *table(
            ["target", "measured", "met", "missed by"],
            [[t.name, t.measured, "yes" if t.met else "**no**", t.miss or "—"] for t in targets],
        ),
        "",
        "## Rust (criterion, `core/benches/pipeline.rs`)",
        "",
        *table(
            ["path", "median per evaluation", "vs shipped"],
            [
                ["full pipeline, pooled warm instance, routed packages only (shipped)",
                 micro(pooled), "1.00×"],
                ["full pipeline, whole set evaluated and filtered", micro(whole),
                 f"{whole / pooled:.2f}×"],
                ["full pipeline, fresh Store + Memory + Linker per call", micro(fresh),
                 f"{fresh / pooled:.2f}×"],
                ["raw wasm call alone, whole set (no preprocess, routing, synthesis)",
                 micro(raw), f"{raw / pooled:.2f}×"],
                ["regorus 0.14 on the same policy files, routed packages' verbs (peer)",
                 micro(regorus), f"{regorus / pooled:.2f}×"],
            ],
        ),
        "",
        "Before timing, regorus and cupcake decided every standard event alike (kind and rule "
        "ids).",
        "",
        "### Policy-set size (`core/benches/size.rs`)",
        "",
        *table(
            ["policy set", "first (cold) compile", "evaluation", "memory per engine",
             "evaluation vs 10"],
            size_rows(size),
        ),
        "",
        "## Python (`bindings-py/benches/bench_eval.py`)",
        "",
        *implementations(python, ["cupcake.eval", "cupcake.eval_async", "opa_wasmtime",
                                  "opa_py_wasm"], "cupcake eval", micro),
        "",
        "One 1 MB event (a Write of 0.975 MB of source text):",
        "",
        *implementations(python, ["cupcake.eval.1mb", "opa_py_wasm.1mb"], "cupcake eval",
                         milli),
        "",
        "Event-loop lag with many calls in flight, on one asyncio loop:",
        "",
        *lag_table(python),
        "",
        "## Node (`bindings-js/bench/bench.mjs`)",
        "",
        *implementations(node, ["cupcake.evaluate", "cupcake.evaluateSync", "opa_wasm"],
                         "cupcake evaluate", micro),
        "",
        "One 1 MB event (the same Write):",
        "",
        *implementations(node, ["cupcake.evaluate.1mb", "opa_wasm.1mb"], "cupcake evaluate",
                         milli),
        "",
        "Timer lag with many calls in flight, in one Node process:",
        "",
        *lag_table(node),
        "",
        f"## CLI, one process per event (`cli/benches/startup.rs`, event `{cli['event']}`)",
        "",
        *table(
            ["command", "median wall", "p10", "p90", "vs warm cupcake"],
            timing_rows(cli, ["cupcake.warm", "cupcake.cold", "opa_eval", "floor",
                              "cupcake.version"], "cupcake.warm", milli),
        ),
        "",
        "Where a process's time goes (medians of the same runs with `--timings`; the rest of "
        "the wall time is exec, dynamic loading, stdin and exit):",
        "",
        *breakdown_table(cli),
        "",
        f"## Decision server (`cli/benches/server.rs`, event `{server['event']}`)",
        "",
        (
            f"`oha` with {server['connections']} connections for {server['seconds']} s per row. "
            "One core: the server pinned to core 0, the load generator to core 1. Two cores: "
            "server and generator share both, so the generator's work counts against the server."
        ),
        "",
        *table(
            ["server", "cores", "requests/s", "p50", "p99", "answered 200", "vs OPA"],
            [
                [r["label"], str(r["cores"]), f"{float(r['requests_per_sec']):,.0f}",
                 milli(float(r["p50_us"])), milli(float(r["p99_us"])),
                 f"{r['ok']:,} of {r['total']:,}",
                 f"{float(r['requests_per_sec']) / opa_rate(r['cores']):.2f}×"]
                for r in server["rows"]
            ],
        ),
        "",
        "## Threads and memory",
        "",
        *table(
            ["threads", "Rust evaluations/s", "Python evaluations/s"],
            [
                [str(n), f"{rate(scaling, f'threads.{n}'):,.0f}",
                 f"{rate(python, f'threads.{n}'):,.0f}"]
                for n in (1, 2, 4)
            ],
        ),
        "",
        (
            f"Resident memory (Rust, one engine): {rss['before_kib'] / 1024:.1f} MB before and "
            f"{rss['after_kib'] / 1024:.1f} MB after {rss['evaluations']:,} evaluations "
            f"({rss_growth_mb:+.2f} MB)."
        ),
        "",
    ]
    notes = [*python.get("notes", []), *node.get("notes", [])]
    if notes:
        out += ["## Notes from the runs", "", *[f"- {note}" for note in notes], ""]
    out += [args.analysis.read_text().rstrip(), ""]
    args.output.write_text("\n".join(out))
    print(f"bench_report: wrote {args.output}")


if __name__ == "__main__":
    main()
