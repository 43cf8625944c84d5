// The package's types from a CommonJS module: `require` here takes the types of the exports
// map's "require" branch (dist/cjs/). Type-checked by ci/test-js.sh, never run.
import cupcake = require("cupcake");
import type { Decision, ErrorCode } from "cupcake";

const { Cupcake, CupcakeError, Denied, guard } = cupcake;

async function check(command: string): Promise<Decision> {
  const engine = await Cupcake.init("examples/project");
  const bash = guard(async (input: { command: string }) => input.command, {
    engine,
    tool: "Bash",
  });
  try {
    await bash({ command });
  } catch (error) {
    if (error instanceof Denied) return error.decision;
    if (error instanceof CupcakeError) {
      const code: ErrorCode = error.code;
      throw new Error(code, { cause: error });
    }
    throw error;
  }
  return engine.evaluateSync({ hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command } });
}

export = { check };
