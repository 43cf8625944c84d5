// A process-wide cap on native async calls awaiting completion. Calls beyond the cap wait
// here, in order, instead of queueing on the native side; callers still get one Promise per
// call. It once guarded against a crash (koffi fails when more than a few hundred distinct
// threads call back into it, and the core's pool used to grow to 512); the core now runs
// evaluations on a small fixed pool, so the raw `engine.evaluate_async` survives 10,000 pending
// calls too. The cap stays because it keeps the completions the event loop has to handle per
// turn bounded. The evaluations run on cupcake's Rust thread pool, so a cap far above the core
// count costs no throughput.

/** Native async calls allowed in flight at once: twice the core's evaluation threads. */
export const MAX_IN_FLIGHT = 64;

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
    // Hand the slot straight to the next waiter, so the count never drops and rises again.
    if (next) next();
    else inFlight -= 1;
  }
}
