"""Catching each kind of cupcake error, as a hook or a service would: every class here is a
subclass of ``cupcake.CupcakeError``, and mypy --strict and pyright --strict accept each
``except`` clause (the test command checks both).

Run: python examples/python/errors_example.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cupcake


def load(path: str) -> cupcake.Cupcake | None:
    """Loads the policies at ``path``, saying what to fix when it cannot."""
    try:
        return cupcake.Cupcake.init(path)
    except cupcake.OpaNotFoundError as error:
        print(f"install OPA: {error}", file=sys.stderr)
    except cupcake.PolicyCompileError as error:
        where = f"{error.path}:{error.line}" if error.line is not None else error.path
        print(f"fix the policy at {where} ({error.kind}): {error}", file=sys.stderr)
    except cupcake.UnsupportedBuiltinError as error:
        print(f"rewrite the rule: {error}", file=sys.stderr)
    except cupcake.CupcakeError.Config as error:
        print(f"fix the path or option: {error}", file=sys.stderr)
    return None


def decide(engine: cupcake.Cupcake, event: dict[str, object]) -> str:
    """The decision's kind, or which error stopped it; every engine failure is handled."""
    try:
        return engine.eval(event).kind.name
    except cupcake.InvalidInputError as error:
        return f"bad event: {error}"
    except cupcake.LimitExceededError as error:
        return f"policy too slow or too large: {error}"
    except cupcake.EvaluationError as error:
        return f"policy failed: {error}"
    except cupcake.InternalError as error:
        return f"cupcake bug: {error}"
    except cupcake.ConfigError as error:
        return f"configuration ({error.path or 'an option'}): {error}"
    except cupcake.CupcakeError as error:
        return f"{error.kind}: {error}"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        missing = str(Path(scratch) / "no-such-project")
        assert load(missing) is None, "a missing policy directory must not load"
    project = Path(__file__).resolve().parents[1] / "project"
    engine = load(str(project))
    if engine is None:
        return 1
    with engine:
        print(decide(engine, {"hook_event_name": "PreToolUse", "tool_name": "Bash"}))
        print(decide(engine, {"not": "an event"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
