// Binding behaviour of the Cupcake facade: loading, the shape of a decision, and each kind of
// bad input surfacing as its own Error subclass, with its `code`, while the engine keeps working.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as facade from "../src/index.js";
import {
  Cupcake,
  CupcakeError,
  CupcakeErrorConfig,
  CupcakeErrorInvalidInput,
  CupcakeErrorLimitExceeded,
  CupcakeErrorOpaNotFound,
  CupcakeErrorPolicyCompile,
  DecisionKind,
  Engine,
  Harness,
  version,
} from "../src/index.js";
import { conformanceDir, fixture, freshProject, repoRoot, slowEvent } from "./support.js";

const forbidden = { hook_event_name: "PreToolUse", tool_name: "Forbidden" };
const npmInstall = {
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: { command: "npm install" },
};

let cupcake: Cupcake;

beforeAll(async () => {
  cupcake = await Cupcake.init(join(conformanceDir, "input_errors"));
});

/** Awaits `promise` and returns what it rejected with, failing if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

/** Calls `run` and returns what it threw, failing if it returned. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail("expected an exception");
}

/** The `code` of each error class, by class name. */
const codes: Record<string, string> = {
  CupcakeErrorConfig: "CONFIG",
  CupcakeErrorEvaluation: "EVALUATION",
  CupcakeErrorInternal: "INTERNAL",
  CupcakeErrorInvalidInput: "INVALID_INPUT",
  CupcakeErrorLimitExceeded: "LIMIT_EXCEEDED",
  CupcakeErrorOpaNotFound: "OPA_NOT_FOUND",
  CupcakeErrorPolicyCompile: "POLICY_COMPILE",
  CupcakeErrorUnsupportedBuiltin: "UNSUPPORTED_BUILTIN",
};

/** Checks that `error` is a CupcakeError of class `kind` with its tag, code and message text. */
function expectCupcakeError(
  error: unknown,
  kind: new (message: string, ...located: never[]) => CupcakeError,
  text: string,
): void {
  expect(error).toBeInstanceOf(kind);
  expect(error).toBeInstanceOf(CupcakeError);
  expect(error).toBeInstanceOf(Error);
  const { tag, code, message, name } = error as CupcakeError;
  expect(tag).toBe(kind.name.replace(/^CupcakeError/, ""));
  expect(code).toBe(codes[kind.name]);
  expect(name).toBe(kind.name);
  expect(message).toContain(text);
}

describe("errors", () => {
  test("every error kind is its own subclass of CupcakeError, with a code", () => {
    const kinds = Object.entries(facade).filter(([name]) => /^CupcakeError./.test(name));
    expect(kinds.map(([name]) => name.replace("CupcakeError", "")).sort()).toEqual([
      "Config",
      "Evaluation",
      "Internal",
      "InvalidInput",
      "LimitExceeded",
      "OpaNotFound",
      "PolicyCompile",
      "UnsupportedBuiltin",
    ]);
    for (const [name, kind] of kinds) {
      expect((kind as typeof CupcakeError).prototype).toBeInstanceOf(CupcakeError);
      const error = new (kind as new (message: string) => CupcakeError)("made by hand");
      expect(error.code, name).toBe(codes[name]);
    }
  });
});

describe("loading", () => {
  test("version is the package version", () => {
    expect(version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("init defaults to the claude harness and takes cursor", async () => {
    expect(cupcake.harness).toBe(Harness.Claude);
    const cursor = await Cupcake.init(join(conformanceDir, "input_errors"), { harness: "cursor" });
    expect(cursor.harness).toBe(Harness.Cursor);
    cursor.dispose();
  });

  test("init takes every harness spelling the CLI takes, and names them on a typo", async () => {
    const dir = join(conformanceDir, "input_errors");
    for (const name of ["claude-code", "claude_code"] as const) {
      const engine = await Cupcake.init(dir, { harness: name });
      expect(engine.harness).toBe(Harness.Claude);
      engine.dispose();
    }
    await expect(
      Cupcake.init(dir, { harness: "aider" as "cursor" }),
    ).rejects.toThrow("expected one of claude (also claude-code, claude_code), cursor");
  });

  test("init finds .cupcake under the current directory by default", async () => {
    const project = freshProject(".cupcake");
    const cwd = process.cwd();
    try {
      process.chdir(project);
      const engine = await Cupcake.init();
      expect(engine.evaluateSync(forbidden).rule_ids).toEqual(["FRESH"]);
      engine.dispose();
    } finally {
      process.chdir(cwd);
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("a missing directory is a Config error naming the path", async () => {
    const missing = join(repoRoot, "no-such-policy-dir");
    expectCupcakeError(await rejection(Cupcake.init(missing)), CupcakeErrorConfig, missing);
  });

  test("an OPA path that does not exist is OpaNotFound naming the path", async () => {
    // A policy no earlier run compiled, so no cache entry can stand in for OPA.
    const project = freshProject();
    try {
      const opaPath = join(project, "no-such-opa");
      const error = await rejection(Cupcake.init(project, { opaPath }));
      expectCupcakeError(error, CupcakeErrorOpaNotFound, opaPath);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("ensureOpa returns the OPA that init would use, or OpaNotFound", () => {
    expect(Cupcake.ensureOpa()).toMatch(/opa(\.exe)?$/);
    const opaPath = join(repoRoot, "no-such-opa");
    const error = thrown(() => Cupcake.ensureOpa({ opaPath }));
    expectCupcakeError(error, CupcakeErrorOpaNotFound, opaPath);
  });

  test("a Rego syntax error is PolicyCompile naming file and line", async () => {
    const error = await rejection(Cupcake.init(join(conformanceDir, "compile_error")));
    expectCupcakeError(error, CupcakeErrorPolicyCompile, "broken.rego:13");
    const { path, line } = error as CupcakeErrorPolicyCompile;
    expect(path).toMatch(/broken\.rego$/);
    expect(line).toBe(13);
  });

  test("path and line from a relative directory, and a Config error's path", async () => {
    const cwd = process.cwd();
    try {
      process.chdir(conformanceDir);
      const error = (await rejection(Cupcake.init("compile_error"))) as CupcakeErrorPolicyCompile;
      expectCupcakeError(error, CupcakeErrorPolicyCompile, "broken.rego:13");
      expect([error.path?.endsWith("broken.rego"), error.line]).toEqual([true, 13]);
      const missing = (await rejection(Cupcake.init("no-such-dir"))) as CupcakeErrorConfig;
      expectCupcakeError(missing, CupcakeErrorConfig, "no-such-dir");
      expect(missing.path).toMatch(/no-such-dir$/);
    } finally {
      process.chdir(cwd);
    }
  });

  test("the raw Engine constructor throws the same classes", () => {
    const options = {
      harness: Harness.Claude,
      opa_path: undefined,
      timeout_ms: undefined,
      memory_limit_bytes: undefined,
      global_dir: undefined,
      cache_dir: undefined,
      download_opa: undefined,
    };
    const error = thrown(() => new Engine(join(conformanceDir, "compile_error"), options));
    expectCupcakeError(error, CupcakeErrorPolicyCompile, "broken.rego:13");
  });
});

describe("evaluating", () => {
  test("a decision has the generated shape with JSON-text fields", async () => {
    const verbs = await Cupcake.init(join(conformanceDir, "verbs"));
    const decision = await verbs.evaluate(npmInstall);
    expect(decision.kind).toBe(DecisionKind.Modify);
    expect(decision.rule_ids).toEqual(["NPM-CI", "NPM-TIMEOUT"]);
    expect(typeof decision.updated_input).toBe("string");
    expect(JSON.parse(decision.updated_input ?? "null")).toMatchObject({ command: "npm ci" });
    expect(JSON.parse(decision.response)).toHaveProperty("hookSpecificOutput");
    expect(verbs.evaluateSync(npmInstall)).toEqual(decision);
    verbs.dispose();
  });

  test("an allow has no updated input", async () => {
    const decision = await cupcake.evaluate({ hook_event_name: "PreToolUse", tool_name: "Read" });
    expect(decision.kind).toBe(DecisionKind.Allow);
    expect(decision.updated_input).toBeUndefined();
  });

  test.each([
    ["invalid JSON", '{"hook_event_name": ', "not valid JSON"],
    ["a non-object", '["PreToolUse"]', "expected a JSON object, got array"],
  ])("%s is InvalidInput, sync and async, and the engine keeps working", async (_, text, want) => {
    const error = thrown(() => cupcake.engine.evaluate(text));
    expectCupcakeError(error, CupcakeErrorInvalidInput, want);
    expect(cupcake.evaluateSync(forbidden).kind).toBe(DecisionKind.Deny);

    const rejected = await rejection(cupcake.engine.evaluate_async(text));
    expectCupcakeError(rejected, CupcakeErrorInvalidInput, want);
    expect((await cupcake.evaluate(forbidden)).kind).toBe(DecisionKind.Deny);
  });

  test("a policy over memoryLimitBytes is LimitExceeded and the engine keeps working", async () => {
    const options = { memoryLimitBytes: 4n << 20n, timeoutMs: 5000 };
    const small = await Cupcake.init(fixture("slow"), options);
    const error = await rejection(small.evaluate(slowEvent(300_000)));
    expectCupcakeError(error, CupcakeErrorLimitExceeded, "memory limit of 4 MiB");
    expect((await small.evaluate(slowEvent(70))).reason).toBe("counted 10");
    small.dispose();
  });

  test("JSON text through the facade goes to the engine as it is", async () => {
    const text = '{"hook_event_name": ';
    expectCupcakeError(thrown(() => cupcake.evaluateSync(text)), CupcakeErrorInvalidInput, "not valid JSON");
    expectCupcakeError(await rejection(cupcake.evaluate(text)), CupcakeErrorInvalidInput, "not valid JSON");
    expect((await cupcake.evaluate(JSON.stringify(forbidden))).kind).toBe(DecisionKind.Deny);
  });

  test("a non-object event through the facade is InvalidInput", async () => {
    const list = ["PreToolUse"];
    const error = thrown(() => cupcake.evaluateSync(list));
    expectCupcakeError(error, CupcakeErrorInvalidInput, "got array");
    const rejected = await rejection(cupcake.evaluate(list));
    expectCupcakeError(rejected, CupcakeErrorInvalidInput, "got array");
    expect((await cupcake.evaluate(forbidden)).reason).toBe("denied");
  });
});

afterAll(() => {
  cupcake.dispose();
});

describe("bundles", () => {
  test("a bundle exported from Node loads through the facade without OPA", async () => {
    const dir = freshProject();
    const bundle = join(dir, "policies.bundle");
    facade.export_bundle(join(repoRoot, "examples", "project"), {
      harness: Harness.Claude,
      opa_path: undefined,
      timeout_ms: undefined,
      memory_limit_bytes: undefined,
      global_dir: undefined,
      cache_dir: join(dir, "cache"),
      download_opa: undefined,
    }, bundle);
    const loaded = await Cupcake.init(undefined, { bundle, opaPath: "/no/such/opa", cacheDir: join(dir, "cache") });
    const decision = await loaded.evaluate({
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_input: { command: "rm -rf /" },
    });
    expect(decision.kind).toBe("Deny");
    const error = await Cupcake.init(undefined, { bundle: join(dir, "missing.bundle") }).catch((e: unknown) => e);
    expectCupcakeError(error, CupcakeErrorConfig, "cupcake compile");
  });
});

