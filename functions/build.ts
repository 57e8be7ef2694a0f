import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { LAMBDA_HANDLERS, type LambdaName, SST_NODEJS } from "../infra/bundles";

export type BuiltBundle = {
  name: LambdaName;
  handler: string;
  file: string;
  /** Every file esbuild wrote for the function (the entry and any chunk): what is deployed. */
  bytes: number;
  /** Output bytes by what they came from: an npm package, a workspace package, or a file of functions/. */
  parts: Record<string, number>;
};

/** The file a handler string ("functions/api.handler") names. */
export function handlerEntry(handler: string, root: string): string {
  return path.join(root, `${handler.replace(/\.handler$/, "")}.ts`);
}

/** What an input of the metafile belongs to: "zod", "@smithy/core", "packages/core", "functions/config.ts". */
function partOf(input: string): string {
  const inPackage = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  const workspace = input.match(/^packages\/[^/]+/);
  return workspace?.[0] ?? input;
}

/** Sums the output bytes of a build by part (see `partOf`), over all its output files. */
function sizeByPart(metafile: Metafile): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const part = partOf(input);
      parts[part] = (parts[part] ?? 0) + bytesInOutput;
    }
  }
  return parts;
}

/**
 * Bundles every Lambda handler into `outDir/<name>/index.mjs` with esbuild and the settings SST
 * deploys with (infra/bundles.ts, `SST_NODEJS`): ESM, minified, tree-shaken, for Node 22.
 */
export async function buildBundles(root: string, outDir: string): Promise<BuiltBundle[]> {
  rmSync(outDir, { recursive: true, force: true });
  const built: BuiltBundle[] = [];
  for (const { name, handler } of LAMBDA_HANDLERS) {
    const file = path.join(outDir, name, "index.mjs");
    mkdirSync(path.dirname(file), { recursive: true });
    const result = await build({
      ...SST_NODEJS.esbuild,
      mainFields: [...SST_NODEJS.esbuild.mainFields],
      format: SST_NODEJS.format,
      minify: SST_NODEJS.minify,
      sourcemap: SST_NODEJS.sourcemap,
      entryPoints: [handlerEntry(handler, root)],
      outfile: file,
      bundle: true,
      metafile: true,
      logLevel: "error",
      absWorkingDir: root,
    });
    const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    built.push({ name, handler, file, bytes, parts: sizeByPart(result.metafile) });
  }
  return built;
}
