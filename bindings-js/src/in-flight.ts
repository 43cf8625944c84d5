// A process-wide cap on native async calls awaiting completion. The koffi runtime behind the
// generated bindings crashes the process (SIGSEGV) when too many Rust futures are pending at
// once: reproducibly from about 270 pending evaluations on Node 20, never at 256 or fewer. Calls
// beyond the cap wait here, in order, instead of reaching the native side; callers still get one
// Promise per call. The evaluations run on cupcake's Rust thread pool, so a cap far above the
// core count costs no throughput.

/** Native async calls allowed in flight at once: a quarter of the smallest count seen to crash. */
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
