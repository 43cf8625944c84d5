// cupcake's OpenCode plugin, written by `cupcake init --harness opencode`.
//
// OpenCode runs plugins in-process and has no command hooks, so this plugin hands each awaited
// hook to `cupcake eval --harness opencode` and applies the answer. It refuses whenever it
// cannot get a readable answer (cupcake missing, crashed, timed out, printed something else):
// OpenCode itself would let the action run. `init` pins the binary and policy paths below.

import type { Plugin } from "@opencode-ai/plugin";
import { execFile } from "node:child_process";

const CUPCAKE = "__CUPCAKE_BINARY__";
const POLICY_DIR = "__CUPCAKE_POLICY_DIR__";
// Longer than cupcake's own 5 s deadline, which answers first unless cupcake cannot start.
const TIMEOUT_MS = 10_000;

/** What `cupcake eval --harness opencode` prints (a type only: OpenCode calls every exported value). */
export interface Answer {
  decision: "allow" | "deny" | "halt";
  reason?: string;
  updated_args?: Record<string, unknown>;
  context?: string;
}

function refusal(reason: string): Answer {
  return { decision: "deny", reason: `Blocked by cupcake's OpenCode plugin: ${reason}` };
}

/** Parses cupcake's stdout; anything but a well-formed answer refuses. */
function read(stdout: string): Answer {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    return refusal(`cupcake printed no JSON answer (${stdout.slice(0, 200)})`);
  }
  if (typeof answer !== "object" || answer === null) {
    return refusal("cupcake's answer is not a JSON object");
  }
  const { decision } = answer as { decision?: unknown };
  if (decision !== "allow" && decision !== "deny" && decision !== "halt") {
    return refusal(`cupcake's answer has no known decision (${String(decision)})`);
  }
  return answer as Answer;
}

function evaluate(event: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve) => {
    const child = execFile(
      CUPCAKE,
      ["eval", "--harness", "opencode", "--policy-dir", POLICY_DIR],
      { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        // cupcake prints a blocking answer itself on its own failures; an error here means
        // it could not run or did not finish.
        resolve(error ? refusal(`cupcake did not answer (${error.message})`) : read(stdout));
      },
    );
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(JSON.stringify(event));
  });
}

/** Makes `args` hold exactly `updated`, in place: OpenCode ignores a replaced object. */
function replaceInPlace(args: Record<string, unknown>, updated: Record<string, unknown>): void {
  for (const key of Object.keys(args)) {
    if (!(key in updated)) delete args[key];
  }
  Object.assign(args, updated);
}

export const CupcakePlugin: Plugin = async ({ client, directory }) => {
  const event = (name: string, sessionID: string, fields: Record<string, unknown>) =>
    evaluate({ hook_event_name: name, session_id: sessionID, cwd: directory, ...fields });

  /** Throws for a deny; a halt also aborts the session first. */
  const enforce = async (answer: Answer, sessionID: string): Promise<void> => {
    if (answer.decision === "allow") return;
    if (answer.decision === "halt") {
      await client.session.abort({ path: { id: sessionID } }).catch(() => undefined);
    }
    throw new Error(answer.reason ?? "Blocked by cupcake");
  };

  return {
    "tool.execute.before": async (input, output) => {
      const answer = await event("tool.execute.before", input.sessionID, {
        tool_name: input.tool,
        tool_input: output.args,
        call_id: input.callID,
      });
      await enforce(answer, input.sessionID);
      if (answer.updated_args && typeof output.args === "object" && output.args !== null) {
        replaceInPlace(output.args as Record<string, unknown>, answer.updated_args);
      }
    },
    "tool.execute.after": async (input, output) => {
      const answer = await event("tool.execute.after", input.sessionID, {
        tool_name: input.tool,
        tool_input: input.args,
        call_id: input.callID,
        tool_output: output,
      });
      await enforce(answer, input.sessionID);
      if (answer.context && typeof output.output === "string") {
        output.output = `${output.output}\n\n${answer.context}`;
      }
    },
    "chat.message": async (input, output) => {
      const text = output.parts.flatMap((part) => (part.type === "text" ? [part.text] : []));
      const answer = await event("chat.message", input.sessionID, {
        prompt: text.join("\n"),
        message_id: input.messageID ?? output.message.id,
      });
      await enforce(answer, input.sessionID);
      const first = output.parts.find((part) => part.type === "text");
      if (answer.context && first && first.type === "text") {
        output.parts.push({ ...first, id: `${first.id}cupcake`, text: answer.context, synthetic: true });
      }
    },
    "experimental.session.compacting": async (input, output) => {
      const answer = await event("experimental.session.compacting", input.sessionID, {});
      if (answer.context) output.context.push(answer.context);
    },
  };
};
