"""Sums a `perf report` into the parts of cupcake's evaluation path, for the benchmark analysis.

Reads `perf report --stdio --no-children --sort dso,sym -g none` text on stdin and prints one
line per part with its share of the samples. Each sample is given to the first part whose rule
matches its shared object and symbol; what no rule names is "other".
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict

# (part, shared-object pattern, symbol pattern), first match wins.
RULES: list[tuple[str, str, str]] = [
    ("kernel: syscalls, page faults, scheduling", r"\[kernel", r""),
    # wasmtime names the policy module's functions (`module.cwasm`, OPA's runtime inside it).
    (
        "module: parsing the input, dumping the result",
        r"module\.cwasm",
        r"opa_json|_dump",
    ),
    (
        "module: its allocator",
        r"module\.cwasm",
        r"opa_malloc|opa_free|opa_realloc|opa_heap",
    ),
    ("module: evaluating the rules", r"module\.cwasm", r""),
    # Node's perf map names V8's code; code without any name is anonymous JIT memory.
    ("JavaScript (V8's JIT code)", r"^perf-\d+\.map", r""),
    ("unnamed JIT code", r"^(\[JIT\]|\[unknown\]|//anon|\[anon)", r""),
    ("dynamic loader and CPU feature detection", r"ld-linux|libgcc_s", r""),
    (
        "dynamic loader and CPU feature detection",
        r"",
        r"std_detect|cpu_indicator|cpuid",
    ),
    ("host builtins called by the module", r"", r"cupcake::builtins|cupcake::redirect"),
    ("wasm glue: input copy, heap reset, pool", r"", r"cupcake::wasm"),
    ("wasmtime runtime: calls, resets, traps", r"", r"wasmtime|cranelift|rustix::mm"),
    ("regex compilation and matching", r"", r"regex|aho_corasick"),
    ("preprocessing: paths, shell, destructive", r"", r"cupcake::preprocess"),
    ("path handling (std::path, statx)", r"", r"std::path|^statx|realpath|readlink"),
    (
        "JSON values: serde_json, indexmap, hashing",
        r"",
        r"serde_json|serde::|serde_core|<serde|indexmap|hashbrown|sip::Hasher|hash_one",
    ),
    ("self-protection guard", r"", r"cupcake::guard"),
    (
        "routing, synthesis, responses",
        r"",
        r"cupcake::(routing|decision|harness|verdict|tier|aggregation)",
    ),
    ("SHA-256 (cache keys)", r"", r"sha2"),
    ("engine and other cupcake code", r"", r"cupcake"),
    (
        "allocator and memcpy",
        r"libc\.so|ld-linux",
        r"malloc|free|realloc|memcpy|memmove|memset|memcmp|_int_|cfree",
    ),
    ("Python interpreter", r"python3|libpython", r""),
    ("ctypes and libffi", r"_ctypes|libffi", r""),
    ("koffi", r"koffi", r""),
    ("Node and V8", r"^node$|libnode", r""),
    ("libc: locks, futexes, threads", r"libc\.so|libpthread", r""),
    (
        "Rust std: locks, formatting, I/O",
        r"",
        r"^std::|^core::|^alloc::|^<std|^<core|^<alloc|__rust",
    ),
]

LINE = re.compile(r"^\s+(\d+\.\d+)%\s+(\S+)\s+\[(.)\]\s+(.*)$")


def part_of(dso: str, symbol: str) -> str:
    for part, dso_rule, symbol_rule in RULES:
        if dso_rule and not re.search(dso_rule, dso):
            continue
        if symbol_rule and not re.search(symbol_rule, symbol):
            continue
        return part
    return "other"


def main() -> int:
    shares: dict[str, float] = defaultdict(float)
    for line in sys.stdin:
        match = LINE.match(line)
        if match is None:
            continue
        percent, dso, _, symbol = match.groups()
        shares[part_of(dso, symbol.strip())] += float(percent)
    total = sum(shares.values())
    if total == 0:
        print("no samples in the report", file=sys.stderr)
        return 1
    for part, share in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"{share / total * 100:5.1f}%  {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
