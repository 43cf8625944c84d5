// Every item interface.udl declares is reachable from the Node package (the Python package has
// the same test, bindings-py/tests/test_parity.py); the items come from tests/parity/udl_items.py,
// which reads the UDL itself. Also the facade's disposal and cancellation.
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as cupcake from "../src/index.js";
import { Cupcake, CupcakeError, CupcakeErrorConfig, DecisionKind } from "../src/index.js";
import { conformanceDir, repoRoot, testsDir } from "./support.js";
import { typeCheck } from "./typecheck.js";

interface UdlItems {
  functions: string[];
  enums: Record<string, string[]>;
  errors: Record<string, string[]>;
  error_fields: Record<string, Record<string, string[]>>;
  dictionaries: Record<string, string[]>;
  interfaces: Record<string, string[]>;
}

function udlItems(): UdlItems {
  const run = spawnSync("python3", [join(repoRoot, "tests", "parity", "udl_items.py")], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`udl_items.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as UdlItems;
}

const udl = udlItems();
const exported = cupcake as unknown as Record<string, unknown>;
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const verbs = join(conformanceDir, "verbs");
const rmRf = {
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: { command: "rm -rf /tmp/x" },
};

describe("every UDL item is reachable", () => {
  test.each(udl.functions)("function %s", (name) => {
    expect(typeof exported[name], `cupcake.${name}`).toBe("function");
  });

  test.each(Object.keys(udl.enums))("enum %s with every variant", (name) => {
    const values = Object.values(exported[name] as object);
    expect(values.length, name).toBe(udl.enums[name]?.length);
  });

  test.each(udl.errors.CupcakeError ?? [])("error kind %s", (variant) => {
    const error = exported[`CupcakeError${variant}`];
    expect(typeof error, `CupcakeError${variant}`).toBe("function");
    expect((error as { prototype: object }).prototype).toBeInstanceOf(CupcakeError);
    // Every field of the variant, in UDL order, is a property of the thrown object.
    const fields = udl.error_fields.CupcakeError?.[variant] ?? [];
    const values = fields.map((field) => `${field} value`);
    const instance = new (error as new (...args: string[]) => Record<string, unknown>)(...values);
    for (const [index, field] of fields.entries()) expect(instance[field], field).toBe(values[index]);
    expect(instance.code, "code").toBeTypeOf("string");
  });

  test.each(Object.keys(udl.interfaces))("interface %s with every method", (name) => {
    const type = exported[name] as Record<string, unknown> & { prototype: Record<string, unknown> };
    for (const method of udl.interfaces[name] ?? []) {
      const found = type.prototype[method] ?? type[method];
      expect(typeof found, `${name}.${method}`).toBe("function");
    }
  });

  test("every Decision field on the facade Decision", async () => {
    using engine = await Cupcake.init(verbs);
    const decision = (await engine.evaluate(rmRf)) as unknown as Record<string, unknown>;
    for (const field of udl.dictionaries.Decision ?? []) {
      expect(field in decision, `Decision.${field}`).toBe(true);
    }
  });

  test("every HookReply field", () => {
    const reply = cupcake.failure_response(cupcake.Harness.Claude, "{}", "parity");
    for (const field of udl.dictionaries.HookReply ?? []) {
      expect(field in reply, `HookReply.${field}`).toBe(true);
    }
  });

  test("every EngineOptions field is a CupcakeOptions key (tsc)", () => {
    const keys = (udl.dictionaries.EngineOptions ?? []).map(camel);
    const facade = JSON.stringify(join(testsDir, "..", "dist", "index.js"));
    const source =
      `import type { CupcakeOptions } from ${facade};\n` +
      `const keys: Array<keyof CupcakeOptions> = ${JSON.stringify(keys)};\n` +
      `export { keys };\n`;
    const check = typeCheck(tmpdir(), { "options.ts": source });
    expect(check.status, check.output).toBe(0);
    // The control: a key CupcakeOptions does not have must fail the same check.
    const control = typeCheck(tmpdir(), {
      "options.ts": source.replace(JSON.stringify(keys), JSON.stringify([...keys, "noSuchOption"])),
    });
    expect(control.status).not.toBe(0);
  });
});

describe("disposal and cancellation", () => {
  test("an engine used after dispose() throws CupcakeErrorConfig", async () => {
    const engine = await Cupcake.init(verbs);
    engine.dispose();
    engine.dispose();
    expect(() => engine.evaluateSync(rmRf)).toThrow(CupcakeErrorConfig);
    await expect(engine.evaluate(rmRf)).rejects.toBeInstanceOf(CupcakeErrorConfig);
    expect(() => engine.harness).toThrow(CupcakeErrorConfig);
  });

  test("`using` disposes at the end of the scope", async () => {
    let escaped: Cupcake;
    {
      using engine = await Cupcake.init(verbs);
      escaped = engine;
      expect((await engine.evaluate(rmRf)).kind).toBe(DecisionKind.Deny);
    }
    expect(() => escaped.evaluateSync(rmRf)).toThrow(CupcakeErrorConfig);
  });

  test("an aborted signal rejects with its reason, and the engine keeps working", async () => {
    using engine = await Cupcake.init(verbs);
    const reason = new Error("caller gave up");
    await expect(engine.evaluate(rmRf, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const pending = engine.evaluate(rmRf, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const live = new AbortController();
    expect((await engine.evaluate(rmRf, { signal: live.signal })).kind).toBe(DecisionKind.Deny);
  });
});
