// Runs the shared cases in tests/conformance/ through the raw generated Engine: one test per
// case, named by its note, with each area's engine loaded once. Skips live in
// conformance-skips.json as {"<note>": {"reason": "...", "issue": "..."}}.
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { CupcakeError, Engine, Harness, type DecisionRecord } from "../src/index.js";
import { conformanceDir, testsDir } from "./support.js";

interface WantError {
  kind: string;
  contains: string;
}
interface Case {
  note: string;
  input?: unknown;
  input_text?: string;
  want_result?: Record<string, unknown>;
  want_error?: WantError;
}
interface Area {
  harness: string;
  global_dir?: string;
  load_error?: WantError;
  cases: Case[];
}
type Skips = Record<string, { reason?: string; issue?: string } | undefined>;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));
const skips = readJson(join(testsDir, "conformance-skips.json")) as Skips;
const areas = readdirSync(conformanceDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const notes = new Set<string>();

function load(area: string, spec: Area): Engine {
  const harness = spec.harness.charAt(0).toUpperCase() + spec.harness.slice(1);
  return new Engine(join(conformanceDir, area), {
    harness: harness as Harness,
    opa_path: undefined,
    timeout_ms: undefined,
    memory_limit_bytes: undefined,
    global_dir: spec.global_dir === undefined ? undefined : join(conformanceDir, area, spec.global_dir),
    cache_dir: undefined,
    download_opa: undefined,
  });
}

function expectError(thrown: unknown, want: WantError): void {
  expect(thrown, "expected a CupcakeError").toBeInstanceOf(CupcakeError);
  const error = thrown as CupcakeError;
  expect(error.tag).toBe(want.kind);
  expect(error.message).toContain(want.contains);
}

function expectResult(decision: DecisionRecord, want: Record<string, unknown>): void {
  const got: Record<string, unknown> = { ...decision };
  for (const [key, value] of Object.entries(want)) {
    if (key === "updated_input") {
      const text = decision.updated_input;
      expect(text === undefined ? null : JSON.parse(text), key).toEqual(value);
    } else if (key === "response") {
      expect(JSON.parse(decision.response), key).toEqual(value);
    } else {
      expect(got[key], key).toEqual(value);
    }
  }
}

for (const area of areas) {
  // `$AREA` stands for the area's canonical path, so cases can name real files.
  const text = readFileSync(join(conformanceDir, area, "cases.json"), "utf8");
  const spec = JSON.parse(text.replaceAll("$AREA", realpathSync(join(conformanceDir, area)))) as Area;
  let loaded: { engine: Engine } | { error: unknown } | undefined;
  const engine = (): Engine => {
    if (loaded === undefined) {
      try {
        loaded = { engine: load(area, spec) };
      } catch (error) {
        loaded = { error };
      }
    }
    if ("error" in loaded) throw loaded.error;
    return loaded.engine;
  };

  if (spec.load_error !== undefined) {
    const want = spec.load_error;
    test(`${area}/load-error`, () => {
      expect(engine).toThrow();
      expectError((loaded as { error: unknown }).error, want);
    });
  }

  for (const c of spec.cases) {
    notes.add(c.note);
    const skip = skips[c.note];
    test.skipIf(skip !== undefined)(c.note, () => {
      const text = c.input_text ?? JSON.stringify(c.input);
      if (c.want_error !== undefined) {
        let thrown: unknown;
        try {
          engine().evaluate(text);
        } catch (error) {
          thrown = error;
        }
        expectError(thrown, c.want_error);
      } else if (c.want_result !== undefined) {
        expectResult(engine().evaluate(text), c.want_result);
      } else {
        throw new Error(`case ${c.note} has neither want_result nor want_error`);
      }
    });
  }
}

test("conformance skips name a known case and give a reason", () => {
  for (const [note, skip] of Object.entries(skips)) {
    expect(notes.has(note), `skip for unknown case ${note}`).toBe(true);
    expect(skip?.reason?.trim() ?? "", `skip for ${note} needs a reason`).not.toBe("");
  }
});
