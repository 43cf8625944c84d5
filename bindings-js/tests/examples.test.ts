// Runs examples/node as a user would, in child processes: the guard example through `import`,
// through `require`, and through `require` on a Node without require() of ES modules, which
// loads the CommonJS build in dist/cjs/ (what Node 18 gets).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { repoRoot } from "./support.js";

const run = promisify(execFile);
const examples = join(repoRoot, "examples", "node");
const noRequireEsm = "--no-experimental-require-module";

async function node(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, {
    cwd: join(repoRoot, "bindings-js"),
    timeout: 50_000,
  });
  return stdout;
}

describe("guard_example", () => {
  const expected = ["ran: ls -la", "refused: rm -rf build/ (Deny, SHELL-RM)", "ran: npm ci", ""];

  test.each([
    ["guard_example.mjs", []],
    ["guard_example.cjs", []],
    ["guard_example.cjs", [noRequireEsm]],
  ])("%s %j allows one call, refuses one and changes one", async (file, flags) => {
    const stdout = await node(...flags, join(examples, file));
    expect(stdout.split("\n")).toEqual(expected);
  });
});

describe("require entry", () => {
  // Which copy of the bindings `require("cupcake")` loaded, by the modules in require.cache.
  const probe = [
    "-e",
    'require("cupcake"); console.log(Object.keys(require.cache).some((p) => p.includes("/dist/cjs/generated/")))',
  ];

  test("uses the ESM build where require() loads ES modules", async () => {
    expect(await node(...probe)).toBe("false\n");
  });

  // Bun always loads ES modules with require() and has no switch to turn that off.
  test.skipIf(process.versions["bun"] !== undefined)("falls back to the CommonJS build elsewhere", async () => {
    expect(await node(noRequireEsm, ...probe)).toBe("true\n");
  });
});
