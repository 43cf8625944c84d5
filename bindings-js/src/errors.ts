/**
 * What the facade adds to errors: a Node-style `code` on every generated `CupcakeError`, and
 * `Denied`, which `guard` throws when a policy stops a call.
 *
 * The generated error classes stay the ones that are thrown, so `instanceof` works the same for
 * the raw `Engine` and for `Cupcake`; `code` is a getter on their shared prototype, derived from
 * the generated `tag` ("PolicyCompile" → "POLICY_COMPILE"). Messages come from the Rust engine.
 */

import { CupcakeError, DecisionKind } from "../generated/index.js";
import type { Decision } from "./decision.js";

/** `CupcakeError.code`: the error kind, one per variant of the UDL's `CupcakeError`. */
export type ErrorCode =
  | "INVALID_INPUT"
  | "CONFIG"
  | "OPA_NOT_FOUND"
  | "POLICY_COMPILE"
  | "UNSUPPORTED_BUILTIN"
  | "EVALUATION"
  | "LIMIT_EXCEEDED"
  | "INTERNAL";

declare module "../generated/index.js" {
  interface CupcakeError {
    /** The error kind in upper snake case, e.g. `"POLICY_COMPILE"` for `CupcakeErrorPolicyCompile`. */
    readonly code: ErrorCode;
  }
}

Object.defineProperty(CupcakeError.prototype, "code", {
  configurable: true,
  enumerable: false,
  get(this: CupcakeError): string {
    return this.tag.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
  },
});

/**
 * Thrown by a guarded function instead of running it: the policies denied, blocked or halted
 * the call, asked for approval that `onAsk` did not give, or changed an input that the guard
 * cannot hand back to the function (one given an `event` option). `decision` says which and why.
 */
export class Denied extends Error {
  /** Always `"DENIED"`, so `error.code` tells a refusal from a `CupcakeError`. */
  readonly code = "DENIED";
  /** The tool name the call was evaluated as. */
  readonly tool: string;
  /** The decision that stopped the call. */
  readonly decision: Decision;

  constructor(tool: string, decision: Decision) {
    const outcome =
      decision.kind === DecisionKind.Ask
        ? "not confirmed"
        : decision.kind === DecisionKind.Modify
          ? "not run"
          : "blocked";
    const unapplied =
      decision.kind === DecisionKind.Modify
        ? "; guard cannot pass a changed input back through `event`"
        : "";
    super(`${tool} call ${outcome} (${decision.kind.toLowerCase()}): ${decision.reason}${unapplied}`);
    this.name = "Denied";
    this.tool = tool;
    this.decision = decision;
  }
}
