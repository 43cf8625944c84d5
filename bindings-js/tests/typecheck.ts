// `tsc --strict` on generated modules inside an install of an agent's published types, for the
// type checks of cupcake's responses (claude-types.test.ts, client-types.test.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testsDir } from "./support.js";

const tsc = join(testsDir, "..", "node_modules", "typescript", "bin", "tsc");

export interface TypeCheck {
  status: number | null;
  output: string;
}

/**
 * Writes `files` (name → source) into a scratch directory inside `installDir`, so the packages
 * installed there resolve, and runs `tsc --strict` on them with `skipLibCheck` (some agents'
 * own declaration files do not compile alone; ours must). `resolution` is the module
 * resolution; `types` the ambient type packages.
 */
export function typeCheck(
  installDir: string | undefined,
  files: Record<string, string>,
  options: { resolution?: "nodenext" | "bundler"; types?: string[] } = {},
): TypeCheck {
  if (!installDir) throw new Error("the type packages' directory is not set: source ci/env.sh");
  const resolution = options.resolution ?? "nodenext";
  const dir = mkdtempSync(join(installDir, "typecheck-"));
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: resolution === "bundler" ? "esnext" : "nodenext",
          moduleResolution: resolution,
          target: "es2022",
          types: options.types ?? [],
        },
        files: Object.keys(files),
      }),
    );
    const run = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
