// claudeAgentSdkHook, driven the way the Claude Agent SDK calls a hook callback:
// `await hook(input, toolUseID, { signal })` with the hook input Claude Code sends.
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Cupcake, claudeAgentSdkHook } from "../src/index.js";
import { conformanceDir } from "./support.js";

const verbs = join(conformanceDir, "verbs");
let engine: Cupcake;

beforeAll(async () => {
  engine = await Cupcake.init(verbs);
});
afterAll(() => engine.dispose());

function preToolUse(command: unknown): Record<string, unknown> {
  return {
    hook_event_name: "PreToolUse",
    session_id: "sdk",
    transcript_path: "/tmp/t.jsonl",
    cwd: "/tmp",
    tool_name: "Bash",
    tool_input: { command },
    tool_use_id: "toolu_1",
  };
}

const signal = new AbortController().signal;

test("a deny is the output Claude Code would get", async () => {
  const hook = claudeAgentSdkHook(engine);
  const denied = await hook(preToolUse("rm -rf build"), "toolu_1", { signal });
  expect(denied.hookSpecificOutput.permissionDecision).toBe("deny");
  expect(denied.hookSpecificOutput.permissionDecisionReason).toContain("rm -rf build");
  expect(await hook(preToolUse("ls"), "toolu_1", { signal })).toEqual({});
});

test("a failure inside blocks", async () => {
  const doomed = await Cupcake.init(verbs);
  const hook = claudeAgentSdkHook(doomed);
  doomed.dispose(); // every evaluation now throws
  const blocked = await hook(preToolUse("ls"), "toolu_1", { signal });
  expect(blocked.hookSpecificOutput.permissionDecision).toBe("deny");
  expect(blocked.hookSpecificOutput.permissionDecisionReason).toContain("cupcake could not evaluate this hook");
});

test("an input that is not JSON blocks", async () => {
  const hook = claudeAgentSdkHook(engine);
  const blocked = await hook(preToolUse(10n), "toolu_1", { signal });
  expect(blocked.hookSpecificOutput.permissionDecision).toBe("deny");
});

test("only a claude engine is accepted", async () => {
  const cursor = await Cupcake.init(verbs, { harness: "cursor" });
  expect(() => claudeAgentSdkHook(cursor)).toThrow(TypeError);
  cursor.dispose();
});

test("an input JSON cannot carry at all still blocks", async () => {
  const hook = claudeAgentSdkHook(engine);
  const blocked = await hook(undefined as unknown as object, undefined, { signal });
  expect(blocked.continue).toBe(false);
});
