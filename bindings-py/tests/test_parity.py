"""Every item interface.udl declares is reachable from the Python package (the Node package has
the same test, bindings-js/tests/parity.test.ts): a UDL change that one facade does not carry
fails here, not in a user's hands."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import json
import sys
from types import ModuleType
from typing import Any

import pytest

import cupcake

from conftest import REPO_ROOT


def _load_udl_items() -> dict[str, Any]:
    path = REPO_ROOT / "tests" / "parity" / "udl_items.py"
    spec = importlib.util.spec_from_file_location("udl_items", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["udl_items"] = module
    spec.loader.exec_module(module)
    items: dict[str, Any] = module.read()
    return items


UDL = _load_udl_items()


@pytest.mark.parametrize("name", UDL["functions"])
def test_every_function_is_exported(name: str) -> None:
    assert callable(getattr(cupcake, name, None)), f"cupcake.{name} is missing"
    assert name in cupcake.__all__


@pytest.mark.parametrize("name", sorted(UDL["enums"]))
def test_every_enum_has_every_variant(name: str) -> None:
    enum = getattr(cupcake, name)
    assert len(list(enum)) == len(UDL["enums"][name]), json.dumps(UDL["enums"][name])


@pytest.mark.parametrize("variant", UDL["errors"]["CupcakeError"])
def test_every_error_kind_has_a_facade_class(variant: str) -> None:
    facade = getattr(cupcake, f"{variant}Error", None)
    assert isinstance(facade, type), f"cupcake.{variant}Error is missing"
    assert issubclass(facade, cupcake.CupcakeError)


@pytest.mark.parametrize("variant", UDL["errors"]["CupcakeError"])
def test_every_error_field_is_an_attribute_of_the_facade_class(variant: str) -> None:
    facade = getattr(cupcake, f"{variant}Error")
    fields = UDL["error_fields"]["CupcakeError"][variant]
    located = facade("what failed", **{f: "x" for f in fields if f != "message"})
    for field in fields:
        assert getattr(located, field) == ("what failed" if field == "message" else "x"), field


@pytest.mark.parametrize("field", UDL["dictionaries"]["EngineOptions"])
def test_every_engine_option_is_a_keyword_of_every_loader(field: str) -> None:
    loaders = [cupcake.Cupcake.init, cupcake.Cupcake.init_async, cupcake.engine_options]
    for loader in loaders:
        assert field in inspect.signature(loader).parameters, f"{loader.__name__} lacks {field}"


def test_engine_options_need_no_arguments() -> None:
    options = cupcake.EngineOptions()
    facade = cupcake.engine_options()
    for field in UDL["dictionaries"]["EngineOptions"]:
        # Absent (None) in the record, off (None or False) from the facade: the same defaults.
        assert bool(getattr(facade, field)) == bool(getattr(options, field)), field
    assert options.harness == facade.harness == cupcake.Harness.CLAUDE


def test_every_decision_field_is_on_the_facade_decision() -> None:
    fields = {field.name for field in dataclasses.fields(cupcake.Decision)}
    assert set(UDL["dictionaries"]["Decision"]) <= fields


def test_every_hook_reply_field_is_readable() -> None:
    reply = cupcake.failure_response(cupcake.Harness.CLAUDE, "{}", "parity")
    assert isinstance(reply, cupcake.HookReply)
    for field in UDL["dictionaries"]["HookReply"]:
        assert hasattr(reply, field), field


@pytest.mark.parametrize("method", UDL["interfaces"]["Engine"])
def test_every_engine_method_is_reachable(method: str) -> None:
    assert callable(getattr(cupcake.Engine, method, None)), f"Engine.{method} is missing"


def test_the_version_is_exported_as_dunder_version() -> None:
    assert cupcake.__version__ == cupcake.version()
    assert cupcake.__version__.count(".") == 2
