"""Prints the public API of the generated ``cupcake._native`` module as a stable listing:
functions with signatures, enums with members, error variants, records' fields and classes'
methods. ci/check-api-py.sh compares it with the committed python-api.txt."""

from __future__ import annotations

import enum
import inspect
from typing import Any

import cupcake._native as native


def annotation(value: Any) -> str:
    # The generated module uses `from __future__ import annotations`, so these are strings.
    return value if isinstance(value, str) else inspect.formatannotation(value)


def parameters(function: Any) -> list[str]:
    parts = []
    for param in inspect.signature(function).parameters.values():
        if param.name == "self":
            continue
        text = param.name
        if param.annotation is not param.empty:
            text += f": {annotation(param.annotation)}"
        if param.default is not param.empty:
            text += " = ..."
        parts.append(text)
    return parts


def signature(function: Any, name: str | None = None) -> str:
    returns = inspect.signature(function).return_annotation
    arrow = "" if returns is inspect.Signature.empty else f" -> {annotation(returns)}"
    prefix = "async def" if inspect.iscoroutinefunction(function) else "def"
    return f"{prefix} {name or function.__name__}({', '.join(parameters(function))}){arrow}"


def describe_class(name: str, cls: type) -> list[str]:
    if issubclass(cls, enum.Enum):
        return [f"enum {name}"] + [f"    {member.name} = {member.value!r}" for member in cls]
    own = vars(cls)
    init = own.get("__init__")
    params = inspect.signature(init).parameters.values() if inspect.isfunction(init) else []
    if params and all(p.kind is p.KEYWORD_ONLY or p.name == "self" for p in params):
        # A record: keyword-only constructor, one argument per field.
        return [f"record {name}"] + [f"    field {field}" for field in parameters(init)]
    bases = ", ".join(base.__name__ for base in cls.__bases__)
    lines = [f"class {name}({bases})"]
    if inspect.isfunction(init) and init.__name__ == "__init__":
        lines.append(f"    constructor({', '.join(parameters(init))})")
    for key in sorted(own):
        value = own[key]
        if inspect.isclass(value) and issubclass(value, cls) and value is not cls:
            lines.append(f"    variant {key}({', '.join(parameters(value.__init__))})")
        elif inspect.isfunction(value) and not key.startswith("_"):
            lines.append(f"    {signature(value)}")
        elif isinstance(value, classmethod) and not key.startswith("_"):
            # Named constructors, e.g. Engine.from_bundle.
            lines.append(f"    @classmethod {signature(value.__func__)}")
    return lines


def main() -> None:
    names = sorted(native.cupcake.__all__)
    for name in names:
        value = getattr(native, name)
        lines = describe_class(name, value) if inspect.isclass(value) else [signature(value)]
        print("\n".join(lines))


if __name__ == "__main__":
    main()
