// Runs the shared cases in tests/conformance/ through the raw generated Engine: one test per
// case, named by its note, with each area's engine loaded once. Skips live in
// conformance-skips.json as {"<note>": {"reason": "...", "issue": "..."}}.
//
// A case may build its event from `input_parts` ([text, n] pairs, for inputs too large to store)
// or carry `load` instead of an event (load another engine and expect `want_error`); an area's
// `follow_up` event runs on the area's engine after every case. See the Rust runner,
// core/tests/it/conformance.rs, for the full description.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { CupcakeError, Engine, parse_harness, type DecisionRecord } from "../src/index.js";
import { conformanceDir, testsDir } from "./support.js";

interface WantError {
  kind: string;
  contains: string;
}
interface Check {
  input?: unknown;
  input_text?: string;
  input_parts?: [string, number][];
  load?: { policy_dir?: string; unreadable?: boolean };
  want_result?: Record<string, unknown>;
  want_error?: WantError;
}
interface Case extends Check {
  note: string;
}
interface Area {
  harness: string;
  global_dir?: string;
  /** Load the area's engine from this directory, given relative to the working directory. */
  policy_dir_relative?: string;
  load_error?: WantError;
  follow_up?: Check;
  cases: Case[];
}
type Skips = Record<string, { reason?: string; issue?: string } | undefined>;

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));
const skips = readJson(join(testsDir, "conformance-skips.json")) as Skips;
// An area is a directory with cases.json (others, such as library/, hold shared fixtures).
const areas = readdirSync(conformanceDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(conformanceDir, entry.name, "cases.json")))
  .map((entry) => entry.name)
  .sort();
const notes = new Set<string>();

/**
 * Why a mode-000 directory proves nothing here, or undefined. Root reads it anyway; the CLI
 * suite (cli/tests/bad_input.rs) runs that case as an unprivileged user instead.
 */
function unreadableUnsupported(): string | undefined {
  if (process.platform === "win32") return "this platform has no permission bits";
  const probe = mkdtempSync(join(tmpdir(), "cupcake-probe-"));
  chmodSync(probe, 0o000);
  try {
    readdirSync(probe);
    return "permission bits are not enforced for this user (root ignores them)";
  } catch {
    return undefined;
  } finally {
    chmodSync(probe, 0o700);
    rmSync(probe, { recursive: true });
  }
}
const unreadableSkip = unreadableUnsupported();

/** A case with `load`: loads that engine with the area's options (it should throw). */
function loadOther(spec: Area, areaDir: string, what: NonNullable<Check["load"]>): Engine {
  if (what.unreadable !== true) return load(spec, areaDir, what.policy_dir ?? "");
  const root = mkdtempSync(join(tmpdir(), "cupcake-unreadable-"));
  mkdirSync(join(root, "policies", "claude"), { recursive: true });
  chmodSync(root, 0o000);
  try {
    return load(spec, areaDir, root);
  } finally {
    chmodSync(root, 0o700);
    rmSync(root, { recursive: true });
  }
}

function eventText(c: Check): string {
  if (c.input_text !== undefined) return c.input_text;
  if (c.input_parts !== undefined) return c.input_parts.map(([text, count]) => text.repeat(count)).join("");
  return JSON.stringify(c.input);
}

/** An engine with the options of the area in `areaDir`, from `path` (default: the area). */
function load(spec: Area, areaDir: string, path = areaDir): Engine {
  return new Engine(path, {
    harness: parse_harness(spec.harness),
    opa_path: undefined,
    timeout_ms: undefined,
    memory_limit_bytes: undefined,
    global_dir: spec.global_dir === undefined ? undefined : join(areaDir, spec.global_dir),
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
        const areaDir = join(conformanceDir, area);
        const from =
          spec.policy_dir_relative === undefined
            ? areaDir
            : relative(process.cwd(), join(areaDir, spec.policy_dir_relative)) || ".";
        loaded = { engine: load(spec, areaDir, from) };
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

  const run = (c: Check): void => {
    if (c.load !== undefined) {
      let thrown: unknown;
      try {
        loadOther(spec, join(conformanceDir, area), c.load);
      } catch (error) {
        thrown = error;
      }
      expectError(thrown, c.want_error ?? { kind: "(a want_error)", contains: "" });
      return;
    }
    const text = eventText(c);
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
      throw new Error("a case needs want_result or want_error");
    }
  };

  for (const c of spec.cases) {
    notes.add(c.note);
    const skip = skips[c.note] ?? (c.load?.unreadable ? unreadableSkip : undefined);
    test.skipIf(skip !== undefined)(c.note, () => {
      run(c);
      // The same engine answers an ordinary event correctly after this case.
      if (spec.follow_up !== undefined) run(spec.follow_up);
    });
  }
}

test("conformance skips name a known case and give a reason", () => {
  for (const [note, skip] of Object.entries(skips)) {
    expect(notes.has(note), `skip for unknown case ${note}`).toBe(true);
    expect(skip?.reason?.trim() ?? "", `skip for ${note} needs a reason`).not.toBe("");
  }
});
