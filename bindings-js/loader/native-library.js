// Where libcupcake is for this process: in the per-platform package
// `<scope>/cupcake-<platform>` (napi-rs layout), which the main package lists as an optional
// dependency so npm installs only the one whose os/cpu/libc match. ci/build-js.sh copies this
// file into generated/ and fills in the scope from package.json; generated/index.js calls
// nativeLibraryPath() before loading the bindings.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const platformPackageScope = "@@NATIVE_PACKAGE_SCOPE@@";
const packageVersion = "@@PACKAGE_VERSION@@";

// Node's report names the glibc it runs on. Without one (musl, or a runtime whose report leaves
// it out) the musl dynamic loader tells the two apart.
function linuxLibc() {
  if (process.report?.getReport?.()?.header?.glibcVersionRuntime) return "gnu";
  const loaderArch = { x64: "x86_64", arm64: "aarch64" }[process.arch] ?? process.arch;
  return existsSync(`/lib/ld-musl-${loaderArch}.so.1`) ? "musl" : "gnu";
}

/** This process's platform in the release matrix's naming: linux-x64-gnu, darwin-arm64, ... */
export function nativePlatform() {
  return process.platform === "linux"
    ? `linux-${process.arch}-${linuxLibc()}`
    : `${process.platform}-${process.arch}`;
}

function libraryFileName() {
  if (process.platform === "win32") return "cupcake.dll";
  if (process.platform === "darwin") return "libcupcake.dylib";
  return "libcupcake.so";
}

/** The platform package's name for `platform`. */
export function nativePackageName(platform = nativePlatform()) {
  return `${platformPackageScope}/cupcake-${platform}`;
}

/** The absolute path of libcupcake, or an error that names the package to install. */
export function nativeLibraryPath() {
  const platform = nativePlatform();
  const name = nativePackageName(platform);
  let manifest;
  try {
    manifest = createRequire(import.meta.url).resolve(`${name}/package.json`);
  } catch {
    throw new Error(
      `cupcake: no native library for ${platform}: the package ${name}@${packageVersion} is not ` +
        `installed. npm installs it with cupcake (an optional dependency chosen by os, cpu and ` +
        `libc) unless optional dependencies are omitted (--omit=optional, --no-optional) or the ` +
        `lock file was made on another platform; when installing from files, install its tarball ` +
        `too (${name.slice(1).replace("/", "-")}-${packageVersion}.tgz, made by ci/dist.sh). If ${platform} is not ` +
        `a platform cupcake ships, build it from source with ci/build-js.sh.`,
    );
  }
  const library = join(dirname(manifest), libraryFileName());
  if (!existsSync(library)) {
    throw new Error(
      `cupcake: ${name} is installed at ${dirname(manifest)} but has no ${libraryFileName()}; ` +
        `reinstall ${name}@${packageVersion}.`,
    );
  }
  return library;
}
