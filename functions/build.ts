import { mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { BUNDLE_ESBUILD, LAMBDA_HANDLERS } from "../infra/bundles";

export type BuiltBundle = { name: string; handler: string; file: string; bytes: number };

/** The file a handler string ("functions/api.handler") names. */
export function handlerEntry(handler: string, root: string): string {
  return path.join(root, `${handler.replace(/\.handler$/, "")}.ts`);
}

/**
 * Bundles every Lambda handler into `outDir/<name>/index.mjs` with esbuild: ESM, minified,
 * tree-shaken, for Node 22, with the settings SST deploys with (infra/bundles.ts).
 */
export async function buildBundles(root: string, outDir: string): Promise<BuiltBundle[]> {
  rmSync(outDir, { recursive: true, force: true });
  const built: BuiltBundle[] = [];
  for (const { name, handler } of LAMBDA_HANDLERS) {
    const file = path.join(outDir, name, "index.mjs");
    mkdirSync(path.dirname(file), { recursive: true });
    await build({
      ...BUNDLE_ESBUILD,
      mainFields: [...BUNDLE_ESBUILD.mainFields],
      entryPoints: [handlerEntry(handler, root)],
      outfile: file,
      bundle: true,
      format: "esm",
      minify: true,
      logLevel: "error",
      absWorkingDir: root,
    });
    built.push({ name, handler, file, bytes: statSync(file).size });
  }
  return built;
}
