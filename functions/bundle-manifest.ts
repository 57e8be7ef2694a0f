import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

// Imports only Node's own modules: infra/ loads this inside SST's config bundle to check, before
// a deploy, that the bundles `npm run build` wrote are there and were built from the code as it is.

/** The manifest `npm run build` writes beside the function folders. */
export const MANIFEST_FILE = "bundles.json";

/**
 * The file SST writes into a function's folder at deploy (the function's links, encrypted): not
 * part of the build, and rewritten by each deploy.
 */
const SST_LINK_FILE = "resource.enc";

export type BundleManifest = {
  /** Every source file the bundles were built from, relative to the project root, with its SHA-256. */
  inputs: Record<string, string>;
  /** Each function's folder: every file the build wrote in it, with its SHA-256 and size. */
  bundles: Record<string, { files: Record<string, { sha256: string; bytes: number }> }>;
};

/** The SHA-256 of a file's bytes, hex. */
function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The files in a function's folder (what is zipped for it), relative to it, sorted. */
export function folderFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((entry) => statSync(path.join(dir, entry)).isFile())
    .map((entry) => entry.split(path.sep).join("/"))
    .sort();
}

/** Records what a build wrote under `outDir` (one folder per name) and the sources it read. */
export function writeManifest(outDir: string, root: string, names: readonly string[], inputs: readonly string[]): BundleManifest {
  const manifest: BundleManifest = { inputs: {}, bundles: {} };
  for (const input of [...new Set(inputs)].sort()) manifest.inputs[input] = sha256File(path.join(root, input));
  for (const name of names) {
    const dir = path.join(outDir, name);
    const files: BundleManifest["bundles"][string]["files"] = {};
    for (const file of folderFiles(dir)) {
      const full = path.join(dir, file);
      files[file] = { sha256: sha256File(full), bytes: statSync(full).size };
    }
    manifest.bundles[name] = { files };
  }
  writeFileSync(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest under `outDir`, or null when there is none (nothing was built there). */
function readManifest(outDir: string): BundleManifest | null {
  const file = path.join(outDir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as BundleManifest;
}

/** At most this many changed sources are named in one problem; the rest are counted. */
const NAMED_CHANGES = 5;

/**
 * What keeps the bundles under `outDir` from being deployed for the code under `root`: a function
 * not built, a file of its folder changed or added since the build (a source map among them), or
 * a source changed since the build (the bundles would then run older code than the tree holds).
 * Empty when they can ship as they are.
 */
export function bundleProblems(root: string, outDir: string, names: readonly string[]): string[] {
  const manifest = readManifest(outDir);
  if (manifest === null) return [`${path.join(outDir, MANIFEST_FILE)} is missing: nothing was built`];
  const problems: string[] = [];
  for (const name of names) {
    const dir = path.join(outDir, name);
    const built = manifest.bundles[name];
    if (built === undefined || !existsSync(dir)) {
      problems.push(`the ${name} function was not built (${dir})`);
      continue;
    }
    const present = folderFiles(dir).filter((file) => file !== SST_LINK_FILE);
    for (const file of present) {
      if (built.files[file] === undefined) {
        const what = file.endsWith(".map") ? "a source map" : "a file the build did not write";
        problems.push(`${path.join(dir, file)} is ${what}, and would ship`);
      }
    }
    for (const [file, { sha256 }] of Object.entries(built.files)) {
      const full = path.join(dir, file);
      if (!present.includes(file)) problems.push(`${full} is missing`);
      else if (sha256File(full) !== sha256) problems.push(`${full} changed after the build`);
    }
  }
  const changed = Object.entries(manifest.inputs)
    .filter(([input, sha256]) => {
      const full = path.join(root, input);
      return !existsSync(full) || sha256File(full) !== sha256;
    })
    .map(([input]) => input);
  if (changed.length > 0) {
    const named = changed.slice(0, NAMED_CHANGES).join(", ");
    const more = changed.length > NAMED_CHANGES ? ` and ${changed.length - NAMED_CHANGES} more` : "";
    problems.push(`the code changed since the build: ${named}${more}`);
  }
  return problems;
}
