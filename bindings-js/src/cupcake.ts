/**
 * `Cupcake`: a loaded policy set with camelCase names that takes events as plain objects (or
 * their JSON text) and returns `Decision` objects. It turns an event into JSON text, calls the
 * generated `Engine` and wraps the record it returns; the engine does everything else.
 */

import {
  CupcakeErrorConfig,
  Engine,
  Harness,
  ensure_opa,
  export_bundle,
  load_engine,
  parse_harness,
} from "../generated/index.js";
import type { EngineOptions } from "../generated/index.js";
import { Decision } from "./decision.js";
import { withSlot } from "./in-flight.js";

/**
 * The agent an engine answers for, in the spelling used by `Cupcake.init`. The core decides
 * which names are valid (aliases such as "claude-code" included); the canonical ones are listed
 * for completion.
 */
export type HarnessName =
  | "claude"
  | "cursor"
  | "gemini"
  | "copilot"
  | "windsurf"
  | "factory"
  | "opencode"
  | "cline"
  | (string & {});

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
  /** Root of the compile cache, and of `bin/` where OPA is looked for (default `~/.cache/cupcake`). */
  cacheDir?: string;
  /** When no OPA is found, download the pinned, checksum-verified release into the cache (default false). */
  downloadOpa?: boolean;
  /** A bundle written by `export_bundle` or `cupcake compile`, loaded instead of `path`; no OPA needed. */
  bundle?: string;
}

/** A hook event: a plain object, or its JSON text passed to the engine as it is. */
export type HookEvent = object | string;

/** Options of one `Cupcake.evaluate` call. */
export interface EvaluateOptions {
  /**
   * Stops waiting: the promise rejects with the signal's reason once it aborts. The evaluation
   * already handed to the engine still finishes (within the engine's deadline) and is dropped.
   */
  signal?: AbortSignal;
}

/** The core's reading of a harness name; a name it refuses is a TypeError with its message. */
function harnessOf(name: HarnessName): Harness {
  try {
    return parse_harness(name);
  } catch (err) {
    throw new TypeError(err instanceof Error ? err.message : String(err));
  }
}

function engineOptions(options: CupcakeOptions): EngineOptions {
  return {
    // The core parses names, so Node accepts exactly what the CLI and Python accept.
    harness: harnessOf(options.harness ?? "claude"),
    opa_path: options.opaPath,
    timeout_ms: options.timeoutMs,
    memory_limit_bytes: options.memoryLimitBytes,
    global_dir: options.globalDir,
    cache_dir: options.cacheDir,
    download_opa: options.downloadOpa,
  };
}

function eventJson(event: HookEvent): string {
  return typeof event === "string" ? event : JSON.stringify(event);
}

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
    if (options.bundle !== undefined) {
      return new Cupcake(Engine.from_bundle(options.bundle, engineOptions(options)));
    }
    const native = engineOptions(options);
    return new Cupcake(await withSlot(() => load_engine(path, native)));
  }

  /**
   * Finds the OPA binary `init` would compile with (`opaPath`, `PATH`, the cache directory, then
   * a download if `downloadOpa` is set) and returns its path, so a hook can fetch OPA ahead of
   * its first call. Throws `CupcakeErrorOpaNotFound` when there is none.
   */
  static ensureOpa(options: CupcakeOptions = {}): string {
    return ensure_opa(engineOptions(options));
  }

  /**
   * Compiles the policies found from `path` with OPA into a bundle file at `output`, which
   * `Cupcake.init(path, { bundle: output })` loads on a machine without OPA.
   */
  static exportBundle(path: string, output: string, options: CupcakeOptions = {}): void {
    export_bundle(path, engineOptions(options), output);
  }

  /** Evaluates one hook event on cupcake's thread pool; the event loop keeps running. */
  async evaluate(event: HookEvent, options: EvaluateOptions = {}): Promise<Decision> {
    const engine = live(this);
    const json = eventJson(event);
    const { signal } = options;
    signal?.throwIfAborted();
    const pending = withSlot(() => engine.evaluate_async(json));
    if (signal === undefined) {
      return new Decision(await pending);
    }
    return new Decision(await untilAborted(pending, signal));
  }

  /** Evaluates one hook event on the calling thread, blocking it until the decision is made. */
  evaluateSync(event: HookEvent): Decision {
    return new Decision(live(this).evaluate(eventJson(event)));
  }

  /** The harness this engine answers for. */
  get harness(): Harness {
    return live(this).harness();
  }

  /**
   * Frees the native engine now instead of when it is garbage-collected; evaluating afterwards
   * throws `CupcakeErrorConfig`. Calling it again does nothing.
   */
  dispose(): void {
    if (!disposed.has(this)) {
      disposed.add(this);
      this.engine.dispose();
    }
  }

  /** `using engine = await Cupcake.init(...)` disposes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

// Disposed holders, kept outside the class so its declared type stays structural (the package
// test compares the built declarations with the sources).
const disposed = new WeakSet<Cupcake>();

/** `holder`'s engine, or `CupcakeErrorConfig` once it is disposed. */
function live(holder: Cupcake): Engine {
  if (disposed.has(holder)) {
    throw new CupcakeErrorConfig(
      "this Cupcake was disposed: load the policies again with Cupcake.init()",
      undefined,
    );
  }
  return holder.engine;
}

/** `pending`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
