// Every response the shared conformance cases pin for Gemini CLI, GitHub Copilot and Cline is
// type-checked by `tsc --strict` against the hook output types the agents publish (the pinned
// packages in $CUPCAKE_CLIENT_TYPES_DIR that ci/tools.sh installs), one event's type per case;
// cupcake's OpenCode plugin is checked against `@opencode-ai/plugin`'s `Plugin`, and the
// OpenCode responses against the answer type that plugin reads. Controls that must fail prove
// each check bites. Claude Code's responses have their own check (claude-types.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { conformanceDir, testsDir } from "./support.js";
import { type TypeCheck, typeCheck as typeCheckFiles } from "./typecheck.js";

const typesDir = process.env.CUPCAKE_CLIENT_TYPES_DIR;
const plugin = join(testsDir, "..", "..", "cli", "src", "init", "opencode-plugin.ts");

interface Case {
  note: string;
  input?: Record<string, unknown>;
  want_result?: { response?: unknown };
}

/** (note, event, response) of every case of `harness`'s response-table area. */
function responses(harness: string): Array<[string, string, unknown]> {
  const spec = JSON.parse(readFileSync(join(conformanceDir, `${harness}_responses`, "cases.json"), "utf8")) as {
    cases: Case[];
  };
  return spec.cases.flatMap((c) => {
    const event = c.input?.["hook_event_name"] ?? c.input?.["hookName"];
    return typeof event === "string" && c.want_result?.response !== undefined
      ? [[c.note, event, c.want_result.response] as [string, string, unknown]]
      : [];
  });
}

/** Runs `tsc --strict` on `files` (name → source) inside the agents' types install. */
function typeCheck(files: Record<string, string>, resolution: "nodenext" | "bundler" = "nodenext"): TypeCheck {
  return typeCheckFiles(typesDir, files, { resolution, types: ["node"] });
}

/** A module declaring each response as the output type its event has. */
function module(header: string, typeOf: (event: string) => string, cases: Array<[string, string, unknown]>): string {
  const lines = cases.map(([note, event, response], index) => {
    return `// ${note}\nexport const r${index}: ${typeOf(event)} = ${JSON.stringify(response)};`;
  });
  return `${header}\n${lines.join("\n")}\n`;
}

function expectClean(result: TypeCheck): void {
  expect(result.output).toBe("");
  expect(result.status).toBe(0);
}

// @google/gemini-cli-core 0.61.0, dist/src/hooks/types.d.ts: one output type per event.
const GEMINI: Record<string, string> = {
  SessionStart: "SessionStartOutput",
  SessionEnd: "HookOutput",
  BeforeAgent: "BeforeAgentOutput",
  AfterAgent: "AfterAgentOutput",
  BeforeModel: "BeforeModelOutput",
  AfterModel: "AfterModelOutput",
  BeforeToolSelection: "BeforeToolSelectionOutput",
  BeforeTool: "BeforeToolOutput",
  AfterTool: "AfterToolOutput",
  PreCompress: "PreCompressOutput",
  Notification: "NotificationOutput",
};
const GEMINI_HEADER = `import type { ${[...new Set(Object.values(GEMINI))].join(", ")} } from "@google/gemini-cli-core";`;

test("every Gemini CLI response type-checks against @google/gemini-cli-core's output types", () => {
  const cases = responses("gemini");
  expect(cases.length).toBe(Object.keys(GEMINI).length * 7);
  expectClean(typeCheck({ "gemini.mts": module(GEMINI_HEADER, (event) => GEMINI[event] ?? "never", cases) }));
});

test("the Gemini check rejects a decision Gemini does not know", () => {
  const bad = module(GEMINI_HEADER, () => "BeforeToolOutput", [["control", "BeforeTool", { decision: "maybe" }]]);
  const { status, output } = typeCheck({ "gemini.mts": bad });
  expect(status).not.toBe(0);
  expect(output).toContain("maybe");
});

// @github/copilot-sdk 1.0.14 (dist/types.d.ts), through the output types of its exported
// `SessionHooks` handlers. `decision: block` on postToolUse and userPromptSubmitted is read by the
// CLI (1.0.102, observed) but missing from these types (the Python SDK's
// UserPromptSubmittedHookOutput has it): the one declared extension.
const COPILOT: Record<string, string> = {
  preToolUse: 'Out<"onPreToolUse">',
  postToolUse: 'Out<"onPostToolUse"> & Blocks',
  postToolUseFailure: 'Out<"onPostToolUseFailure">',
  userPromptSubmitted: 'Out<"onUserPromptSubmitted"> & Blocks',
  userPromptTransformed: "UserPromptTransformedHookOutput",
  sessionStart: 'Out<"onSessionStart">',
  sessionEnd: 'Out<"onSessionEnd">',
  errorOccurred: 'Out<"onErrorOccurred">',
  agentStop: "AgentStopHookOutput",
  subagentStop: "AgentStopHookOutput",
  preMcpToolCall: 'Out<"onPreMcpToolCall">',
};
// Events the TypeScript SDK has no output type for.
const COPILOT_UNTYPED = ["permissionRequest", "subagentStart", "notification", "preCompact"];
const COPILOT_HEADER =
  `import type { AgentStopHookOutput, SessionHooks, UserPromptTransformedHookOutput } from "@github/copilot-sdk";\n` +
  `type Out<K extends keyof SessionHooks> = Exclude<Awaited<ReturnType<NonNullable<SessionHooks[K]>>>, void>;\n` +
  `type Blocks = { decision?: "block"; reason?: string };`;

test("every GitHub Copilot response type-checks against @github/copilot-sdk's output types", () => {
  const cases = responses("copilot");
  const typed = cases.filter(([, event]) => !COPILOT_UNTYPED.includes(event));
  expect(new Set(cases.map(([, event]) => event)).size).toBe(Object.keys(COPILOT).length + COPILOT_UNTYPED.length);
  expectClean(typeCheck({ "copilot.mts": module(COPILOT_HEADER, (event) => COPILOT[event] ?? "never", typed) }));
});

test("the Copilot check rejects an allow that would grant the call", () => {
  const bad = module(COPILOT_HEADER, () => 'Out<"onPreToolUse">', [
    ["control", "preToolUse", { permissionDecision: "approve" }],
  ]);
  const { status, output } = typeCheck({ "copilot.mts": bad });
  expect(status).not.toBe(0);
  expect(output).toContain("approve");
});

// @cline/shared 0.0.86 exports HookControl (its declarations resolve only as a bundler would) (the CLI's reading: cancel, context, overrideInput);
// `contextModification` and `errorMessage` are the subprocess hook output both Cline clients
// read (@cline/core 0.0.86 dist/hooks/subprocess.d.ts, not exported from that package).
const CLINE_HEADER =
  `import type { HookControl } from "@cline/shared";\n` +
  `type SubprocessOutput = HookControl & { contextModification?: string; errorMessage?: string };`;

test("every Cline response type-checks against @cline/shared's HookControl", () => {
  const cases = responses("cline");
  expect(cases.length).toBe(17 * 7);
  expectClean(typeCheck({ "cline.mts": module(CLINE_HEADER, () => "SubprocessOutput", cases) }, "bundler"));
  const bad = module(CLINE_HEADER, () => "SubprocessOutput", [["control", "tool_call", { cancel: "yes" }]]);
  const rejected = typeCheck({ "cline.mts": bad }, "bundler");
  expect(rejected.status).not.toBe(0);
  expect(rejected.output).toContain("boolean");
});

test("cupcake's OpenCode plugin type-checks as a Plugin, and every OpenCode response as its answer", () => {
  const cases = responses("opencode");
  expect(cases.length).toBe(4 * 7);
  const source = readFileSync(plugin, "utf8");
  const answers = module(`import type { Answer } from "./plugin.mjs";`, () => "Answer", cases);
  const control = module(`import type { Answer } from "./plugin.mjs";`, () => "Answer", [
    ["control", "tool.execute.before", { decision: "ask" }],
  ]);
  expectClean(typeCheck({ "plugin.mts": source, "answers.mts": answers }));
  const badAnswer = typeCheck({ "plugin.mts": source, "answers.mts": control });
  expect(badAnswer.status).not.toBe(0);
  expect(badAnswer.output).toContain('"ask"');
  // The Plugin type is real: a hook reading a field as the wrong type is refused.
  const wrong = source.replace("tool_name: input.tool,", "tool_name: input.tool satisfies number,");
  expect(wrong).not.toBe(source);
  expect(typeCheck({ "plugin.mts": wrong }).status).not.toBe(0);
});
