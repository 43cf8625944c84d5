// The real Claude Agent SDK (the pinned @anthropic-ai/claude-agent-sdk from ci/tools.sh) runs a
// query whose PreToolUse hook is claudeAgentSdkHook, against the loopback fake Messages API of
// cli/tests/live: the SDK spawns the Claude Code CLI and calls the callback over its control
// protocol, exactly as an application's hooks run. No network, no key.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Cupcake, claudeAgentSdkHook } from "../src/index.js";
import { conformanceDir, repoRoot } from "./support.js";

const fixturesDir = join(repoRoot, "tests", "fixtures");

const sdkDir = process.env.CUPCAKE_CLAUDE_CODE_DIR;
const fakeApi = join(repoRoot, "cli", "tests", "live", "fake-anthropic.mjs");

let api: ChildProcess;
let port = 0;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "cupcake-sdk-live-"));
  mkdirSync(join(work, "api"));
  api = spawn(process.execPath, [fakeApi, join(work, "api")], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: api.stdout! });
  port = await new Promise<number>((resolve) =>
    lines.once("line", (line) => resolve(Number(line.replace("PORT=", "")))),
  );
});

afterAll(() => {
  api.kill();
  rmSync(work, { recursive: true, force: true });
});

async function runQuery(engine: Cupcake, project: string): Promise<void> {
  if (!sdkDir) throw new Error("CUPCAKE_CLAUDE_CODE_DIR is not set: source ci/env.sh");
  const sdk = await import(join(sdkDir, "node_modules", "@anthropic-ai", "claude-agent-sdk", "sdk.mjs"));
  const home = join(work, "home");
  mkdirSync(home, { recursive: true });
  const run = sdk.query({
    prompt: "run it",
    options: {
      cwd: project,
      maxTurns: 3,
      permissionMode: "bypassPermissions",
      allowDangerouslySkipPermissions: true,
      settingSources: [],
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
        ANTHROPIC_API_KEY: "test-key",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
        IS_SANDBOX: "1",
      },
      hooks: { PreToolUse: [{ hooks: [claudeAgentSdkHook(engine)] }] },
    },
  });
  for await (const message of run) {
    if (message.type === "result") break;
  }
}

test("the SDK runs the callback, and a deny keeps the tool from running", async () => {
  // The fake model asks for `touch ran.txt`, which this fixture's policy denies.
  const project = mkdtempSync(join(work, "deny-"));
  const engine = await Cupcake.init(join(fixturesDir, "live_sdk"));
  try {
    await runQuery(engine, project);
    expect(existsSync(join(project, "ran.txt"))).toBe(false);
    // The deny's reason went back to the model as the tool's result.
    expect(readFileSync(join(work, "api", "requests.jsonl"), "utf8")).toContain("LIVE-SDK-REASON");
  } finally {
    engine.dispose();
  }
}, 120_000);

test("with nothing to deny the tool runs", async () => {
  const project = mkdtempSync(join(work, "allow-"));
  const engine = await Cupcake.init(join(conformanceDir, "verbs"));
  try {
    await runQuery(engine, project);
    expect(existsSync(join(project, "ran.txt"))).toBe(true);
  } finally {
    engine.dispose();
  }
}, 120_000);
