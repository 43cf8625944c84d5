// `evaluate` runs on cupcake's thread pool: the event loop keeps turning while it works, and one
// engine answers many concurrent calls, each with its own decision. No timing thresholds: the
// checks count event-loop turns and compare results.
import { afterAll, beforeAll, expect, test } from "vitest";
import { Cupcake, DecisionKind } from "../src/index.js";
import { fixture, slowEvent } from "./support.js";

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
