// A process-wide cap on native async calls awaiting completion. Calls beyond the cap wait
// here, in order, instead of queueing on the native side; callers still get one Promise per
// call. The cap is the core's (async_in_flight_limit): each completion costs the event loop a
// native callback and a promise, and with many pending, completions that start the next call
// from a microtask never let the loop reach its timers (1,000 calls once held timers off for
// 300 ms). So the slot of a finished call passes to the next waiter from setImmediate, after
// the loop has run its timers and I/O, and at most the cap's worth of completions arrive
// between two turns.

import { async_in_flight_limit } from "../generated/index.js";

/** Native async calls allowed in flight at once (the core's async_in_flight_limit). */
export const MAX_IN_FLIGHT: number = async_in_flight_limit();

let inFlight = 0;
const waiting: Array<() => void> = [];

/** Runs `call` once fewer than MAX_IN_FLIGHT native calls are pending. */
export async function withSlot<T>(call: () => Promise<T>): Promise<T> {
  if (inFlight >= MAX_IN_FLIGHT) {
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    inFlight += 1;
  }
  try {
    return await call();
  } finally {
    const next = waiting.shift();
    // Hand the slot straight to the next waiter, so the count never drops and rises again,
    // but on a later turn of the event loop.
    if (next) setImmediate(next);
    else inFlight -= 1;
  }
}
