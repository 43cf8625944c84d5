"""The benchmark script (bindings-py/benches/bench_eval.py) runs end to end in its smoke mode and
writes the JSON the report generator reads. Its numbers are not judged here, only that every
measurement produced one; the script itself fails if a peer computes a different answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benches" / "bench_eval.py"
ROW_IDS = [
    "cupcake.eval",
    "cupcake.eval_async",
    "opa_wasmtime",
    "opa_py_wasm",
    "cupcake.eval.1mb",
    "opa_py_wasm.1mb",
]


def test_smoke_run_reports_every_measurement(tmp_path: Path) -> None:
    # A relative --out run from tmp_path: opa-wasmtime times every call itself, and prints a
    # report at exit, whenever one of the process's arguments contains "pytest", as
    # tmp_path does.
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--out", "bench.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr

    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["suite"] == "python"
    assert [row["id"] for row in report["rows"]] == ROW_IDS
    for row in report["rows"]:
        assert row["median_us"] > 0, row
        assert row["samples"] == 2, row
    assert [entry["threads"] for entry in report["throughput"]] == [1, 2, 4]
    assert all(entry["evals_per_sec"] > 0 for entry in report["throughput"])
    assert set(report["versions"]) >= {"python", "cupcake", "opa-wasmtime", "opa-py-wasm"}
    # The lag rows are measured, not judged: BENCHMARKS.md compares them with the goal.
    lag = report["loop_lag"]
    assert [entry["id"] for entry in lag] == ["cupcake.eval_async", "raw.evaluate_async"]
    for entry in lag:
        assert entry["in_flight"] == 1000 and entry["rounds"] == 1, entry
        assert entry["max_lag_ms"] > 0 and entry["wall_ms"] > 0, entry
