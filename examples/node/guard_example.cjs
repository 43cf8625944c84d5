// The same guard as guard_example.mjs, loaded with require(): the CommonJS build of the package.
//
//   bash ci/build-js.sh && node examples/node/guard_example.cjs
const { join } = require("node:path");

const { Cupcake, Denied, guard } = require("cupcake");

async function main() {
  const cupcake = await Cupcake.init(join(__dirname, "..", "project"));
  const bash = guard(async ({ command }) => `ran: ${command}`, { engine: cupcake, tool: "Bash" });

  for (const command of ["ls -la", "rm -rf build/", "npm install"]) {
    try {
      console.log(await bash({ command }));
    } catch (error) {
      if (!(error instanceof Denied)) throw error;
      console.log(`refused: ${command} (${error.decision.kind}, ${error.decision.rule_ids.join(", ")})`);
    }
  }
  cupcake.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
