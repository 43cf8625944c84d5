"""Prints the public API of the Python package as a stable listing, in two parts: the
generated ``cupcake._native`` module (functions with signatures, enums with members, error
variants, records' fields and classes' methods), then the hand-written facade ``cupcake``
(what it re-exports, and its own classes, functions and aliases). ci/check-api-py.sh compares
it with the committed python-api.txt."""

from __future__ import annotations

import dataclasses
import enum
import inspect
from typing import Any

import cupcake
import cupcake._native as native


def annotation(value: Any) -> str:
    # The generated module uses `from __future__ import annotations`, so these are strings.
    return value if isinstance(value, str) else inspect.formatannotation(value)


def parameters(function: Any, star: bool = False) -> list[str]:
    """The parameters as text; with `star`, a `*` marks where keyword-only ones begin."""
    parts = []
    for param in inspect.signature(function).parameters.values():
        if param.name == "self":
            continue
        if star and param.kind is param.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        text = param.name
        if param.annotation is not param.empty:
            text += f": {annotation(param.annotation)}"
        if param.default is not param.empty:
            text += " = ..."
        parts.append(text)
    return parts


def signature(function: Any, name: str | None = None, star: bool = False) -> str:
    returns = inspect.signature(function).return_annotation
    arrow = "" if returns is inspect.Signature.empty else f" -> {annotation(returns)}"
    prefix = "async def" if inspect.iscoroutinefunction(function) else "def"
    params = ", ".join(parameters(function, star))
    return f"{prefix} {name or function.__name__}({params}){arrow}"


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


def describe_facade_class(name: str, cls: type) -> list[str]:
    bases = ", ".join(
        base.__qualname__ for base in cls.__bases__ if not base.__name__.startswith("_")
    )
    kind = "dataclass" if dataclasses.is_dataclass(cls) else "class"
    lines = [f"{kind} {name}({bases})"]
    if dataclasses.is_dataclass(cls):
        lines += [
            f"    field {field.name}: {annotation(field.type)}" for field in dataclasses.fields(cls)
        ]
    else:
        annotations = vars(cls).get("__annotations__", {})
        lines += [f"    attribute {key}: {annotation(value)}" for key, value in annotations.items()]
        if "__init__" in vars(cls):
            lines.append(f"    constructor({', '.join(parameters(cls.__init__, star=True))})")
    for key in sorted(vars(cls)):
        value = vars(cls)[key]
        if key.startswith("_") and key not in ("__enter__", "__aenter__"):
            continue
        if isinstance(value, property):
            returns = inspect.signature(value.fget).return_annotation
            lines.append(f"    property {key}: {annotation(returns)}")
        elif inspect.isfunction(value):
            lines.append(f"    {signature(value, star=True)}")
        elif not inspect.isclass(value) and callable(getattr(cls, key)):
            # A method callable on the class and on an instance (Cupcake.init).
            lines.append(f"    class-or-instance {signature(getattr(cls, key), key, star=True)}")
    return lines


def describe_facade() -> list[str]:
    lines = ["# cupcake (the facade)"]
    for name in sorted(cupcake.__all__):
        value = getattr(cupcake, name)
        if getattr(native, name, None) is value:
            lines.append(f"reexport {name}")
        elif inspect.isclass(value):
            lines += describe_facade_class(name, value)
        elif inspect.isfunction(value) or inspect.ismethod(value):
            lines.append(signature(value, name, star=True))
        else:
            lines.append(f"alias {name} = {value!r}")
    return lines


def main() -> None:
    names = sorted(native.cupcake.__all__)
    for name in names:
        value = getattr(native, name)
        lines = describe_class(name, value) if inspect.isclass(value) else [signature(value)]
        print("\n".join(lines))
    print("\n".join(describe_facade()))


if __name__ == "__main__":
    main()
