// Times cupcake's Node package against @open-policy-agent/opa-wasm on one compiled policy and one
// set of hook events, in one process, and writes the results as JSON. See README.md beside it.
//
//   node bench/bench.mjs [--out FILE] [--smoke] [--wasm PATH] [--policies DIR] [--events DIR]
//
// Needs the built package (bash ci/build-js.sh). Without --wasm, OPA is needed to export the
// policies as a bundle, whose project module the peer then loads.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { loadPolicy } from "@open-policy-agent/opa-wasm";

import { Cupcake, Harness, export_bundle, version } from "../dist/index.js";
import { nativeLibraryPath } from "../generated/native-library.js";

const SAMPLES = 30;
const SMOKE_SAMPLES = 2;
/** Aim for samples of this many milliseconds when choosing how many passes one sample makes. */
const TARGET_SAMPLE_MS = 30;
/** Minimum warm-up time per measured row before any sample is taken. */
const WARMUP_MS = 500;
/** The buckets of cupcake's aggregation result, highest priority first. */
const BUCKETS = ["halts", "denials", "blocks", "asks", "modifications", "add_context"];
/** Evaluations started at once for the event-loop lag rows, and the rounds of it. */
const LAG_IN_FLIGHT = 1000;
const LAG_ROUNDS = 5;
const SMOKE_LAG_ROUNDS = 1;

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(packageDir, "..");

const { values: args } = parseArgs({
  options: {
    out: { type: "string" },
    smoke: { type: "boolean", default: false },
    wasm: { type: "string" },
    policies: { type: "string", default: join(repoRoot, "core", "benches", "standard") },
    events: { type: "string", default: join(repoRoot, "core", "benches", "standard", "events") },
  },
  strict: true,
});

/** `path` relative to the repository root when it lies inside it, for the notes. */
function shown(path) {
  const inside = relative(repoRoot, resolve(path));
  return inside.startsWith("..") ? resolve(path) : inside;
}

/** The installed peer's version, from the package.json above its entry module. */
function peerVersion() {
  const entry = fileURLToPath(import.meta.resolve("@open-policy-agent/opa-wasm"));
  const manifest = join(dirname(entry), "..", "package.json");
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

/**
 * Which cargo profile built the library this process loads: the platform package's copy is the
 * release or the debug build in the target directory (ci/build-js.sh, with or without --release).
 */
function libraryProfile() {
  let path;
  try {
    path = nativeLibraryPath();
  } catch {
    return "unknown";
  }
  const library = readFileSync(path);
  const target = process.env.CARGO_TARGET_DIR ?? join(repoRoot, "target");
  for (const profile of ["release", "debug"]) {
    const candidate = join(target, profile, basename(path));
    if (!existsSync(candidate) || statSync(candidate).size !== library.length) continue;
    if (readFileSync(candidate).equals(library)) return profile;
  }
  return "unknown";
}

const PROFILES = {
  release: "a release build (ci/build-js.sh --release)",
  debug:
    "a dev-profile build (ci/build-js.sh without --release): dependencies such as wasmtime " +
    "at opt-level 2, cupcake's own crates at opt-level 0",
  unknown: "a copy of neither target/release nor target/debug, so its profile is unknown",
};

/** Every `*.json` event under `dir`, parsed, in file-name order. */
function readEvents(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, event: JSON.parse(readFileSync(join(dir, name), "utf8")) }));
}

/**
 * The project tier's policy.wasm: exported with the bindings' `export_bundle` (a tar of
 * manifest.json and module-N.wasm files) and unpacked with `tar` into a temporary directory.
 */
function exportProjectWasm(policies) {
  const work = mkdtempSync(join(tmpdir(), "cupcake-bench-"));
  try {
    const bundle = join(work, "bundle.tar");
    export_bundle(policies, { harness: Harness.Claude }, bundle);
    execFileSync("tar", ["-xf", bundle, "-C", work]);
    const manifest = JSON.parse(readFileSync(join(work, "manifest.json"), "utf8"));
    const tier = manifest.tiers.find((candidate) => !candidate.global);
    if (tier === undefined) throw new Error(`bundle of ${policies} has no project tier`);
    return readFileSync(join(work, tier.module));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The rule ids of the bucket cupcake's priority order picks from a raw aggregation result. */
function winningRuleIds(aggregation) {
  for (const bucket of BUCKETS.slice(0, -1)) {
    const entries = aggregation[bucket] ?? [];
    if (entries.length > 0) return entries.map((entry) => entry.decision.rule_id);
  }
  return [];
}

const sameIds = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/**
 * Evaluates every event with all three callers once and checks they agree: cupcake's async and
 * sync decisions name the same rules, and so does the bucket of the peer's raw result that the
 * priority order picks (add_context carries no rule ids). Returns the mismatches as text.
 */
async function checkAgreement(cupcake, policy, events) {
  const problems = [];
  for (const { name, event } of events) {
    const asyncIds = (await cupcake.evaluate(event)).rule_ids;
    const syncIds = cupcake.evaluateSync(event).rule_ids;
    const raw = policy.evaluate(event);
    const aggregation = raw?.[0]?.result;
    if (aggregation === undefined) {
      problems.push(`${name}: the peer returned no result: ${JSON.stringify(raw)}`);
      continue;
    }
    const peerIds = winningRuleIds(aggregation);
    if (!sameIds(asyncIds, syncIds)) {
      problems.push(`${name}: evaluate ${asyncIds} but evaluateSync ${syncIds}`);
    }
    if (!sameIds(asyncIds, peerIds)) {
      problems.push(`${name}: cupcake [${asyncIds}] but the peer [${peerIds}]`);
    }
  }
  return problems;
}

/** Milliseconds since `start` (a hrtime.bigint reading). */
const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * One measured caller: `pass(k)` evaluates every event `k` times and may return a promise.
 * `events` is how many evaluations one pass makes, when not every standard event.
 */
function row(id, label, pass, events = undefined) {
  return { id, label, pass, events, perEvalUs: [], passes: 1 };
}

/** Times one sample of `r` (its `passes` passes) and records the time per evaluation. */
async function sample(r, eventCount) {
  const start = process.hrtime.bigint();
  await r.pass(r.passes);
  const ns = Number(process.hrtime.bigint() - start);
  r.perEvalUs.push(ns / 1e3 / ((r.events ?? eventCount) * r.passes));
}

/**
 * A Claude Code Write of about 1 MB of ordinary text, its JSON just under 1,000,000 bytes
 * (the same event as the Python benchmark's 1 MB rows).
 */
function largeEvent() {
  const line = "let total = items.iter().map(|item| item.price * item.quantity).sum::<u64>();\n";
  return {
    hook_event_name: "PreToolUse",
    session_id: "bench",
    transcript_path: "/tmp/bench-transcript.jsonl",
    cwd: "/tmp",
    tool_name: "Write",
    tool_input: { file_path: "src/large.rs", content: line.repeat(Math.floor(975000 / line.length)) },
  };
}

/** Warms `r` up for `warmupMs`, then picks how many passes make one sample last the target. */
async function calibrate(r, warmupMs) {
  const start = process.hrtime.bigint();
  do {
    await r.pass(1);
  } while (elapsedMs(start) < warmupMs);
  const probe = process.hrtime.bigint();
  await r.pass(3);
  const passMs = elapsedMs(probe) / 3;
  r.passes = Math.max(1, Math.round(TARGET_SAMPLE_MS / passMs));
}

/** The `q` quantile (0..1) of sorted `values`, interpolating between neighbours. */
function quantile(sorted, q) {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low];
  return lowValue + (sorted[high] - lowValue) * (position - low);
}

const round = (us) => Math.round(us * 100) / 100;

/** The free-text notes of the JSON: how the run sampled and what each row does per call. */
function notes(eventCount, samples) {
  const warmup = args.smoke
    ? "smoke run: no warm-up, K = 1"
    : `${WARMUP_MS} ms of warm-up per row, K chosen for samples of ~${TARGET_SAMPLE_MS} ms`;
  const module =
    args.wasm === undefined ? "the project module of an export_bundle bundle" : shown(args.wasm);
  return [
    `${eventCount} events from ${shown(args.events)}, policies from ${shown(args.policies)}; ` +
      "one sample is every event K times in a row, time per evaluation = sample time / " +
      `evals_per_sample; ${samples} samples per row, taken round-robin; ${warmup}`,
    "cupcake.evaluate: JSON.stringify of the event, one call into the native library resolving " +
      "a Promise from cupcake's Rust thread pool (event parsing, routing, preprocessing, a pooled " +
      "wasmtime instance running the OPA-compiled module, decision synthesis, the Claude Code " +
      "response JSON), then the facade's Decision object; awaited one at a time",
    "cupcake.evaluateSync: the same pipeline on the calling thread",
    `opa_wasm: loadPolicy once on the same compiled module (${module}), then ` +
      "policy.evaluate(event) in V8's WebAssembly: JSON.stringify of the event, the module's " +
      "evaluate entrypoint and JSON.parse of the raw aggregation; no routing, preprocessing, " +
      "synthesis or response",
    `the cupcake library the package loads (its platform package) is ${PROFILES[libraryProfile()]}`,
  ];
}

/**
 * Starts LAG_IN_FLIGHT calls of `start` at once while a 1 ms interval timer records the longest
 * gap between its ticks (counting the wait from the last tick to the end); returns that gap
 * and the wall time for all calls, in milliseconds.
 */
async function loopLag(start, inputs) {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const began = performance.now();
  await Promise.all(Array.from({ length: LAG_IN_FLIGHT }, (_, i) => start(inputs[i % inputs.length])));
  const ended = performance.now();
  clearInterval(timer);
  return { lagMs: Math.max(worst, ended - last), wallMs: ended - began };
}

/** The lag rows: the facade (its in-flight cap) against the raw generated call (none). */
async function lagRows(cupcake, inputs, rounds) {
  const raw = inputs.map((event) => JSON.stringify(event));
  const contenders = [
    ["cupcake.evaluate", "Cupcake.evaluate (facade, capped in flight)", (event) => cupcake.evaluate(event)],
    ["raw.evaluate_async", "engine.evaluate_async (generated, uncapped)", (json) => cupcake.engine.evaluate_async(json)],
  ];
  const measured = contenders.map(([id, label]) => ({ id, label, lags: [], walls: [] }));
  for (let pass = 0; pass < rounds; pass += 1) {
    for (const [index, [, , start]] of contenders.entries()) {
      const { lagMs, wallMs } = await loopLag(start, index === 0 ? inputs : raw);
      measured[index].lags.push(lagMs);
      measured[index].walls.push(wallMs);
    }
  }
  return measured.map(({ id, label, lags, walls }) => {
    const sortedLags = [...lags].sort((a, b) => a - b);
    const sortedWalls = [...walls].sort((a, b) => a - b);
    return {
      id,
      label,
      in_flight: LAG_IN_FLIGHT,
      rounds,
      max_lag_ms: round(quantile(sortedLags, 0.5)),
      worst_lag_ms: round(sortedLags.at(-1)),
      wall_ms: round(quantile(sortedWalls, 0.5)),
    };
  });
}

async function main() {
  const events = readEvents(args.events);
  if (events.length === 0) throw new Error(`no *.json events in ${args.events}`);
  const inputs = events.map(({ event }) => event);

  const cupcake = await Cupcake.init(args.policies, { harness: "claude" });
  const wasm =
    args.wasm === undefined ? exportProjectWasm(args.policies) : readFileSync(args.wasm);
  // cupcake compiles regex.match and friends to host builtins with Go's RE2 semantics; the peer
  // runs the same module, so it gets the same host calls (JavaScript's RegExp is equivalent for
  // the standard set's patterns).
  // A leading Go flag group (`(?i)`) becomes RegExp flags; JavaScript has no inline flags.
  const goRegExp = (pattern, flags = "") => {
    const inline = /^\(\?([ims]+)\)/.exec(pattern);
    return inline === null
      ? new RegExp(pattern, `u${flags}`)
      : new RegExp(pattern.slice(inline[0].length), `u${flags}${inline[1]}`);
  };
  const policy = await loadPolicy(wasm, undefined, {
    "cupcake_re2.match": (pattern, value) => goRegExp(pattern).test(value),
    "cupcake_re2.is_valid": (pattern) => {
      try {
        goRegExp(pattern);
        return typeof pattern === "string";
      } catch {
        return false;
      }
    },
    "cupcake_re2.find_all_string_submatch_n": (pattern, value, n) =>
      [...value.matchAll(goRegExp(pattern, "g"))]
        .slice(0, n < 0 ? undefined : n)
        .map((m) => m.map((g) => g ?? "")),
  });
  policy.setData({});

  const problems = await checkAgreement(cupcake, policy, events);
  if (problems.length > 0) {
    console.error("cupcake and @open-policy-agent/opa-wasm disagree:");
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
    return;
  }

  const large = largeEvent();
  const rows = [
    row("cupcake.evaluate", "cupcake evaluate (async, full pipeline)", async (k) => {
      for (let i = 0; i < k; i += 1) for (const event of inputs) await cupcake.evaluate(event);
    }),
    row("cupcake.evaluateSync", "cupcake evaluateSync (sync, full pipeline)", (k) => {
      for (let i = 0; i < k; i += 1) for (const event of inputs) cupcake.evaluateSync(event);
    }),
    row("opa_wasm", "@open-policy-agent/opa-wasm evaluate (policy only)", (k) => {
      for (let i = 0; i < k; i += 1) for (const event of inputs) policy.evaluate(event);
    }),
    row(
      "cupcake.evaluate.1mb",
      "cupcake evaluate, one 1 MB Write event",
      async (k) => {
        for (let i = 0; i < k; i += 1) await cupcake.evaluate(large);
      },
      1,
    ),
    row(
      "opa_wasm.1mb",
      "@open-policy-agent/opa-wasm evaluate, the same 1 MB event",
      (k) => {
        for (let i = 0; i < k; i += 1) policy.evaluate(large);
      },
      1,
    ),
  ];

  const samples = args.smoke ? SMOKE_SAMPLES : SAMPLES;
  for (const r of rows) {
    if (args.smoke) await r.pass(1);
    else await calibrate(r, WARMUP_MS);
  }
  // Round-robin, so drift (GC, clock, other load) spreads over all rows alike.
  for (let s = 0; s < samples; s += 1) for (const r of rows) await sample(r, inputs.length);

  const loopLagRows = await lagRows(cupcake, inputs, args.smoke ? SMOKE_LAG_ROUNDS : LAG_ROUNDS);

  const result = {
    suite: "node",
    versions: {
      node: process.version,
      cupcake: version(),
      "@open-policy-agent/opa-wasm": peerVersion(),
    },
    rows: rows.map((r) => {
      const sorted = [...r.perEvalUs].sort((a, b) => a - b);
      return {
        id: r.id,
        label: r.label,
        median_us: round(quantile(sorted, 0.5)),
        p10_us: round(quantile(sorted, 0.1)),
        p90_us: round(quantile(sorted, 0.9)),
        samples: sorted.length,
        evals_per_sample: (r.events ?? inputs.length) * r.passes,
      };
    }),
    loop_lag: loopLagRows,
    notes: [
      ...notes(inputs.length, samples),
      "1 MB rows: one PreToolUse Write whose content is 0.975 MB of source text, evaluated alone " +
        "(cupcake: the whole pipeline, awaited; opa-wasm: the policy only).",
      `loop_lag: ${LAG_IN_FLIGHT} evaluations started at once (the events in turn) while a 1 ms ` +
        "setInterval records the longest gap between its ticks; max_lag_ms is the median over " +
        "rounds of each round's longest gap, worst_lag_ms the longest of all, wall_ms the " +
        "median time for all the evaluations of a round.",
    ],
  };

  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (args.out !== undefined) writeFileSync(args.out, text);
  for (const r of result.rows) {
    console.log(
      `${r.id.padEnd(22)} median ${r.median_us.toFixed(2).padStart(9)} µs  ` +
        `p10 ${r.p10_us.toFixed(2).padStart(9)}  p90 ${r.p90_us.toFixed(2).padStart(9)}  ` +
        `(${r.samples} × ${r.evals_per_sample})`,
    );
  }
  for (const r of result.loop_lag) {
    console.log(
      `${r.id.padEnd(22)} ${r.in_flight} in flight: event-loop lag ${r.max_lag_ms.toFixed(1)} ms ` +
        `(worst ${r.worst_lag_ms.toFixed(1)}), wall ${r.wall_ms.toFixed(1)} ms`,
    );
  }
  cupcake.dispose();
}

await main();
