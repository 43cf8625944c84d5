// Guards a (pretend) shell tool with the policies of examples/project: each call is evaluated
// as a PreToolUse event for "Bash" first, and runs only if the policies let it.
//
//   bash ci/build-js.sh && node examples/node/guard_example.mjs
import { fileURLToPath } from "node:url";

import { Cupcake, Denied, guard } from "cupcake";

const project = fileURLToPath(new URL("../project", import.meta.url));
const cupcake = await Cupcake.init(project);

// The tool itself: here it only reports what it would run.
async function runShell({ command }) {
  return `ran: ${command}`;
}

const bash = guard(runShell, { engine: cupcake, tool: "Bash" });

for (const command of ["ls -la", "rm -rf build/", "npm install"]) {
  try {
    console.log(await bash({ command }));
  } catch (error) {
    if (!(error instanceof Denied)) throw error;
    console.log(`refused: ${command} (${error.decision.kind}, ${error.decision.rule_ids.join(", ")})`);
  }
}
cupcake.dispose();
