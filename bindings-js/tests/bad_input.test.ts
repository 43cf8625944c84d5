// Bad input that only a JavaScript caller can send: strings holding lone surrogates, and a harness
// the enum does not have. The shared matrix (tests/conformance/bad_input) runs in
// conformance.test.ts; here each rejection must be a typed error or a TypeError thrown before
// Rust is called, never a crash, and the engine must answer the next event.
//
// What happens to a lone surrogate ("\uD800" in a string):
// - as a plain object through `Cupcake`, JSON.stringify escapes it as \ud800 and the engine
//   rejects the JSON: CupcakeErrorInvalidInput;
// - inside JSON text handed to the engine, the generated bindings encode the string with
//   TextEncoder, which (per the WHATWG Encoding Standard) replaces each lone surrogate with U+FFFD.
//   Rust receives valid UTF-8 and decides exactly as for the same text with U+FFFD: no error, and
//   nothing is hidden from a policy, since every other character arrives unchanged.
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Cupcake, CupcakeErrorInvalidInput, DecisionKind, Engine, Harness } from "../src/index.js";
import type { HarnessName } from "../src/index.js";
import { conformanceDir } from "./support.js";

const badInput = join(conformanceDir, "bad_input");
const forbidden = { hook_event_name: "PreToolUse", tool_name: "Forbidden" };
const surrogates = ["\uD800", "\uDFFF", "a\uDC00b"];

let cupcake: Cupcake;

beforeAll(async () => {
  cupcake = await Cupcake.init(badInput);
});

afterAll(() => {
  cupcake.dispose();
});

/** The engine still decides an ordinary event correctly, synchronously and on the pool. */
async function answers(): Promise<void> {
  for (const decision of [cupcake.evaluateSync(forbidden), await cupcake.evaluate(forbidden)]) {
    expect([decision.kind, decision.reason, decision.rule_ids]).toEqual([
      DecisionKind.Deny,
      "ordinary decision",
      ["ORDINARY"],
    ]);
  }
}

const withCommand = (value: string): object => ({ ...forbidden, tool_input: { command: value } });

/** JSON text with `value` kept as it is, not escaped: what a hand-built string would hold. */
const rawText = (event: Record<string, unknown>, value: string): string =>
  JSON.stringify(event).replace("@@", value);

test.each(surrogates)("a lone surrogate in an object is InvalidInput (%#)", async (surrogate) => {
  expect(() => cupcake.evaluateSync(withCommand(surrogate))).toThrow(CupcakeErrorInvalidInput);
  await expect(cupcake.evaluate(withCommand(surrogate))).rejects.toThrow(/not valid JSON/);
  await answers();
});

test.each(surrogates)("a lone surrogate in JSON text arrives as U+FFFD (%#)", async (surrogate) => {
  const event = { ...forbidden, tool_input: { command: "rm -rf /@@" } };
  const text = rawText(event, surrogate);
  const replaced = rawText(event, surrogate.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
  expect(text).not.toBe(replaced);
  const sync = cupcake.engine.evaluate(text);
  expect(sync).toEqual(cupcake.engine.evaluate(replaced));
  expect(sync.kind).toBe(DecisionKind.Deny);
  expect(await cupcake.engine.evaluate_async(text)).toEqual(sync);
  await answers();
});

test("a lone surrogate in the event name makes it an unknown event, as U+FFFD would", async () => {
  const event = { ...forbidden, hook_event_name: "PreToolUse@@" };
  const decision = cupcake.engine.evaluate(rawText(event, "\uD800"));
  expect(decision).toEqual(cupcake.engine.evaluate(rawText(event, "\uFFFD")));
  // Unknown events pass through (SPEC §5, §10), exactly like any other unknown name.
  expect(decision.kind).toBe(DecisionKind.Allow);
  expect(JSON.parse(decision.response)).toEqual({});
  await answers();
});

test("an unknown harness is refused before loading, with a TypeError", async () => {
  await expect(Cupcake.init(badInput, { harness: "aider" as unknown as HarnessName })).rejects.toThrow(TypeError);
  // The message lists the names Node accepts, the CLI's.
  await expect(Cupcake.init(badInput, { harness: "aider" as unknown as HarnessName })).rejects.toThrow(
    "unknown harness 'aider'; expected one of claude (also claude-code, claude_code), cursor",
  );
  const options = {
    harness: "Aider" as unknown as Harness,
    opa_path: undefined,
    timeout_ms: undefined,
    memory_limit_bytes: undefined,
    global_dir: undefined,
    cache_dir: undefined,
    download_opa: undefined,
  };
  expect(() => new Engine(badInput, options)).toThrow(/Harness values must be one of/);
  await answers();
});

test("an event of the wrong type is refused", async () => {
  // The generated Engine turns any value into text with TextEncoder (String(value)), so a
  // non-string arrives as text the engine rejects with a typed error.
  const raw = (value: unknown): string => value as string;
  expect(() => cupcake.engine.evaluate(raw(42))).toThrow(/expected a JSON object, got number/);
  expect(() => cupcake.engine.evaluate(raw(undefined))).toThrow(/event is empty/);
  expect(() => cupcake.engine.evaluate(raw({ hook_event_name: "PreToolUse" }))).toThrow(/not valid JSON/);
  expect(() => cupcake.engine.evaluate(raw(42))).toThrow(CupcakeErrorInvalidInput);
  // JSON.stringify cannot serialise a BigInt.
  expect(() => cupcake.evaluateSync({ ...forbidden, n: 1n })).toThrow(TypeError);
  await answers();
});
