// `evaluate` runs on cupcake's thread pool: the event loop keeps turning while it works, and one
// engine answers many concurrent calls, each with its own decision. No timing thresholds: the
// checks count event-loop turns and compare results.
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Cupcake, DecisionKind, type Decision } from "../src/index.js";
import { fixture, repoRoot, slowEvent } from "./support.js";

let cupcake: Cupcake;

beforeAll(async () => {
  cupcake = await Cupcake.init(fixture("slow"), { timeoutMs: 5000 });
});

afterAll(() => {
  cupcake.dispose();
});

/** Counts event-loop turns (setImmediate callbacks) until `stop` is called. */
function countTurns(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let timer = setImmediate(function tick() {
    turns += 1;
    timer = setImmediate(tick);
  });
  return { turns: () => turns, stop: () => clearImmediate(timer) };
}

test("evaluate leaves the event loop running while the policy works", async () => {
  const counter = countTurns();
  let turnsAtResolve = 0;
  const decision = await cupcake.evaluate(slowEvent(300_000)).finally(() => {
    turnsAtResolve = counter.turns();
    counter.stop();
  });
  expect(decision.kind).toBe(DecisionKind.Deny);
  expect(decision.reason).toBe("counted 42857");
  expect(turnsAtResolve).toBeGreaterThan(0);
});

test("evaluateSync holds the event loop until it returns", () => {
  // The contrast case: a synchronous call gives no turn to queued callbacks.
  const counter = countTurns();
  const decision = cupcake.evaluateSync(slowEvent(300_000));
  const turns = counter.turns();
  counter.stop();
  expect(decision.reason).toBe("counted 42857");
  expect(turns).toBe(0);
});

test("concurrent evaluations each return their own decision", async () => {
  const sizes = [300_000, 7, 70, 140_000, 700, 35_000, 300_000, 14];
  const decisions = await Promise.all(sizes.map((n) => cupcake.evaluate(slowEvent(n))));
  expect(decisions.map((decision) => decision.reason)).toEqual(
    sizes.map((n) => `counted ${Math.floor(n / 7)}`),
  );
  expect(decisions.every((decision) => decision.rule_ids.join() === "SLOW")).toBe(true);
});

test("sync and async calls can share one engine", async () => {
  const pending = cupcake.evaluate(slowEvent(300_000));
  const sync = cupcake.evaluateSync(slowEvent(70_000));
  expect(sync.reason).toBe("counted 10000");
  expect((await pending).reason).toBe("counted 42857");
});

// Stress: 1,000 evaluations at once on one engine, over a mix of events whose decisions are known.
// Events 4 and 6 of every 8 carry their index into the decision (a file path echoed in the reason
// or context), so a decision handed to the wrong caller is caught, not just a lost one.
const stressEvents = 1000;

/** Event `i` of the mix, the kind it must get, and the marker its decision must carry. */
function stressEvent(i: number): { event: object; kind: DecisionKind; marker?: string } {
  const base = { session_id: `stress-${i}`, cwd: "/work/app" };
  const tool = (name: string, input: Record<string, string>): object => ({
    ...base,
    hook_event_name: "PreToolUse",
    tool_name: name,
    tool_input: input,
  });
  const prompt = (text: string): object => ({ ...base, hook_event_name: "UserPromptSubmit", prompt: text });
  switch (i % 8) {
    case 0:
      return { event: tool("Bash", { command: `git status --short ${i}` }), kind: DecisionKind.Allow };
    case 1:
      return { event: tool("Bash", { command: `rm -rf build-${i}/` }), kind: DecisionKind.Deny };
    case 2:
      return { event: tool("Bash", { command: `git push origin feature-${i}` }), kind: DecisionKind.Ask };
    case 3:
      return { event: tool("Bash", { command: "npm install" }), kind: DecisionKind.Modify };
    case 4: {
      const path = `/work/app/secret-${i}.env`;
      return { event: tool("Write", { file_path: path, content: "TOKEN=x" }), kind: DecisionKind.Deny, marker: path };
    }
    case 5:
      return { event: tool("Edit", { file_path: `/work/app/src/file_${i}.rs` }), kind: DecisionKind.Allow };
    case 6: {
      const path = `/etc/outside-${i}`;
      const event = { ...base, hook_event_name: "PostToolUse", tool_name: "Read", tool_input: { file_path: path } };
      return { event, kind: DecisionKind.Allow, marker: path };
    }
    default:
      return i % 16 === 7
        ? { event: prompt(`CUPCAKE-STOP ${i}`), kind: DecisionKind.Halt }
        : { event: prompt(`commit change ${i}`), kind: DecisionKind.Allow };
  }
}

const stress = Array.from({ length: stressEvents }, (_, i) => stressEvent(i));

function checkMarked(i: number, decision: Decision): void {
  const { kind, marker } = stress[i] ?? expect.fail(`no event ${i}`);
  expect(decision.kind, `event ${i}`).toBe(kind);
  if (marker !== undefined) {
    const carried = decision.reason.includes(marker) || decision.context.some((note) => note.includes(marker));
    expect(carried, `event ${i} lacks its marker ${marker}: ${JSON.stringify(decision)}`).toBe(true);
  }
}

test("stress: 1,000 concurrent evaluate calls on one engine, each with its own decision", async () => {
  const standard = await Cupcake.init(join(repoRoot, "core", "benches", "standard"), { timeoutMs: 5000 });
  try {
    // A sequential pass first: the reference every concurrent decision must equal.
    const expected = stress.map(({ event }) => standard.evaluateSync(event));
    expected.forEach((decision, i) => checkMarked(i, decision));

    const decisions = await Promise.all(stress.map(({ event }) => standard.evaluate(event)));
    expect(decisions).toHaveLength(stressEvents);
    decisions.forEach((decision, i) => {
      checkMarked(i, decision);
      expect(decision, `event ${i}`).toEqual(expected[i]);
    });

    // Synchronous calls interleaved with the pool's work on the same engine.
    const pending = Promise.all(stress.map(({ event }) => standard.evaluate(event)));
    const sync = stress.map(({ event }) => standard.evaluateSync(event));
    expect(sync).toEqual(expected);
    expect(await pending).toEqual(expected);
  } finally {
    standard.dispose();
  }
});

test("stress: 10,000 concurrent calls on the raw engine and on the facade all complete", async () => {
  // The raw generated `evaluate_async` once crashed the process at about 280 pending calls:
  // every evaluation thread of the core's pool called back into koffi, which fails past a few
  // hundred threads. The core now keeps that pool small and fixed; this runs far beyond it.
  const project = await Cupcake.init(join(repoRoot, "examples", "project", ".cupcake"));
  try {
    const calls = 10_000;
    const rm = { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "rm -rf /" } };
    const ls = { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" } };
    const events = Array.from({ length: calls }, (_, i) => (i % 2 === 0 ? rm : ls));
    const raw = await Promise.all(events.map((event) => project.engine.evaluate_async(JSON.stringify(event))));
    const facade = await Promise.all(events.map((event) => project.evaluate(event)));
    for (const decisions of [raw, facade]) {
      expect(decisions).toHaveLength(calls);
      decisions.forEach((decision, i) => {
        expect(decision.kind, `call ${i}`).toBe(i % 2 === 0 ? DecisionKind.Deny : DecisionKind.Allow);
      });
    }
  } finally {
    project.dispose();
  }
}, 120_000);
