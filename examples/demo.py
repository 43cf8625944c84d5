"""Evaluates every event file through the Python package; prints `file<TAB>response` lines."""

import json
import sys
from pathlib import Path

import cupcake


def main(project: str, events: str) -> None:
    engine = cupcake.Cupcake()
    engine.init(project, harness="claude")
    for path in sorted(Path(events).glob("*.json")):
        decision = engine.eval(json.loads(path.read_text()))
        print(f"{path.name}\t{decision.response}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
