// Native code (koffi and the cupcake library) runs in the test processes, so every test file
// gets its own forked process rather than a worker thread.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
