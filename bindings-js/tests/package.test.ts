// The built package through its exports map: `import "cupcake"` loads dist/index.js, and
// `require("cupcake")` loads dist/require.cjs, which on this Node (with require() of ES
// modules) hands back that same ESM build. Both evaluate real events. The CommonJS build for
// older runtimes is run as a child process by examples.test.ts.
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as facade from "../src/index.js";
import { repoRoot } from "./support.js";

type Package = typeof facade;

const require = createRequire(import.meta.url);
const dist = join(repoRoot, "bindings-js", "dist");
const project = join(repoRoot, "examples", "project");
const rmRf = {
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: { command: "rm -rf build/" },
};

/** Loads policies through `pkg`, evaluates a denied event and a guarded call, and disposes. */
async function exercise(pkg: Package): Promise<void> {
  const cupcake = await pkg.Cupcake.init(project);
  const decision = await cupcake.evaluate(rmRf);
  expect(decision).toBeInstanceOf(pkg.Decision);
  expect(decision.kind).toBe(pkg.DecisionKind.Deny);
  expect(decision.blocked).toBe(true);
  expect(cupcake.evaluateSync(rmRf).rule_ids).toEqual(["SHELL-RM"]);

  const ran: string[] = [];
  const bash = pkg.guard((input: { command: string }) => ran.push(input.command), {
    engine: cupcake,
    tool: "Bash",
  });
  await expect(bash({ command: "ls" })).resolves.toBe(1);
  await expect(bash({ command: "rm -rf /" })).rejects.toBeInstanceOf(pkg.Denied);
  expect(ran).toEqual(["ls"]);

  const error: unknown = await pkg.Cupcake.init(join(project, "missing")).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(pkg.CupcakeErrorConfig);
  expect((error as facade.CupcakeError).code).toBe("CONFIG");
  cupcake.dispose();
}

describe("import", () => {
  test("loads the built facade over the generated bindings", async () => {
    const built = (await import("cupcake")) as Package;
    expect(Object.keys(built).sort()).toEqual(Object.keys(facade).sort());
    expect(built.Cupcake).not.toBe(facade.Cupcake); // dist/, not the source
    // One instance of the generated bindings, whichever way they were reached.
    expect(built.CupcakeErrorInvalidInput).toBe(facade.CupcakeErrorInvalidInput);
    expect(built.Engine).toBe(facade.Engine);
  });

  test("evaluates a real event", async () => {
    await exercise((await import("cupcake")) as Package);
  });
});

describe("require", () => {
  test("resolves to dist/require.cjs, which returns the ESM build", async () => {
    expect(process.features.require_module).toBe(true);
    expect(require.resolve("cupcake")).toBe(join(dist, "require.cjs"));
    const required = require("cupcake") as Package;
    const imported = (await import("cupcake")) as Package;
    expect(Object.keys(required).sort()).toEqual(Object.keys(imported).sort());
    expect(required.Cupcake).toBe(imported.Cupcake);
    expect(required.CupcakeError).toBe(facade.CupcakeError);
  });

  test("evaluates a real event", async () => {
    await exercise(require("cupcake") as Package);
  });
});
