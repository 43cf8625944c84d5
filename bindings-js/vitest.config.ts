// Native code (koffi and the cupcake library) runs in the test processes, so every test file
// gets its own forked process rather than a worker thread. The generated bindings and the built
// package load through Node itself, as in an application: koffi registers the bindings' native
// types once per process, so `import`, `require` and the source facade must share one instance.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    server: {
      deps: {
        external: [/\/bindings-js\/(generated|dist)\//],
      },
    },
  },
});
