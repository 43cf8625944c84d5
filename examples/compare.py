"""Prints the CLI, Python and Node decisions side by side; exits 1 if any two differ."""

import json
import sys


def load(path: str) -> dict[str, object]:
    rows = {}
    with open(path) as handle:
        for line in handle:
            name, response = line.rstrip("\n").split("\t", 1)
            rows[name] = json.loads(response)
    return rows


def summary(response: object) -> str:
    """A short label for a Claude response: the permission decision, or what it carries."""
    if not isinstance(response, dict) or not response:
        return "allow ({})"
    specific = response.get("hookSpecificOutput", {})
    if "updatedInput" in specific:
        return f"modify -> {json.dumps(specific['updatedInput'])}"
    if "permissionDecision" in specific:
        return f"{specific['permissionDecision']}: {specific.get('permissionDecisionReason', '')}"
    if "additionalContext" in specific:
        return f"context: {specific['additionalContext']}"
    return json.dumps(response)


def main(cli: str, python: str, node: str) -> int:
    sources = {"cli": load(cli), "python": load(python), "node": load(node)}
    names = sorted(sources["cli"])
    width = max(len(n) for n in names)
    print(f"{'event'.ljust(width)}  agree  decision (cli = python = node)")
    disagreements = 0
    for name in names:
        answers = [sources[s].get(name) for s in sources]
        agree = all(a == answers[0] for a in answers)
        disagreements += not agree
        print(f"{name.ljust(width)}  {'yes' if agree else 'NO '}    {summary(answers[0])}")
        if not agree:
            for source, answer in zip(sources, answers):
                print(f"    {source}: {json.dumps(answer)}")
    print(f"{len(names)} events, {disagreements} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
