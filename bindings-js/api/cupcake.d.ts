import { UniffiObjectBase } from "./runtime/objects.js";



export interface ComponentMetadata {
  namespace: string;
  packageName: string;
  cdylibName: string;
  nodeEngine: string;
  bundledPrebuilds: boolean;
  manualLoad: boolean;
}

export declare const componentMetadata: Readonly<ComponentMetadata>;

export { ffiMetadata } from "./cupcake-ffi.js";


/**
 * The outcome of one evaluation.
 */
export interface Decision {
  /**
   * The winning decision kind.
   */
  "kind": DecisionKind;
  /**
   * The reason shown to the user; empty for a plain allow.
   */
  "reason": string;
  /**
   * add_context strings, on Allow.
   */
  "context": Array<string>;
  /**
   * Messages meant for the agent.
   */
  "agent_messages": Array<string>;
  /**
   * The rule ids that produced the decision.
   */
  "rule_ids": Array<string>;
  /**
   * The merged tool input as JSON text, on Modify.
   */
  "updated_input": string | undefined;
  /**
   * The harness-formatted response as JSON text: what the hook prints on stdout.
   */
  "response": string;
  /**
   * What the hook prints on stderr (exit-code protocols show it); usually empty.
   */
  "stderr": string;
  /**
   * The exit code the hook ends with; 2 blocks in exit-code protocols (Windsurf).
   */
  "exit_code": number;
}

/**
 * Settings for an engine; every field has a default, so `EngineOptions()` is a valid value.
 */
export interface EngineOptions {
  /**
   * Which agent's events and responses to use (default Claude Code).
   */
  "harness": Harness;
  /**
   * Path to the OPA binary; otherwise PATH, then cupcake's cache directory.
   */
  "opa_path": string | undefined;
  /**
   * Wall-clock budget of one evaluation in milliseconds (default 500).
   */
  "timeout_ms": number | undefined;
  /**
   * Largest policy memory in bytes (default 256 MiB).
   */
  "memory_limit_bytes": bigint | number | undefined;
  /**
   * Global policy directory, evaluated first; absent uses ~/.config/cupcake when it exists.
   */
  "global_dir": string | undefined;
  /**
   * Root of the compile cache; absent uses ~/.cache/cupcake.
   */
  "cache_dir": string | undefined;
  /**
   * When no OPA is found, download the pinned OPA release into cache_dir/bin, checked
   * against a SHA-256 built into cupcake (default false: fail with OpaNotFound).
   */
  "download_opa": boolean | undefined;
}

/**
 * What a hook prints and how it exits.
 */
export interface HookReply {
  /**
   * JSON text for stdout.
   */
  "response": string;
  /**
   * Text for stderr; usually empty.
   */
  "stderr": string;
  /**
   * The exit code; 2 blocks in exit-code protocols.
   */
  "exit_code": number;
}

/**
 * What the engine decided, from least to most severe.
 */
export declare const DecisionKind: Readonly<{
  "Allow": "Allow";
  "Modify": "Modify";
  "Ask": "Ask";
  "Block": "Block";
  "Deny": "Deny";
  "Halt": "Halt";
}>;
/**
 * What the engine decided, from least to most severe.
 */
export type DecisionKind = (typeof DecisionKind)[keyof typeof DecisionKind];

/**
 * The agent whose hook events and response format an engine speaks.
 */
export declare const Harness: Readonly<{
  "Claude": "Claude";
  "Cursor": "Cursor";
  "Gemini": "Gemini";
  "Windsurf": "Windsurf";
  "Copilot": "Copilot";
  "OpenCode": "OpenCode";
  "Factory": "Factory";
  "Cline": "Cline";
}>;
/**
 * The agent whose hook events and response format an engine speaks.
 */
export type Harness = (typeof Harness)[keyof typeof Harness];

/**
 * Every failure, by what the caller should do about it. The message of each says what
 * failed, where, and how to fix it; where a file is at fault, `path` (and `line`) name it.
 */
export declare class CupcakeError extends globalThis.Error {
  readonly tag: string;
  protected constructor(tag: string, message?: string);
}

/**
 * The event is not a usable JSON object; fix the caller's input.
 */
export declare class CupcakeErrorInvalidInput extends CupcakeError {
  readonly tag: "InvalidInput";
  readonly "message": string;
  constructor(message: string);
}

/**
 * The policy directory, a bundle or an option is wrong; `path` is the file or directory.
 */
export declare class CupcakeErrorConfig extends CupcakeError {
  readonly tag: "Config";
  readonly "message": string;
  readonly "path": string | undefined;
  constructor(message: string, path: string | undefined);
}

/**
 * No usable OPA binary; install it or pass opa_path.
 */
export declare class CupcakeErrorOpaNotFound extends CupcakeError {
  readonly tag: "OpaNotFound";
  readonly "message": string;
  constructor(message: string);
}

/**
 * A policy failed to load or compile; `path` is the file, `line` its line when known.
 */
export declare class CupcakeErrorPolicyCompile extends CupcakeError {
  readonly tag: "PolicyCompile";
  readonly "message": string;
  readonly "path": string | undefined;
  readonly "line": number | undefined;
  constructor(message: string, path: string | undefined, line: number | undefined);
}

/**
 * A policy needs a builtin cupcake does not implement.
 */
export declare class CupcakeErrorUnsupportedBuiltin extends CupcakeError {
  readonly tag: "UnsupportedBuiltin";
  readonly "message": string;
  constructor(message: string);
}

/**
 * A policy produced an unusable result, or the module failed.
 */
export declare class CupcakeErrorEvaluation extends CupcakeError {
  readonly tag: "Evaluation";
  readonly "message": string;
  constructor(message: string);
}

/**
 * An evaluation crossed the deadline or memory limit.
 */
export declare class CupcakeErrorLimitExceeded extends CupcakeError {
  readonly tag: "LimitExceeded";
  readonly "message": string;
  constructor(message: string);
}

/**
 * A bug or environment failure inside cupcake.
 */
export declare class CupcakeErrorInternal extends CupcakeError {
  readonly tag: "Internal";
  readonly "message": string;
  constructor(message: string);
}

/**
 * How many async calls (evaluate_async, load_engine) a facade keeps pending in the native
 * layer at once, per process (Node) or event loop (asyncio); the rest wait in the facade.
 * Bounded so that completions reach the event loop in small batches between its timers.
 */
export declare function async_in_flight_limit(): number;

/**
 * Finds the OPA binary a compile would use (opa_path, else PATH, else cupcake's cache
 * directory, else — with download_opa — a verified download) and returns its path.
 */
export declare function ensure_opa(options: EngineOptions): string;

/**
 * Compiles the policies found from `path` (and `options.global_dir`) with OPA into a bundle
 * file at `output`, which `Engine.from_bundle` loads on a machine without OPA.
 */
export declare function export_bundle(path: string, options: EngineOptions, output: string): void;

/**
 * What a hook answers when it cannot evaluate `event_json` (which need not be valid JSON):
 * the harness's blocking answer for that event, saying `reason` (SPEC §12). Facades use it
 * so their hook helpers fail closed exactly as `cupcake eval` does.
 */
export declare function failure_response(harness: Harness, event_json: string, reason: string): HookReply;

/**
 * Loads and compiles a policy directory without blocking the caller's event loop.
 */
export declare function load_engine(path: string, options: EngineOptions): Promise<Engine>;

/**
 * Parses a harness name as the CLI accepts it ("claude", "claude-code", "cursor",
 * "gemini", "windsurf", …, any letter case); any other name is a Config error listing them.
 */
export declare function parse_harness(name: string): Harness;

/**
 * The cupcake version, e.g. "0.1.0".
 */
export declare function version(): string;

/**
 * A loaded policy set. Safe to share between threads and tasks.
 */
export declare class Engine extends UniffiObjectBase {
  /**
   * Loads and compiles the policies found from `path` (a .cupcake directory or its parent).
   */
  constructor(path: string, options: EngineOptions);
  /**
   * Loads a bundle written by `export_bundle`; needs no OPA.
   */
  static from_bundle(bundle_path: string, options: EngineOptions): Engine;
  /**
   * Evaluates one hook event given as JSON text.
   */
  evaluate(event_json: string): Decision;
  /**
   * Evaluates one hook event on cupcake's own thread pool.
   */
  evaluate_async(event_json: string): Promise<Decision>;
  /**
   * The harness this engine answers for.
   */
  harness(): Harness;
}