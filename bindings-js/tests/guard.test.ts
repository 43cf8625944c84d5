// guard(): a guarded function runs only when the policies of examples/project let the call
// through. Each test records the calls that reached the function, so a refused call is shown
// not to have run at all.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Cupcake,
  CupcakeErrorLimitExceeded,
  Decision,
  DecisionKind,
  Denied,
  guard,
} from "../src/index.js";
import { conformanceDir, fixture, repoRoot, slowEvent } from "./support.js";

interface Shell {
  command: string;
}

let cupcake: Cupcake;

beforeAll(async () => {
  cupcake = await Cupcake.init(join(repoRoot, "examples", "project"));
});

afterAll(() => {
  cupcake.dispose();
});

/** A fake shell tool that records what it was asked to run. */
function shell(): { ran: Shell[]; run: (input: Shell, cwd?: string) => Promise<string> } {
  const ran: Shell[] = [];
  return {
    ran,
    run: async (input: Shell, cwd = "/work") => {
      ran.push(input);
      return `${cwd}$ ${input.command}`;
    },
  };
}

/** Awaits `promise`, which must reject with `Denied`, and returns the error. */
async function denied(promise: Promise<unknown>): Promise<Denied> {
  const error = await promise.then(
    () => expect.fail("expected Denied"),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Denied);
  expect(error).toBeInstanceOf(Error);
  return error as Denied;
}

describe("guard", () => {
  test("an allowed call runs with its own arguments and returns its result", async () => {
    const tool = shell();
    const bash = guard(tool.run, { engine: cupcake, tool: "Bash" });
    await expect(bash({ command: "ls -la" }, "/repo")).resolves.toBe("/repo$ ls -la");
    expect(tool.ran).toEqual([{ command: "ls -la" }]);
  });

  test("a denied call throws Denied and never runs", async () => {
    const tool = shell();
    const bash = guard(tool.run, { engine: cupcake, tool: "Bash" });
    const error = await denied(bash({ command: "rm -rf build/" }));
    expect(tool.ran).toEqual([]);
    expect(error.code).toBe("DENIED");
    expect(error.name).toBe("Denied");
    expect(error.tool).toBe("Bash");
    expect(error.decision).toBeInstanceOf(Decision);
    expect(error.decision.kind).toBe(DecisionKind.Deny);
    expect(error.decision.rule_ids).toEqual(["SHELL-RM"]);
    expect(error.message).toBe("Bash call blocked (deny): Recursive force-delete is blocked");
  });

  test("a halt refuses the call like a deny", async () => {
    const verbs = await Cupcake.init(join(conformanceDir, "verbs"));
    const tool = shell();
    const bash = guard(tool.run, { engine: verbs, tool: "Bash" });
    const error = await denied(bash({ command: "rm -rf /tmp/x && shutdown now" }));
    expect(error.decision.kind).toBe(DecisionKind.Halt);
    expect(tool.ran).toEqual([]);
    verbs.dispose();
  });

  test("a modify calls the function with the updated input", async () => {
    const tool = shell();
    const bash = guard(tool.run, { engine: cupcake, tool: "Bash" });
    await expect(bash({ command: "npm install" }, "/repo")).resolves.toBe("/repo$ npm ci");
    expect(tool.ran).toEqual([{ command: "npm ci" }]);
  });

  test.each([
    ["approves", true, true],
    ["refuses", false, false],
  ])("an ask runs the call only if onAsk %s", async (_, answer, runs) => {
    const tool = shell();
    const asked: Decision[] = [];
    const bash = guard(tool.run, {
      engine: cupcake,
      tool: "Bash",
      onAsk: (decision) => {
        asked.push(decision);
        return answer;
      },
    });
    const call = bash({ command: "git push origin main" });
    if (runs) {
      await expect(call).resolves.toBe("/work$ git push origin main");
    } else {
      expect((await denied(call)).decision.kind).toBe(DecisionKind.Ask);
    }
    expect(asked.map((decision) => decision.rule_ids)).toEqual([["SHELL-PUSH"]]);
    expect(tool.ran).toHaveLength(runs ? 1 : 0);
  });

  test("onAsk may answer with a promise", async () => {
    const tool = shell();
    const bash = guard(tool.run, { engine: cupcake, tool: "Bash", onAsk: async () => true });
    await expect(bash({ command: "git push" })).resolves.toBe("/work$ git push");
  });

  test("an ask without onAsk is refused", async () => {
    const tool = shell();
    const bash = guard(tool.run, { engine: cupcake, tool: "Bash" });
    const error = await denied(bash({ command: "git push" }));
    expect(error.message).toBe(
      "Bash call not confirmed (ask): Confirm before pushing to a remote",
    );
    expect(tool.ran).toEqual([]);
  });

  test("an engine for another harness is refused up front", async () => {
    const cursor = await Cupcake.init(join(repoRoot, "examples", "project"), { harness: "cursor" });
    expect(() => guard(shell().run, { engine: cursor, tool: "Bash" })).toThrow(
      /answers for Cursor: load the policies with harness "claude"/,
    );
    cursor.dispose();
  });

  test("the event carries the working directory, which relative paths resolve against", async () => {
    const area = join(conformanceDir, "preprocessing");
    const protect = await Cupcake.init(area);
    const edit = guard(async (input: { file_path: string }) => input.file_path, {
      engine: protect,
      tool: "Edit",
    });
    const input = { file_path: "innocent.txt", old_string: "a", new_string: "b" };
    const cwd = process.cwd();
    try {
      // In workspace/src, innocent.txt is a symlink to the protected secrets/.env.
      process.chdir(join(area, "workspace", "src"));
      expect((await denied(edit(input))).decision.rule_ids).toEqual(["PROTECT-FILE"]);
      process.chdir(repoRoot);
      await expect(edit(input)).resolves.toBe("innocent.txt");
    } finally {
      process.chdir(cwd);
      protect.dispose();
    }
  });

  test("the tool name routes the event", async () => {
    // The shell policies require tool Bash; the same command as another tool is allowed.
    const tool = shell();
    const other = guard(tool.run, { engine: cupcake, tool: "Other" });
    await expect(other({ command: "rm -rf build/" })).resolves.toBe("/work$ rm -rf build/");
  });
});

describe("guard with an event mapper", () => {
  const ran: string[] = [];
  const run = (command: string, cwd: string): string => {
    ran.push(command);
    return `${cwd}$ ${command}`;
  };

  test("maps the arguments to the tool input and calls with the original arguments", async () => {
    const bash = guard(run, { engine: cupcake, tool: "Bash", event: (command) => ({ command }) });
    await expect(bash("ls", "/repo")).resolves.toBe("/repo$ ls");
    const error = await denied(bash("rm -rf /", "/repo"));
    expect(error.decision.kind).toBe(DecisionKind.Deny);
    expect(ran).toEqual(["ls"]);
  });

  test("refuses a modify, whose input it cannot map back", async () => {
    const bash = guard(run, { engine: cupcake, tool: "Bash", event: (command) => ({ command }) });
    const error = await denied(bash("npm install", "/repo"));
    expect(error.decision.kind).toBe(DecisionKind.Modify);
    expect(error.message).toContain("cannot pass a changed input back");
    expect(ran).toEqual(["ls"]);
  });
});

test("an engine error rejects the call with the CupcakeError and the function never runs", async () => {
  const small = await Cupcake.init(fixture("slow"), { memoryLimitBytes: 4n << 20n, timeoutMs: 5000 });
  let runs = 0;
  const slow = guard(
    (input: { n: number }) => {
      runs += 1;
      return input.n;
    },
    { engine: small, tool: "Slow" },
  );
  const { tool_input: big } = slowEvent(300_000) as { tool_input: { n: number } };
  const error: unknown = await slow(big).catch((reason: unknown) => reason);
  expect(error).toBeInstanceOf(CupcakeErrorLimitExceeded);
  expect((error as CupcakeErrorLimitExceeded).code).toBe("LIMIT_EXCEEDED");
  // The engine keeps working: the next call gets the policy's own answer (a deny).
  expect((await denied(slow({ n: 70 }))).decision.reason).toBe("counted 10");
  expect(runs).toBe(0);
  small.dispose();
});
