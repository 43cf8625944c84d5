/**
 * The `cupcake` package: the generated UniFFI bindings, re-exported unchanged, plus `Cupcake`,
 * a small class with camelCase names that takes and returns plain objects.
 *
 * Everything a policy decides, every check of an event and every error message comes from the
 * Rust engine; this file only translates names and turns an event object into JSON text.
 */

// Importing the generated package loads the native library (generated/libcupcake.so).
import { Engine, Harness, load_engine } from "../generated/index.js";
import type { Decision, EngineOptions } from "../generated/index.js";

export {
  CupcakeError,
  CupcakeErrorConfig,
  CupcakeErrorEvaluation,
  CupcakeErrorInternal,
  CupcakeErrorInvalidInput,
  CupcakeErrorLimitExceeded,
  CupcakeErrorOpaNotFound,
  CupcakeErrorPolicyCompile,
  CupcakeErrorUnsupportedBuiltin,
  DecisionKind,
  Engine,
  Harness,
  export_bundle,
  load_engine,
  version,
} from "../generated/index.js";
export type { Decision, EngineOptions } from "../generated/index.js";

/** The agent an engine answers for, in the spelling used by `Cupcake.init`. */
export type HarnessName = "claude" | "cursor";

/** Options of `Cupcake.init`; each maps to the `EngineOptions` field of the same meaning. */
export interface CupcakeOptions {
  /** Which agent's events and responses to use (default `"claude"`). */
  harness?: HarnessName;
  /** Path to the OPA binary; otherwise PATH, then cupcake's cache directory. */
  opaPath?: string;
  /** Wall-clock budget of one evaluation in milliseconds (engine default 500). */
  timeoutMs?: number;
  /** Largest policy memory in bytes (engine default 256 MiB). */
  memoryLimitBytes?: number | bigint;
  /** Global policy directory, evaluated first (default `~/.config/cupcake` when present). */
  globalDir?: string;
  /** Root of the compile cache (default `~/.cache/cupcake`). */
  cacheDir?: string;
  /** A bundle written by `exportBundle` or `cupcake compile`, loaded instead of `path`; no OPA needed. */
  bundle?: string;
}

const harnesses: Readonly<Record<HarnessName, Harness>> = {
  claude: Harness.Claude,
  cursor: Harness.Cursor,
};

/** A loaded policy set: load once with `Cupcake.init`, then evaluate any number of events. */
export class Cupcake {
  /** The generated engine, for callers that want the raw JSON-text API. */
  readonly engine: Engine;

  private constructor(engine: Engine) {
    this.engine = engine;
  }

  /**
   * Loads and compiles the policies found from `path` (a `.cupcake` directory or its parent)
   * on cupcake's thread pool, so the event loop keeps running while OPA compiles.
   */
  static async init(path = ".cupcake", options: CupcakeOptions = {}): Promise<Cupcake> {
    const engineOptions: EngineOptions = {
      harness: harnesses[options.harness ?? "claude"],
      opa_path: options.opaPath,
      timeout_ms: options.timeoutMs,
      memory_limit_bytes: options.memoryLimitBytes,
      global_dir: options.globalDir,
      cache_dir: options.cacheDir,
    };
    if (options.bundle !== undefined) {
      return new Cupcake(Engine.from_bundle(options.bundle, engineOptions));
    }
    return new Cupcake(await load_engine(path, engineOptions));
  }

  /** Evaluates one hook event on cupcake's thread pool; the event loop keeps running. */
  evaluate(event: object): Promise<Decision> {
    return this.engine.evaluate_async(JSON.stringify(event));
  }

  /** Evaluates one hook event on the calling thread, blocking it until the decision is made. */
  evaluateSync(event: object): Decision {
    return this.engine.evaluate(JSON.stringify(event));
  }

  /** The harness this engine answers for. */
  get harness(): Harness {
    return this.engine.harness();
  }

  /** Frees the native engine now instead of when it is garbage-collected. */
  dispose(): void {
    this.engine.dispose();
  }
}
