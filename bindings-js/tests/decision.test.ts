// The Decision class the facade returns: its fields are the generated record's, `allowed` and
// `blocked` follow the kind, and `toJSON` parses the JSON-text fields. One event per kind, from
// the response-table policies that produce whichever kind the event's `want` field names.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Cupcake, Decision, DecisionKind } from "../src/index.js";
import { conformanceDir } from "./support.js";

let cupcake: Cupcake;

beforeAll(async () => {
  cupcake = await Cupcake.init(join(conformanceDir, "claude_responses"));
});

afterAll(() => {
  cupcake.dispose();
});

function event(want: string): object {
  return { hook_event_name: "PreToolUse", want, tool_name: "Bash", tool_input: { command: "x" } };
}

describe("allowed and blocked", () => {
  test.each([
    ["allow", DecisionKind.Allow, true, false],
    ["modify", DecisionKind.Modify, true, false],
    ["ask", DecisionKind.Ask, false, false],
    ["block", DecisionKind.Block, false, true],
    ["deny", DecisionKind.Deny, false, true],
    ["halt", DecisionKind.Halt, false, true],
  ])("%s", async (want, kind, allowed, blocked) => {
    const decision = await cupcake.evaluate(event(want));
    expect(decision).toBeInstanceOf(Decision);
    expect(decision.kind).toBe(kind);
    expect(decision.allowed).toBe(allowed);
    expect(decision.blocked).toBe(blocked);
  });
});

describe("toJSON", () => {
  test("parses response and updated_input and keeps every other field", () => {
    const decision = cupcake.evaluateSync(event("modify"));
    const json = decision.toJSON();
    expect(json).toEqual({
      kind: DecisionKind.Modify,
      reason: decision.reason,
      context: decision.context,
      agent_messages: decision.agent_messages,
      rule_ids: ["T-modify"],
      updated_input: { command: "safe" },
      response: JSON.parse(decision.response) as unknown,
      stderr: "",
      exit_code: 0,
    });
    expect(json.response).toHaveProperty("hookSpecificOutput");
  });

  test("JSON.stringify nests the response as an object, not as text", () => {
    const decision = cupcake.evaluateSync(event("deny"));
    const text = JSON.stringify(decision);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed["response"]).toEqual(JSON.parse(decision.response));
    expect(parsed).not.toHaveProperty("updated_input");
    expect(parsed["kind"]).toBe("Deny");
  });

  test("a raw Engine record wraps into a Decision", () => {
    const record = cupcake.engine.evaluate(JSON.stringify(event("ask")));
    const decision = new Decision(record);
    expect(decision.kind).toBe(DecisionKind.Ask);
    expect({ ...decision }).toEqual(record);
  });
});
