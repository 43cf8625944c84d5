// Paths into the repository shared by the Node test files, a throwaway policy directory, and the
// slow fixture's event.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** This directory, bindings-js/tests. */
export const testsDir = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const repoRoot = join(testsDir, "..", "..");

/** The shared conformance cases, one policy directory per area. */
export const conformanceDir = join(repoRoot, "tests", "conformance");

/** A policy directory by name under tests/fixtures/. */
export function fixture(name: string): string {
  return join(repoRoot, "tests", "fixtures", name);
}

/** A PreToolUse event for tests/fixtures/slow; the policy counts multiples of 7 up to `n`. */
export function slowEvent(n: number): object {
  return { hook_event_name: "PreToolUse", tool_name: "Slow", tool_input: { n } };
}

/**
 * Creates a temporary policy directory, `<tmp>/<subdir>/policies/claude/fresh.rego`, holding a
 * policy that denies tool "Forbidden". The file names its own directory, so no earlier run has
 * compiled it. Returns the temporary root; the caller removes it.
 */
export function freshProject(subdir = ""): string {
  const root = mkdtempSync(join(tmpdir(), "cupcake-js-"));
  const policies = join(root, subdir, "policies", "claude");
  mkdirSync(policies, { recursive: true });
  const policy = [
    "# METADATA",
    "# scope: package",
    "# custom:",
    "#   routing:",
    '#     required_events: ["PreToolUse"]',
    "package cupcake.policies.fresh",
    "",
    "import rego.v1",
    "",
    'deny contains {"rule_id": "FRESH", "reason": "fresh", "severity": "LOW"} if {',
    '\tinput.tool_name == "Forbidden"',
    "}",
    `# ${root}`,
    "",
  ];
  writeFileSync(join(policies, "fresh.rego"), policy.join("\n"));
  return root;
}
