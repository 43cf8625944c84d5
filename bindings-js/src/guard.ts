/**
 * `guard`: wraps a function that performs a tool call so that every call is first evaluated as
 * a PreToolUse event, and runs only if the policies let it.
 *
 * The policies decide through the engine; this file only maps the decision's kind onto "call",
 * "call with the changed input" or "throw `Denied`". Anything that fails on the way (a bad
 * input, an engine error) rejects the call, so the function never runs unchecked.
 */

import { DecisionKind, Harness } from "../generated/index.js";
import type { Cupcake } from "./cupcake.js";
import type { Decision, JsonObject } from "./decision.js";
import { Denied } from "./errors.js";

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
export function guard<Input extends object, Rest extends unknown[], Result>(
  fn: (input: Input, ...rest: Rest) => Result,
  options: GuardBaseOptions & { event?: undefined },
): (input: Input, ...rest: Rest) => Promise<Awaited<Result>>;

/**
 * Wraps `fn` like the form above, with the tool input built from its arguments by
 * `options.event`. A `Modify` decision throws `Denied`, since the changed input cannot be
 * turned back into arguments.
 */
export function guard<Args extends unknown[], Result>(
  fn: (...args: Args) => Result,
  options: GuardEventOptions<Args>,
): (...args: Args) => Promise<Awaited<Result>>;

export function guard<Args extends unknown[], Result>(
  fn: (...args: Args) => Result,
  options: GuardBaseOptions & { event?: ((...args: Args) => object) | undefined },
): (...args: Args) => Promise<Awaited<Result>> {
  const { engine, tool, event, onAsk } = options;
  if (engine.harness !== Harness.Claude) {
    // Another harness would not route a Claude Code event to its policies, and so allow it.
    throw new TypeError(
      `guard sends Claude Code PreToolUse events, but this engine answers for ${engine.harness}: ` +
        `load the policies with harness "claude"`,
    );
  }
  return async (...args: Args): Promise<Awaited<Result>> => {
    const toolInput: unknown = event === undefined ? args[0] : event(...args);
    const decision = await engine.evaluate({
      hook_event_name: "PreToolUse",
      tool_name: tool,
      tool_input: toolInput,
      cwd: process.cwd(),
    });
    switch (decision.kind) {
      case DecisionKind.Allow:
        return await fn(...args);
      case DecisionKind.Modify: {
        if (event !== undefined || decision.updated_input === undefined) {
          throw new Denied(tool, decision);
        }
        const updated = JSON.parse(decision.updated_input) as JsonObject;
        return await fn(...([updated, ...args.slice(1)] as Args));
      }
      case DecisionKind.Ask:
        if (onAsk !== undefined && (await onAsk(decision)) === true) {
          return await fn(...args);
        }
        throw new Denied(tool, decision);
      case DecisionKind.Block:
      case DecisionKind.Deny:
      case DecisionKind.Halt:
        throw new Denied(tool, decision);
    }
  };
}
