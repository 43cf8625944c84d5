"""Guards a tool function with cupcake: before each call runs, the policies of
examples/project judge it as a Claude Code PreToolUse event for the Bash tool.

    python examples/python/guard_example.py

The policies deny `rm -rf`, ask before `git push` and turn `npm install` into `npm ci`;
everything else is allowed. The tool only reports what it would run.
"""

from __future__ import annotations

from pathlib import Path

import cupcake

PROJECT = Path(__file__).resolve().parents[1] / "project"
ENGINE = cupcake.Cupcake()


def confirm(decision: cupcake.Decision) -> bool:
    """Answers an Ask. A real agent would ask its user; this one always says no."""
    print(f"  asked: {decision.reason}; answering no")
    return False


@cupcake.guard(ENGINE, tool="Bash", on_ask=confirm)
def run_shell(command: str) -> str:
    return f"ran: {command}"


def main() -> None:
    with ENGINE.init(PROJECT):
        for command in ["ls -la", "rm -rf build", "npm install", "git push origin main"]:
            print(f"$ {command}")
            try:
                print(f"  {run_shell(command)}")
            except cupcake.Denied as denied:
                rules = ", ".join(denied.decision.rule_ids)
                print(f"  refused [{rules}]: {denied.decision.reason}")


if __name__ == "__main__":
    main()
