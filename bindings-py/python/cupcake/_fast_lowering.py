"""One copy per argument instead of one Python statement per byte.

UniFFI's generated Python writes every argument into Rust's buffer a byte at a time
(``for i, byte in enumerate(value): data[len + i] = byte``), with the GIL held: a 600-byte event
costs tens of microseconds and a 1 MB event most of a second, and threads cannot overlap that
part. The generated module is correct, only slow, so this module replaces three of its helpers
with versions that copy with one ``memmove``; the bytes Rust receives are the same.

The replacements are installed only when the generated classes look as expected; otherwise the
generated code stays (slow, still correct). ``installed()`` tells which, and the tests require
it, so a generator upgrade that changes these helpers fails CI instead of slowing down silently.
"""

from __future__ import annotations

import ctypes
import struct
from types import ModuleType
from typing import Any

_installed = False


def install(generated: ModuleType) -> bool:
    """Patches ``generated`` (the UniFFI module) once; returns whether the fast path is in use."""
    global _installed
    if _installed:
        return True
    builder: Any = getattr(generated, "_UniffiRustBufferBuilder", None)
    rust_buffer: Any = getattr(generated, "_UniffiRustBuffer", None)
    string: Any = getattr(generated, "_UniffiFfiConverterString", None)
    if not all(
        callable(getattr(owner, name, None))
        for owner, name in (
            (builder, "write"),
            (builder, "_pack_into"),
            (builder, "_reserve"),
            (rust_buffer, "alloc"),
            (string, "lower"),
        )
    ):
        return False
    if [name for name, _ in getattr(rust_buffer, "_fields_", [])] != ["capacity", "len", "data"]:
        return False

    def write(self: Any, value: bytes) -> None:
        size = len(value)
        with self._reserve(size):
            if size:
                ctypes.memmove(_address(self.rbuf) + self.rbuf.len, value, size)

    def pack_into(self: Any, size: int, format: str, value: object) -> None:
        with self._reserve(size):
            ctypes.memmove(_address(self.rbuf) + self.rbuf.len, struct.pack(format, value), size)

    def lower_string(value: str) -> Any:
        # A string argument is the buffer's whole content: allocate it at its final size.
        encoded = value.encode("utf-8")
        size = len(encoded)
        buffer = rust_buffer.alloc(size)
        if size:
            ctypes.memmove(_address(buffer), encoded, size)
        buffer.len = size
        return buffer

    builder.write = write
    builder._pack_into = pack_into
    string.lower = staticmethod(lower_string)
    _installed = True
    return True


def installed() -> bool:
    """Whether the generated module copies arguments with ``memmove``."""
    return _installed


def _address(buffer: Any) -> int:
    """The address of a RustBuffer's data; a reserved buffer is never null."""
    address = ctypes.cast(buffer.data, ctypes.c_void_p).value
    if not address:
        raise MemoryError("Rust returned a null buffer for a non-empty argument")
    return address
