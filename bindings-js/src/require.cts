/**
 * The CommonJS entry, what `require("cupcake")` loads.
 *
 * Where `require()` can load ES modules (Node 20.19+ and 22.12+, Bun) it returns the ESM build
 * itself, so `import` and `require` share one instance of the bindings: koffi registers their
 * native types once per process, and a second copy of the bindings could not load beside the
 * first. Elsewhere (Node 18, 20.18 and older) it loads the CommonJS build in dist/cjs/, which tsc
 * makes from the same sources; there a process must use only one of the two entries.
 */

import type * as cupcake from "./index.js";

const { require_module: canRequireEsm } = process.features as { require_module?: boolean };

const api: typeof cupcake =
  canRequireEsm === true ? require("./index.js") : require("./cjs/src/index.js");

export = api;
