// Writes the per-platform npm package for one release target: a directory holding libcupcake and
// a package.json whose os/cpu/libc fields let npm install it only on that platform. Its name and
// version come from bindings-js/package.json (`nativePackageScope`, `version`), the one place
// they are kept.
// Usage: node ci/npm-platform-package.mjs <platform> <library file> <output directory>
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [platform, library, output] = process.argv.slice(2);
if (!platform || !library || !output) {
  console.error("usage: npm-platform-package.mjs <platform> <library> <output directory>");
  process.exit(2);
}
const shape = /^(linux)-(x64|arm64)-(gnu|musl)$|^(darwin|win32)-(x64|arm64)$/.exec(platform);
if (!shape) {
  console.error(`${platform} is not a platform name of the form linux-<arch>-<libc> or <os>-<arch>`);
  process.exit(2);
}
const [os, cpu, libc] = shape[1] ? [shape[1], shape[2], shape[3]] : [shape[4], shape[5], null];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = JSON.parse(readFileSync(join(root, "bindings-js", "package.json"), "utf8"));
const file = basename(library);

const manifest = {
  name: `${main.nativePackageScope}/cupcake-${platform}`,
  version: main.version,
  description: `The cupcake native library for ${platform}; installed by the cupcake package.`,
  license: main.license,
  os: [os],
  cpu: [cpu],
  // npm spells the C library glibc/musl; the platform names say gnu/musl, as Rust targets do.
  ...(libc ? { libc: [libc === "gnu" ? "glibc" : "musl"] } : {}),
  files: [file],
};

rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
copyFileSync(library, join(output, file));
writeFileSync(join(output, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(manifest.name);
