"""The guard decorator, sync and async, over the example project's policies: `rm -rf` is
denied, `git push` asks, `npm install` is modified to `npm ci`, anything else is allowed.
Every guarded function records its calls, so a refused call is proven never to have run."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import cupcake

from conftest import REPO_ROOT, SLOW_REASON, repo_path

PROJECT = repo_path("examples", "project")
EXAMPLE = REPO_ROOT / "examples" / "python" / "guard_example.py"


@pytest.fixture(scope="module")
def project() -> cupcake.Cupcake:
    return cupcake.Cupcake.init(PROJECT)


def shell_tool(engine: cupcake.Cupcake, calls: list[str], **options: Any) -> Any:
    @cupcake.guard(engine, tool="Bash", **options)
    def run_shell(command: str, timeout: int = 5) -> str:
        calls.append(command)
        return f"ran {command}"

    return run_shell


def async_shell_tool(engine: cupcake.Cupcake, calls: list[str], **options: Any) -> Any:
    @cupcake.guard(engine, tool="Bash", **options)
    async def run_shell(command: str, timeout: int = 5) -> str:
        await asyncio.sleep(0)
        calls.append(command)
        return f"ran {command}"

    return run_shell


# Sync


def test_denied_call_never_runs(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    run_shell = shell_tool(project, calls)
    with pytest.raises(cupcake.Denied) as info:
        run_shell("rm -rf build")
    assert calls == []
    decision = info.value.decision
    assert (decision.kind, decision.rule_ids) == (cupcake.DecisionKind.DENY, ["SHELL-RM"])
    assert info.value.tool == "Bash"
    assert str(info.value) == "Bash call blocked (deny): Recursive force-delete is blocked"


def test_allowed_call_runs(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    run_shell = shell_tool(project, calls)
    assert run_shell("ls -la") == "ran ls -la"
    assert run_shell(command="ls", timeout=1) == "ran ls"
    assert calls == ["ls -la", "ls"]


def test_positional_arguments_are_judged_by_name(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    with pytest.raises(cupcake.Denied):
        shell_tool(project, calls)("rm  -rf  /", 3)
    assert calls == []


def test_ask_without_callback_is_refused(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    with pytest.raises(cupcake.Denied, match=r"not confirmed \(ask\)") as info:
        shell_tool(project, calls)("git push origin main")
    assert info.value.decision.kind is cupcake.DecisionKind.ASK
    assert calls == []


def test_ask_callback_decides(project: cupcake.Cupcake) -> None:
    asked: list[cupcake.Decision] = []
    calls: list[str] = []

    def yes(decision: cupcake.Decision) -> bool:
        asked.append(decision)
        return True

    assert shell_tool(project, calls, on_ask=yes)("git push") == "ran git push"
    assert [decision.rule_ids for decision in asked] == [["SHELL-PUSH"]]
    with pytest.raises(cupcake.Denied):
        shell_tool(project, calls, on_ask=lambda decision: False)("git push")
    # Only True confirms: a truthy non-bool answer is a refusal.
    with pytest.raises(cupcake.Denied):
        shell_tool(project, calls, on_ask=lambda decision: "yes")("git push")
    assert calls == ["git push"]


def test_sync_function_refuses_an_async_callback(project: cupcake.Cupcake) -> None:
    calls: list[str] = []

    async def yes(decision: cupcake.Decision) -> bool:
        return True

    with pytest.raises(TypeError, match="awaitable"):
        shell_tool(project, calls, on_ask=yes)("git push")
    assert calls == []


def test_modify_calls_with_the_updated_input(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    assert shell_tool(project, calls)("npm install", timeout=9) == "ran npm ci"
    assert calls == ["npm ci"]


def test_modify_reaches_var_keyword_arguments(project: cupcake.Cupcake) -> None:
    seen: list[dict[str, Any]] = []

    @cupcake.guard(project, tool="Bash")
    def run(**tool_input: Any) -> None:
        seen.append(tool_input)

    run(command="npm install", description="deps")
    assert seen == [{"command": "npm ci", "description": "deps"}]


def test_modify_of_an_unknown_parameter_is_refused(project: cupcake.Cupcake) -> None:
    calls: list[str] = []

    @cupcake.guard(project, tool="Bash", tool_input=lambda line: {"command": line})
    def run(line: str) -> None:
        calls.append(line)

    with pytest.raises(TypeError, match="'command'"):
        run("npm install")
    run("ls")
    assert calls == ["ls"]


def test_tool_input_builder_for_a_method(project: cupcake.Cupcake) -> None:
    class Shell:
        def __init__(self) -> None:
            self.calls: list[str] = []

        @cupcake.guard(project, tool="Bash", tool_input=lambda self, cmd: {"command": cmd})
        def run(self, cmd: str) -> str:
            self.calls.append(cmd)
            return cmd

    shell = Shell()
    assert shell.run("pwd") == "pwd"
    with pytest.raises(cupcake.Denied):
        shell.run("rm -rf /")
    assert shell.calls == ["pwd"]


def test_default_engine_is_looked_up_at_call_time() -> None:
    calls: list[str] = []

    @cupcake.guard(tool="Bash")
    def run_shell(command: str) -> None:
        calls.append(command)

    cupcake.init(PROJECT)
    with pytest.raises(cupcake.Denied):
        run_shell("rm -rf build")
    run_shell("ls")
    assert calls == ["ls"]


def test_engine_failures_keep_the_function_from_running() -> None:
    calls: list[str] = []
    closed = cupcake.Cupcake.init(PROJECT)
    closed.close()
    with pytest.raises(RuntimeError, match="closed"):
        shell_tool(closed, calls)("ls")
    cursor = cupcake.Cupcake.init(PROJECT, harness="cursor")
    with pytest.raises(ValueError, match="harness='claude'"):
        shell_tool(cursor, calls)("ls")
    with pytest.raises(TypeError, match="JSON serializable"):
        shell_tool(cupcake.Cupcake.init(PROJECT), calls)(object())
    assert calls == []


def test_wrapper_keeps_name_and_signature(project: cupcake.Cupcake) -> None:
    def run_shell(command: str, timeout: int = 5) -> str:
        return command

    async def run_async(command: str) -> str:
        return command

    guarded = cupcake.guard(project, tool="Bash")(run_shell)
    assert guarded.__name__ == "run_shell"
    assert inspect.signature(guarded) == inspect.signature(run_shell)
    assert inspect.iscoroutinefunction(cupcake.guard(project, tool="Bash")(run_async))


# Async


def test_async_guard_follows_every_decision(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    answers: list[bool] = []

    async def ask(decision: cupcake.Decision) -> bool:
        await asyncio.sleep(0)
        return answers.pop(0)

    async def scenario() -> list[Any]:
        run_shell = async_shell_tool(project, calls, on_ask=ask)
        results: list[Any] = [await run_shell("ls"), await run_shell("npm install")]
        for command in ["rm -rf build", "git push"]:
            try:
                await run_shell(command)
            except cupcake.Denied as denied:
                results.append(denied.decision.kind)
        answers.append(True)
        results.append(await run_shell("git push"))
        return results

    answers.append(False)
    assert asyncio.run(scenario()) == [
        "ran ls",
        "ran npm ci",
        cupcake.DecisionKind.DENY,
        cupcake.DecisionKind.ASK,
        "ran git push",
    ]
    assert calls == ["ls", "npm ci", "git push"]


def test_async_guard_takes_a_sync_callback(project: cupcake.Cupcake) -> None:
    calls: list[str] = []
    run_shell = async_shell_tool(project, calls, on_ask=lambda decision: True)
    assert asyncio.run(run_shell("git push")) == "ran git push"
    with pytest.raises(cupcake.Denied):
        asyncio.run(async_shell_tool(project, calls)("git push"))
    assert calls == ["git push"]


def test_async_guard_leaves_the_event_loop_free(slow_cupcake: cupcake.Cupcake) -> None:
    calls: list[int] = []

    @cupcake.guard(slow_cupcake, tool="Slow")
    async def slow_tool(n: int) -> None:
        calls.append(n)

    async def scenario() -> tuple[str, float, float, list[float]]:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.001)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        start = time.perf_counter()
        try:
            await slow_tool(300_000)
        except cupcake.Denied as denied:
            reason = denied.decision.reason
        end = time.perf_counter()
        done.set()
        await task
        return reason, start, end, ticks

    reason, start, end, ticks = asyncio.run(scenario())
    assert reason == SLOW_REASON and calls == []
    assert sum(start < tick < end for tick in ticks) >= 2


# The example


def test_guard_example_runs(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "$ ls -la",
        "  ran: ls -la",
        "$ rm -rf build",
        "  refused [SHELL-RM]: Recursive force-delete is blocked",
        "$ npm install",
        "  ran: npm ci",
        "$ git push origin main",
        "  asked: Confirm before pushing to a remote; answering no",
        "  refused [SHELL-PUSH]: Confirm before pushing to a remote",
    ]
