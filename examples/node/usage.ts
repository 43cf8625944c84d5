// The package's types in use, from an ES module: type-checked by ci/test-js.sh (tsc --strict),
// never run. "cupcake" resolves through the package's exports map, as it would for a user.
import {
  Cupcake,
  CupcakeError,
  CupcakeErrorPolicyCompile,
  Decision,
  DecisionKind,
  Denied,
  guard,
} from "cupcake";
import type { CupcakeOptions, DecisionJSON, ErrorCode } from "cupcake";

const options: CupcakeOptions = { harness: "claude", timeoutMs: 1000 };

export async function check(command: string): Promise<boolean> {
  const cupcake = await Cupcake.init("examples/project", options);
  const decision: Decision = await cupcake.evaluate({
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: { command },
  });
  const json: DecisionJSON = decision.toJSON();
  const kind: DecisionKind = json.kind;
  const rules: string[] = decision.rule_ids;
  console.log(kind, rules, json.response["hookSpecificOutput"]);
  cupcake.dispose();
  return decision.allowed && !decision.blocked;
}

interface Edit {
  file_path: string;
  content: string;
}

export async function guarded(cupcake: Cupcake): Promise<number> {
  // The first argument is the tool input; the result keeps the function's own type.
  const write = guard(async (input: Edit, mode: number): Promise<number> => input.content.length + mode, {
    engine: cupcake,
    tool: "Write",
    onAsk: (decision) => decision.rule_ids.length === 0,
  });
  const written: number = await write({ file_path: "a.txt", content: "hi" }, 0o644);

  // Any arguments, mapped to the tool input by `event`.
  const run = guard((command: string, cwd: string): string => `${cwd}$ ${command}`, {
    engine: cupcake,
    tool: "Bash",
    event: (command) => ({ command }),
  });
  const line: string = await run("ls", "/tmp");
  return written + line.length;
}

export function describe(error: unknown): string {
  if (error instanceof Denied) return `${error.tool} refused: ${error.decision.reason}`;
  if (error instanceof CupcakeErrorPolicyCompile) return `fix the policy: ${error.message}`;
  if (error instanceof CupcakeError) {
    const code: ErrorCode = error.code;
    return `${code}: ${error.message}`;
  }
  throw error;
}
