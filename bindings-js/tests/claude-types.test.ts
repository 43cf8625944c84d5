// Every Claude Code response the shared conformance cases pin (what cupcake prints, checked in
// Rust, Python and Node) is type-checked by `tsc --strict` against the Claude Agent SDK's own
// `SyncHookJSONOutput` (the pinned @anthropic-ai/claude-agent-sdk that ci/tools.sh installs).
// A response the client's types would reject fails here, naming its case.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { conformanceDir, testsDir } from "./support.js";
import { type TypeCheck, typeCheck as typeCheckFiles } from "./typecheck.js";

const sdkDir = process.env.CUPCAKE_CLAUDE_CODE_DIR;

interface Case {
  note: string;
  want_result?: { response?: unknown };
}

function claudeResponses(): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  for (const area of readdirSync(conformanceDir).sort()) {
    let spec: { harness?: string; cases?: Case[] };
    try {
      spec = JSON.parse(readFileSync(join(conformanceDir, area, "cases.json"), "utf8"));
    } catch {
      continue;
    }
    if ((spec.harness ?? "claude") !== "claude") continue;
    for (const c of spec.cases ?? []) {
      if (c.want_result?.response !== undefined) found.push([c.note, c.want_result.response]);
    }
  }
  return found;
}

/** Type-checks `responses` as `SyncHookJSONOutput`s; returns tsc's status and output. */
function typeCheck(responses: Array<[string, unknown]>): TypeCheck {
  const entries = responses.map(([note, response]) => `  // ${note}\n  ${JSON.stringify(response)},`);
  return typeCheckSource(
    `import type { SyncHookJSONOutput } from "@anthropic-ai/claude-agent-sdk";\n` +
      `export const responses: SyncHookJSONOutput[] = [\n${entries.join("\n")}\n];\n`,
  );
}

/** Runs `tsc --strict` on one module `source` inside the SDK's install. */
function typeCheckSource(source: string): TypeCheck {
  if (!sdkDir) throw new Error("CUPCAKE_CLAUDE_CODE_DIR is not set: source ci/env.sh");
  return typeCheckFiles(sdkDir, { "responses.mts": source });
}

test("every Claude response type-checks against the Agent SDK's SyncHookJSONOutput", () => {
  const responses = claudeResponses();
  expect(responses.length).toBeGreaterThan(231);
  const { status, output } = typeCheck(responses);
  expect(output).toBe("");
  expect(status).toBe(0);
});

test("the check rejects a response the SDK's types do not allow", () => {
  // PreCompact's output has no hookSpecificOutput type, so context there is not a valid answer.
  const { status, output } = typeCheck([
    ["control", { hookSpecificOutput: { hookEventName: "PreCompact", additionalContext: "x" } }],
  ]);
  expect(status).not.toBe(0);
  expect(output).toContain("responses.mts");
});

test("claudeAgentSdkHook's callback is the SDK's HookCallback", () => {
  const facade = join(testsDir, "..", "dist", "index.js");
  const { status, output } = typeCheckSource(
    `import type { HookCallback, Options } from "@anthropic-ai/claude-agent-sdk";\n` +
      `import type { claudeAgentSdkHook } from ${JSON.stringify(facade)};\n` +
      `declare const make: typeof claudeAgentSdkHook;\n` +
      `declare const engine: Parameters<typeof claudeAgentSdkHook>[0];\n` +
      `export const callback: HookCallback = make(engine);\n` +
      `export const hooks: Options["hooks"] = { PreToolUse: [{ hooks: [make(engine)] }] };\n`,
  );
  expect(output).toBe("");
  expect(status).toBe(0);
});
