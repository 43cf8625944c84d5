# METADATA
# scope: package
# title: Builtins agent policies use, and values JSON cannot carry, each reported as context
# custom:
#   routing:
#     required_events: ["SessionStart"]
package cupcake.policies.agent_builtins

import rego.v1

add_context contains sprintf("a prefix: %v %v", [strings.any_prefix_match(input.paths, ["/etc/", "/root/"]), strings.any_prefix_match("src/main.rs", {"/etc/"})]) if true

add_context contains sprintf("b suffix: %v", [strings.any_suffix_match({"id_rsa", "notes.md"}, [".pem", "_rsa"])]) if true

add_context contains sprintf("c semver: %d %v %v", [semver.compare(input.version, "1.10.0"), semver.is_valid(input.version), semver.is_valid("1.02.3")]) if true

add_context contains sprintf("d sha256: %s", [crypto.sha256(input.source)]) if true

add_context contains sprintf("e bytes: %d %d %d", [units.parse_bytes("10KiB"), units.parse_bytes("1.5gb"), units.parse_bytes("16EiB")]) if true

add_context contains sprintf("f calendar: %v %v %s %d", [time.date([input.at, "America/New_York"]), time.clock([input.at, "Asia/Kolkata"]), time.weekday(input.at), time.add_date(input.at, 0, 1, 0)]) if true

add_context contains sprintf("g glob: %v %v", [glob.match("**/.env", ["/"], "app/config/.env"), glob.match("*.key", [], "a/b.key")]) if true

add_context contains sprintf("h cidr: %v", [net.cidr_contains("10.0.0.0/8", "10.1.2.3")]) if true

add_context contains sprintf("i exact: %v %d %v %v", [{3, "a", 1, [2]}, input.big, input.big == 123456789012345678901234567890, {1: "one", "k": 1.0, "z": -0.0}]) if true

add_context contains sprintf("j float: %v %v", [input.ratio, [input.ratio]]) if true

add_context contains sprintf("k odd numbers: %v %d %v %T", [1e400, 1e400, to_number(".0"), to_number(".5")]) if true
