// Evaluates every event file through the Node package; prints `file<TAB>response` lines.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { Cupcake } from "../bindings-js/dist/index.js";

const [project, events] = process.argv.slice(2);
const engine = await Cupcake.init(project, { harness: "claude" });
for (const name of readdirSync(events).filter((f) => f.endsWith(".json")).sort()) {
  const decision = await engine.evaluate(JSON.parse(readFileSync(join(events, name), "utf8")));
  console.log(`${name}\t${decision.response}`);
}
