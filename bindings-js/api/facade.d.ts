// ---- claude-agent-sdk.d.ts
/**
 * `claudeAgentSdkHook`: a hook callback for the Claude Agent SDK (`options.hooks` of `query`)
 * that answers with cupcake's decision. The SDK hands the callback the same hook input Claude
 * Code gives a command hook, and reads the same output, so the engine's Claude response is the
 * answer as it is. Whatever fails on the way (the engine, the input) becomes the blocking
 * answer `cupcake eval` would print, from the core: an exception never lets the action through.
 */
import type { Cupcake } from "./cupcake.js";
/**
 * The callback's shape, as the SDK's `HookCallback` calls it: the hook input, the tool use id
 * (on tool events) and an abort signal. The result is the SDK's `HookJSONOutput`.
 */
export type ClaudeAgentSdkHookCallback = (input: object, toolUseID: string | undefined, options: {
    signal: AbortSignal;
}) => Promise<{
    [field: string]: any;
}>;
/** A hook callback that evaluates every hook input with `engine` (loaded for `claude`). */
export declare function claudeAgentSdkHook(engine: Cupcake): ClaudeAgentSdkHookCallback;
// ---- cupcake.d.ts
/**
 * `Cupcake`: a loaded policy set with camelCase names that takes events as plain objects (or
 * their JSON text) and returns `Decision` objects. It turns an event into JSON text, calls the
 * generated `Engine` and wraps the record it returns; the engine does everything else.
 */
import { Engine, Harness } from "../generated/index.js";
import { Decision } from "./decision.js";
/**
 * The agent an engine answers for, in the spelling used by `Cupcake.init`. The core decides
 * which names are valid (aliases such as "claude-code" included); the canonical ones are listed
 * for completion.
 */
export type HarnessName = "claude" | "cursor" | "gemini" | "copilot" | "windsurf" | "factory" | "opencode" | "cline" | (string & {});
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
/** A loaded policy set: load once with `Cupcake.init`, then evaluate any number of events. */
export declare class Cupcake {
    /** The generated engine, for callers that want the raw JSON-text API. */
    readonly engine: Engine;
    private constructor();
    /**
     * Loads and compiles the policies found from `path` (a `.cupcake` directory or its parent)
     * on cupcake's thread pool, so the event loop keeps running while OPA compiles.
     */
    static init(path?: string, options?: CupcakeOptions): Promise<Cupcake>;
    /**
     * Finds the OPA binary `init` would compile with (`opaPath`, `PATH`, the cache directory, then
     * a download if `downloadOpa` is set) and returns its path, so a hook can fetch OPA ahead of
     * its first call. Throws `CupcakeErrorOpaNotFound` when there is none.
     */
    static ensureOpa(options?: CupcakeOptions): string;
    /**
     * Compiles the policies found from `path` with OPA into a bundle file at `output`, which
     * `Cupcake.init(path, { bundle: output })` loads on a machine without OPA.
     */
    static exportBundle(path: string, output: string, options?: CupcakeOptions): void;
    /** Evaluates one hook event on cupcake's thread pool; the event loop keeps running. */
    evaluate(event: HookEvent, options?: EvaluateOptions): Promise<Decision>;
    /** Evaluates one hook event on the calling thread, blocking it until the decision is made. */
    evaluateSync(event: HookEvent): Decision;
    /** The harness this engine answers for. */
    get harness(): Harness;
    /**
     * Frees the native engine now instead of when it is garbage-collected; evaluating afterwards
     * throws `CupcakeErrorConfig`. Calling it again does nothing.
     */
    dispose(): void;
    /** `using engine = await Cupcake.init(...)` disposes it at the end of the scope. */
    [Symbol.dispose](): void;
}
// ---- decision.d.ts
/**
 * `Decision`: the generated decision record with two JavaScript conveniences, the `allowed` and
 * `blocked` flags and a `toJSON` that turns its JSON-text fields into values. The fields and
 * their meaning are the engine's own; nothing here decides anything.
 */
import { DecisionKind } from "../generated/index.js";
import type { Decision as DecisionRecord } from "../generated/index.js";
/** The decision record as the raw `Engine` API returns it: the fields without the helpers. */
export type { DecisionRecord };
/** A JSON object, as `JSON.parse` returns it. */
export type JsonObject = {
    [key: string]: unknown;
};
/** What `Decision.toJSON` returns: the same fields, with `response` and `updated_input` parsed. */
export interface DecisionJSON {
    kind: DecisionKind;
    reason: string;
    context: string[];
    agent_messages: string[];
    rule_ids: string[];
    updated_input: JsonObject | undefined;
    response: JsonObject;
    stderr: string;
    exit_code: number;
}
/** The outcome of one evaluation, as `Cupcake.evaluate` and `Cupcake.evaluateSync` return it. */
export declare class Decision implements DecisionRecord {
    /** The winning decision kind. */
    readonly kind: DecisionKind;
    /** The reason shown to the user; empty for a plain allow. */
    readonly reason: string;
    /** `add_context` strings, on Allow. */
    readonly context: string[];
    /** Messages meant for the agent. */
    readonly agent_messages: string[];
    /** The rule ids that produced the decision. */
    readonly rule_ids: string[];
    /** The merged tool input as JSON text, on Modify. */
    readonly updated_input: string | undefined;
    /** The harness-formatted response as JSON text: what the hook prints on stdout. */
    readonly response: string;
    /** What the hook prints on stderr (exit-code protocols show it); usually empty. */
    readonly stderr: string;
    /** The exit code the hook ends with; 2 blocks in exit-code protocols (Windsurf). */
    readonly exit_code: number;
    /** Wraps a decision record from the raw `Engine` API. */
    constructor(record: DecisionRecord);
    /** The action may go ahead: `Allow`, or `Modify` with `updated_input` in place of the input. */
    get allowed(): boolean;
    /** The action must not run: `Block`, `Deny` or `Halt`. An `Ask` is neither allowed nor blocked. */
    get blocked(): boolean;
    /** A plain object with the JSON-text fields parsed, which `JSON.stringify` uses. */
    toJSON(): DecisionJSON;
}
// ---- errors.d.ts
/**
 * What the facade adds to errors: a Node-style `code` on every generated `CupcakeError`, and
 * `Denied`, which `guard` throws when a policy stops a call.
 *
 * The generated error classes stay the ones that are thrown, so `instanceof` works the same for
 * the raw `Engine` and for `Cupcake`; `code` is a getter on their shared prototype, derived from
 * the generated `tag` ("PolicyCompile" → "POLICY_COMPILE"). Messages come from the Rust engine.
 */
import type { Decision } from "./decision.js";
/** `CupcakeError.code`: the error kind, one per variant of the UDL's `CupcakeError`. */
export type ErrorCode = "INVALID_INPUT" | "CONFIG" | "OPA_NOT_FOUND" | "POLICY_COMPILE" | "UNSUPPORTED_BUILTIN" | "EVALUATION" | "LIMIT_EXCEEDED" | "INTERNAL";
declare module "../generated/index.js" {
    interface CupcakeError {
        /** The error kind in upper snake case, e.g. `"POLICY_COMPILE"` for `CupcakeErrorPolicyCompile`. */
        readonly code: ErrorCode;
    }
}
/**
 * Thrown by a guarded function instead of running it: the policies denied, blocked or halted
 * the call, asked for approval that `onAsk` did not give, or changed an input that the guard
 * cannot hand back to the function (one given an `event` option). `decision` says which and why.
 */
export declare class Denied extends Error {
    /** Always `"DENIED"`, so `error.code` tells a refusal from a `CupcakeError`. */
    readonly code = "DENIED";
    /** The tool name the call was evaluated as. */
    readonly tool: string;
    /** The decision that stopped the call. */
    readonly decision: Decision;
    constructor(tool: string, decision: Decision);
}
// ---- guard.d.ts
/**
 * `guard`: wraps a function that performs a tool call so that every call is first evaluated as
 * a PreToolUse event, and runs only if the policies let it.
 *
 * The policies decide through the engine; this file only maps the decision's kind onto "call",
 * "call with the changed input" or "throw `Denied`". Anything that fails on the way (a bad
 * input, an engine error) rejects the call, so the function never runs unchecked.
 */
import type { Cupcake } from "./cupcake.js";
import type { Decision } from "./decision.js";
/** Options every guard takes. */
export interface GuardBaseOptions {
    /** The engine that evaluates each call. */
    engine: Cupcake;
    /** The tool name the policies see, `input.tool_name` (e.g. `"Bash"`). */
    tool: string;
    /**
     * Called on an `Ask` decision; the call goes ahead only if it returns (or resolves to) `true`.
     * Without it, an `Ask` refuses the call.
     */
    onAsk?: (decision: Decision) => boolean | Promise<boolean>;
}
/** Options of `guard` for a function whose arguments are mapped to the tool input by `event`. */
export interface GuardEventOptions<Args extends unknown[]> extends GuardBaseOptions {
    /**
     * Builds the tool input (`input.tool_input`) from the call's arguments. The guard cannot map a
     * changed input back onto such arguments, so a `Modify` decision refuses the call.
     */
    event: (...args: Args) => object;
}
/**
 * Wraps `fn`, whose first argument is the tool input, so that each call first evaluates the
 * Claude Code event `{hook_event_name: "PreToolUse", tool_name: options.tool, tool_input: <first
 * argument>, cwd: process.cwd()}`; `options.engine` must answer for the claude harness.
 *
 * - `Allow`: calls `fn` with the same arguments.
 * - `Modify`: calls `fn` with the decision's `updated_input` as its first argument.
 * - `Ask`: calls `fn` if `options.onAsk(decision)` approves, otherwise throws `Denied`.
 * - `Block`, `Deny`, `Halt`: throws `Denied` without calling `fn`.
 *
 * The wrapped function always returns a promise; engine failures reject it with `CupcakeError`.
 */
export declare function guard<Input extends object, Rest extends unknown[], Result>(fn: (input: Input, ...rest: Rest) => Result, options: GuardBaseOptions & {
    event?: undefined;
}): (input: Input, ...rest: Rest) => Promise<Awaited<Result>>;
/**
 * Wraps `fn` like the form above, with the tool input built from its arguments by
 * `options.event`. A `Modify` decision throws `Denied`, since the changed input cannot be
 * turned back into arguments.
 */
export declare function guard<Args extends unknown[], Result>(fn: (...args: Args) => Result, options: GuardEventOptions<Args>): (...args: Args) => Promise<Awaited<Result>>;
// ---- in-flight.d.ts
/** Native async calls allowed in flight at once (the core's async_in_flight_limit). */
export declare const MAX_IN_FLIGHT: number;
/** Runs `call` once fewer than MAX_IN_FLIGHT native calls are pending. */
export declare function withSlot<T>(call: () => Promise<T>): Promise<T>;
// ---- index.d.ts
/**
 * The `cupcake` package: the generated UniFFI bindings, re-exported unchanged, plus a thin layer
 * of JavaScript idiom: `Cupcake` (camelCase, plain-object events, promises), `Decision` (with
 * `allowed`, `blocked` and `toJSON`), `error.code` on every `CupcakeError`, `guard` and
 * `claudeAgentSdkHook`.
 *
 * Everything a policy decides, every check of an event and every error message comes from the
 * Rust engine. tsc builds these sources twice, as ES modules into dist/ and as CommonJS into
 * dist/cjs/; require.cts is the entry `require("cupcake")` loads.
 */
import "./errors.js";
export { CupcakeError, CupcakeErrorConfig, CupcakeErrorEvaluation, CupcakeErrorInternal, CupcakeErrorInvalidInput, CupcakeErrorLimitExceeded, CupcakeErrorOpaNotFound, CupcakeErrorPolicyCompile, CupcakeErrorUnsupportedBuiltin, DecisionKind, Engine, Harness, async_in_flight_limit, ensure_opa, export_bundle, failure_response, load_engine, parse_harness, version, } from "../generated/index.js";
export type { EngineOptions, HookReply } from "../generated/index.js";
export { Cupcake } from "./cupcake.js";
export type { CupcakeOptions, EvaluateOptions, HarnessName, HookEvent } from "./cupcake.js";
export { Decision } from "./decision.js";
export type { DecisionJSON, DecisionRecord, JsonObject } from "./decision.js";
export { Denied } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export { claudeAgentSdkHook } from "./claude-agent-sdk.js";
export type { ClaudeAgentSdkHookCallback } from "./claude-agent-sdk.js";
export { guard } from "./guard.js";
export type { GuardBaseOptions, GuardEventOptions } from "./guard.js";
// ---- require.d.cts
/**
 * The CommonJS entry, what `require("cupcake")` loads.
 *
 * Where `require()` can load ES modules (Node 20.19+ and 22.12+, Bun) it returns the ESM build
 * itself, so `import` and `require` share one instance of the bindings: koffi registers their
 * native types once per process, and a second copy of the bindings could not load beside the
 * first. Elsewhere (Node 18, 20.18 and older) it loads the CommonJS build in dist/cjs/, which tsc
 * makes from the same sources; there a process must use only one of the two entries.
 */
import type * as cupcake from "./index.js";
declare const api: typeof cupcake;
export = api;
