"""Lists what interface.udl declares, for the facades' parity tests (bindings-py's
test_parity.py and bindings-js's parity.test.ts), which check that each item is reachable from
both packages. Printed as JSON when run as a script.

It reads only the shapes interface.udl uses: the namespace's functions, enums, [Error]
interfaces with their variants' fields, dictionaries with their fields, and interfaces with
their constructors and methods.
Anything else at top level is an error, so a new kind of declaration cannot slip past.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

UDL = Path(__file__).resolve().parents[2] / "interface.udl"

_BLOCK = re.compile(
    r"((?:\[[^\]]*\]\s*)*)(namespace|enum|dictionary|interface)\s+(\w+)\s*\{(.*?)\};", re.S
)
_MEMBER_NAME = re.compile(r"(\w+)\s*\(")


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", text)


def _statements(body: str) -> list[str]:
    return [part.strip() for part in body.split(";") if part.strip()]


def _member(statement: str) -> str:
    """The name a statement declares: `Name=x` of a named constructor, else the identifier
    before `(`."""
    named = re.search(r"\[Name=(\w+)", statement)
    if named:
        return named.group(1)
    found = _MEMBER_NAME.search(re.sub(r"\[[^\]]*\]", "", statement))
    if not found:
        raise ValueError(f"cannot read the member in {statement!r}")
    return found.group(1)


def items(text: str) -> dict[str, Any]:
    """What the UDL text declares, by kind."""
    text = _strip_comments(text)
    found: dict[str, Any] = {
        "functions": [],
        "enums": {},
        "errors": {},
        "error_fields": {},
        "dictionaries": {},
        "interfaces": {},
    }
    consumed = 0
    for block in _BLOCK.finditer(text):
        if text[consumed : block.start()].strip():
            raise ValueError(f"unread UDL text: {text[consumed : block.start()].strip()[:80]!r}")
        consumed = block.end()
        attributes, kind, name, body = block.groups()
        statements = _statements(body)
        if kind == "namespace":
            found["functions"] = [_member(s) for s in statements]
        elif kind == "enum":
            variants = [v.strip().strip('"') for v in body.split(",") if v.strip()]
            found["errors" if "Error" in attributes else "enums"][name] = variants
        elif kind == "dictionary":
            found["dictionaries"][name] = [s.split("=")[0].split()[-1] for s in statements]
        elif "Error" in attributes:
            fields = {_member(s): re.findall(r"(\w+)\s*(?:,|\)\s*$)", s) for s in statements}
            found["errors"][name] = list(fields)
            found["error_fields"][name] = fields
        else:
            members = [_member(s) for s in statements]
            found["interfaces"][name] = [m for m in members if m != "constructor"]
    if text[consumed:].strip():
        raise ValueError(f"unread UDL text: {text[consumed:].strip()[:80]!r}")
    return found


def read() -> dict[str, Any]:
    """The items of the repository's interface.udl."""
    return items(UDL.read_text(encoding="utf-8"))


if __name__ == "__main__":
    json.dump(read(), sys.stdout, indent=2)
    sys.stdout.write("\n")
