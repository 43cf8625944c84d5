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

// Importing the generated package loads the native library (generated/libcupcake.so); the
// errors module adds `code` to the generated error classes.
import "./errors.js";

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
  async_in_flight_limit,
  ensure_opa,
  export_bundle,
  failure_response,
  load_engine,
  parse_harness,
  version,
} from "../generated/index.js";
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
