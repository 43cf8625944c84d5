/**
 * `claudeAgentSdkHook`: a hook callback for the Claude Agent SDK (`options.hooks` of `query`)
 * that answers with cupcake's decision. The SDK hands the callback the same hook input Claude
 * Code gives a command hook, and reads the same output, so the engine's Claude response is the
 * answer as it is. Whatever fails on the way (the engine, the input) becomes the blocking
 * answer `cupcake eval` would print, from the core: an exception never lets the action through.
 */

import { Harness, failure_response } from "../generated/index.js";
import type { Cupcake } from "./cupcake.js";

/**
 * The callback's shape, as the SDK's `HookCallback` calls it: the hook input, the tool use id
 * (on tool events) and an abort signal. The result is the SDK's `HookJSONOutput`.
 */
export type ClaudeAgentSdkHookCallback = (
  input: object,
  toolUseID: string | undefined,
  options: { signal: AbortSignal },
) => Promise<{ [field: string]: any }>;

/** A hook callback that evaluates every hook input with `engine` (loaded for `claude`). */
export function claudeAgentSdkHook(engine: Cupcake): ClaudeAgentSdkHookCallback {
  if (engine.harness !== Harness.Claude) {
    // Another harness would not route Claude events to its policies, and so allow them.
    throw new TypeError(
      `the Claude Agent SDK sends Claude Code hook events, but this engine answers for ${engine.harness}: ` +
        `load the policies with harness "claude"`,
    );
  }
  return async (input) => {
    try {
      const text = JSON.stringify(input);
      if (typeof text !== "string") throw new TypeError("the hook input is not a JSON value");
      const decision = await engine.evaluate(text);
      return JSON.parse(decision.response) as { [field: string]: any };
    } catch (err) {
      return blocked(input, err);
    }
  };
}

/** The core's blocking answer for `input`, which may be anything the SDK passed. */
function blocked(input: unknown, err: unknown): { [field: string]: any } {
  const reason = `cupcake could not evaluate this hook: ${err instanceof Error ? err.message : String(err)}`;
  try {
    let text: string | undefined;
    try {
      text = JSON.stringify(input);
    } catch {
      text = undefined;
    }
    if (typeof text !== "string") {
      // Keep the event's name, so the failure is that event's own refusal.
      const name = typeof input === "object" && input !== null ? (input as { hook_event_name?: unknown }).hook_event_name : "";
      text = JSON.stringify({ hook_event_name: String(name ?? "") });
    }
    return JSON.parse(failure_response(Harness.Claude, text, reason).response) as { [field: string]: any };
  } catch {
    return { continue: false, stopReason: reason };
  }
}
