"""The facade's exception hierarchy, and the translation of the generated errors into it.

``CupcakeError`` is the base of everything the facade raises, with one subclass per error kind
of the engine (``ConfigError``, ...). Type checkers see plain ``Exception`` subclasses, so
``except cupcake.ConfigError`` passes mypy and pyright; ``CupcakeError.Config`` and the other
class attributes name the same classes, for code written against the generated spelling. At run
time each class also extends the generated error of its kind (``cupcake._native``), so code
that catches those still catches what the facade raises. The message is the engine's own,
unchanged; the generated error stays attached as ``__cause__``.

The raw generated API (``cupcake.Engine`` and friends) raises the generated classes, which
are not facade classes; ``native_kind`` tells their kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NoReturn, cast

from ._native import CupcakeError as _NativeError
from ._native import InternalError as _NativePanic

if TYPE_CHECKING:
    # The generated module defines its error classes in a shape type checkers reject (a
    # non-exception class under `type: ignore`, variants attached at run time): the facade's
    # classes derive from Exception for them, which is true at run time as well.
    _NativeBase = Exception
    _Config = Exception
    _OpaNotFound = Exception
    _PolicyCompile = Exception
    _UnsupportedBuiltin = Exception
    _InvalidInput = Exception
    _Evaluation = Exception
    _LimitExceeded = Exception
    _Internal = Exception
else:
    _NativeBase = _NativeError
    _Config = _NativeError.Config
    _OpaNotFound = _NativeError.OpaNotFound
    _PolicyCompile = _NativeError.PolicyCompile
    _UnsupportedBuiltin = _NativeError.UnsupportedBuiltin
    _InvalidInput = _NativeError.InvalidInput
    _Evaluation = _NativeError.Evaluation
    _LimitExceeded = _NativeError.LimitExceeded
    _Internal = _NativeError.Internal


class CupcakeError(_NativeBase):
    """Any failure of the engine. ``kind`` names it (``"Config"``, ``"PolicyCompile"``, ...)
    and the message says what failed, where, and what to do. ``path`` is the file or directory
    at fault when there is one (a ``ConfigError`` or ``PolicyCompileError``), ``line`` the line
    of a policy when OPA or the metadata parser named it; both are ``None`` otherwise."""

    kind: ClassVar[str] = ""
    message: str
    path: str | None
    line: int | None

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        # Exception's own initialiser, not the generated one, which takes the fields
        # positionally and formats them into the text: the facade keeps the engine's message.
        Exception.__init__(self, message)
        self.message = message
        self.path = path
        self.line = line

    Config: ClassVar[type[ConfigError]]
    OpaNotFound: ClassVar[type[OpaNotFoundError]]
    PolicyCompile: ClassVar[type[PolicyCompileError]]
    UnsupportedBuiltin: ClassVar[type[UnsupportedBuiltinError]]
    InvalidInput: ClassVar[type[InvalidInputError]]
    Evaluation: ClassVar[type[EvaluationError]]
    LimitExceeded: ClassVar[type[LimitExceededError]]
    Internal: ClassVar[type[InternalError]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigError(CupcakeError, _Config):
    """The policy directory, a bundle or an option is wrong: fix the path or the option."""

    kind = "Config"


class OpaNotFoundError(CupcakeError, _OpaNotFound):
    """No usable OPA binary: install the version the message names, or pass ``opa_path``."""

    kind = "OpaNotFound"


class PolicyCompileError(CupcakeError, _PolicyCompile):
    """A policy failed to load or compile: the message names the file and line to fix."""

    kind = "PolicyCompile"


class UnsupportedBuiltinError(CupcakeError, _UnsupportedBuiltin):
    """A policy needs a builtin cupcake does not implement: the message names both."""

    kind = "UnsupportedBuiltin"


class InvalidInputError(CupcakeError, _InvalidInput):
    """The event is not a usable JSON object: fix the caller's input."""

    kind = "InvalidInput"


class EvaluationError(CupcakeError, _Evaluation):
    """A policy produced an unusable result, or the module failed while evaluating."""

    kind = "Evaluation"


class LimitExceededError(CupcakeError, _LimitExceeded):
    """An evaluation crossed the deadline or the memory limit; the engine stays usable."""

    kind = "LimitExceeded"


class InternalError(CupcakeError, _Internal):
    """A bug or an environment failure inside cupcake, including a Rust panic."""

    kind = "Internal"


KINDS: tuple[type[CupcakeError], ...] = (
    ConfigError,
    OpaNotFoundError,
    PolicyCompileError,
    UnsupportedBuiltinError,
    InvalidInputError,
    EvaluationError,
    LimitExceededError,
    InternalError,
)
"""One facade class per error kind of the engine."""


def _name_kinds() -> None:
    """Makes ``CupcakeError.Config`` (and each other kind) name the facade class."""
    for kind in KINDS:
        setattr(CupcakeError, kind.kind, kind)


_name_kinds()

# The generated error of each kind, and the facade class that replaces it. The generated
# module's own InternalError (what UniFFI raises when Rust panics) is not one of its
# CupcakeErrors; it maps to InternalError too, so every failure of the engine is a CupcakeError.
_FACADE_ERRORS: dict[type[BaseException], type[CupcakeError]] = {
    getattr(_NativeError, kind.kind): kind for kind in KINDS
}
_FACADE_ERRORS[_NativePanic] = InternalError

NATIVE_ERRORS = cast("tuple[type[Exception], ...]", (_NativeError, _NativePanic))
"""What a call into the generated module raises when the engine fails."""


def native_kind(error: BaseException) -> str | None:
    """The kind (``"Config"``, ...) of an error the raw generated API raised, else None."""
    facade = _FACADE_ERRORS.get(type(error))
    return None if facade is None else facade.kind


def reraise(error: Exception) -> NoReturn:
    """Raises the facade class of ``error``'s kind with the same message, path and line,
    chained to it."""
    facade = _FACADE_ERRORS.get(type(error))
    if facade is None:
        raise error
    message = getattr(error, "message", None)
    raise facade(
        message if isinstance(message, str) else str(error),
        path=getattr(error, "path", None),
        line=getattr(error, "line", None),
    ) from error
