"""One exception class per error kind of the engine, and the translation into them.

Each class extends the generated variant of its kind (``ConfigError`` extends
``CupcakeError.Config``), so ``except cupcake.ConfigError``, ``except
cupcake.CupcakeError.Config`` and ``except cupcake.CupcakeError`` all catch what the facade
raises. The message is the engine's own, unchanged; the generated error stays attached as
``__cause__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from . import _native
from ._native import CupcakeError

if TYPE_CHECKING:
    # mypy sees only the generated base class: the variants are nested classes that the
    # generated module attaches at run time. For the type checker each class below derives
    # from CupcakeError directly, which is true of its run-time base as well.
    _Config = CupcakeError
    _OpaNotFound = CupcakeError
    _PolicyCompile = CupcakeError
    _UnsupportedBuiltin = CupcakeError
    _InvalidInput = CupcakeError
    _Evaluation = CupcakeError
    _LimitExceeded = CupcakeError
    _Internal = CupcakeError
else:
    _Config = CupcakeError.Config
    _OpaNotFound = CupcakeError.OpaNotFound
    _PolicyCompile = CupcakeError.PolicyCompile
    _UnsupportedBuiltin = CupcakeError.UnsupportedBuiltin
    _InvalidInput = CupcakeError.InvalidInput
    _Evaluation = CupcakeError.Evaluation
    _LimitExceeded = CupcakeError.LimitExceeded
    _Internal = CupcakeError.Internal


class _FacadeRepr:
    """Replaces the generated ``CupcakeError.<Kind>(...)`` repr with the facade class name."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigError(_FacadeRepr, _Config):
    """The policy directory, a bundle or an option is wrong: fix the path or the option."""


class OpaNotFoundError(_FacadeRepr, _OpaNotFound):
    """No usable OPA binary: install the version the message names, or pass ``opa_path``."""


class PolicyCompileError(_FacadeRepr, _PolicyCompile):
    """A policy failed to load or compile: the message names the file and line to fix."""


class UnsupportedBuiltinError(_FacadeRepr, _UnsupportedBuiltin):
    """A policy needs a builtin cupcake does not implement: the message names both."""


class InvalidInputError(_FacadeRepr, _InvalidInput):
    """The event is not a usable JSON object: fix the caller's input."""


class EvaluationError(_FacadeRepr, _Evaluation):
    """A policy produced an unusable result, or the module failed while evaluating."""


class LimitExceededError(_FacadeRepr, _LimitExceeded):
    """An evaluation crossed the deadline or the memory limit; the engine stays usable."""


class InternalError(_FacadeRepr, _Internal):
    """A bug or an environment failure inside cupcake, including a Rust panic."""


# The generated error of each kind, and the facade class that replaces it. The generated
# module's own InternalError (what UniFFI raises when Rust panics) is not a CupcakeError; it
# maps to InternalError too, so every failure of the engine is a CupcakeError.
_FACADE_ERRORS: dict[type[Exception], type[CupcakeError]] = {
    _Config: ConfigError,
    _OpaNotFound: OpaNotFoundError,
    _PolicyCompile: PolicyCompileError,
    _UnsupportedBuiltin: UnsupportedBuiltinError,
    _InvalidInput: InvalidInputError,
    _Evaluation: EvaluationError,
    _LimitExceeded: LimitExceededError,
    _Internal: InternalError,
    _native.InternalError: InternalError,
}

NATIVE_ERRORS = (CupcakeError, _native.InternalError)
"""What a call into the generated module raises when the engine fails."""


def reraise(error: Exception) -> NoReturn:
    """Raises the facade class of ``error``'s kind with the same message, chained to it."""
    facade = _FACADE_ERRORS.get(type(error))
    if facade is None:
        raise error
    raise facade(str(error)) from error
