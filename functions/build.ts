import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { BUNDLE_ENTRY, BUNDLE_OPTIONS, bundleDir, LAMBDA_HANDLERS, type LambdaName } from "../infra/bundles";
import { writeManifest } from "./bundle-manifest";

export type BuiltBundle = {
  name: LambdaName;
  handler: string;
  /** The function's folder: what infra/ deploys for it. */
  dir: string;
  file: string;
  /** Every file of the function's folder (the entry and any chunk): what is deployed. */
  bytes: number;
  /** Output bytes by what they came from: an npm package, a workspace package, or a file of functions/. */
  parts: Record<string, number>;
};

/**
 * zod's namespaces (`z`, `z.core`, `zod/mini`) each re-export its 40-odd translations of its own
 * messages. A bundle that imports `z` whole (the API: @hono/zod-openapi does, to add `.openapi()`)
 * would carry them all, some 260 KB, though nothing shows them: the API words every refusal itself
 * (packages/api/src/validate.ts) and the config readers use English. Those namespaces get English only.
 */
const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|mini[\\/]external|core[\\/]index)\.js$/.test(args.importer)
        ? { path: "zod-locales", namespace: "zod-english-only" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-english-only" }, () => ({
      contents: 'export { en } from "zod/locales";',
      loader: "js",
      resolveDir: import.meta.dirname,
    }));
  },
};

/**
 * rss-parser reads feeds through xml2js, whose `Builder` (XML out, never used here) pulls in
 * xmlbuilder, some 67 KB of the ingest bundles. xml2js requires it at load, so it resolves to a
 * stand-in that says what happened if anything ever builds XML through xml2js.
 */
const xml2jsWithoutBuilder: Plugin = {
  name: "xml2js-without-builder",
  setup(build) {
    build.onResolve({ filter: /^xmlbuilder$/ }, (args) =>
      /[\\/]xml2js[\\/]lib[\\/]builder\.js$/.test(args.importer)
        ? { path: "xmlbuilder", namespace: "xml2js-without-builder" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "xml2js-without-builder" }, () => ({
      contents:
        'module.exports = { create() { throw new Error("xml2js.Builder is not in this bundle: eventwire only reads XML with xml2js (functions/build.ts)"); } };',
      loader: "js",
    }));
  },
};

/** The file a handler string ("functions/api.handler") names. */
function handlerEntry(handler: string, root: string): string {
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
 * Bundles every Lambda handler into `outDir/<name>/index.mjs` with esbuild and the settings in
 * infra/bundles.ts (`BUNDLE_OPTIONS`: ESM, minified, tree-shaken, for Node 22, no source map),
 * and writes the manifest (functions/bundle-manifest.ts) that lets a deploy check the folders
 * are whole and were built from the code as it is. `npm run build` writes them under `dist/`,
 * which is what infra/ deploys; the bench measures those same files.
 */
export async function buildBundles(root: string, outDir: string): Promise<BuiltBundle[]> {
  rmSync(outDir, { recursive: true, force: true });
  const built: Omit<BuiltBundle, "bytes">[] = [];
  const inputs: string[] = [];
  for (const { name, handler } of LAMBDA_HANDLERS) {
    const dir = bundleDir(outDir, name);
    const file = path.join(dir, BUNDLE_ENTRY);
    mkdirSync(dir, { recursive: true });
    const result = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      entryPoints: [handlerEntry(handler, root)],
      outfile: file,
      bundle: true,
      metafile: true,
      plugins: [zodEnglishOnly, xml2jsWithoutBuilder],
      logLevel: "error",
      absWorkingDir: root,
    });
    inputs.push(...Object.keys(result.metafile.inputs).filter((input) => existsSync(path.join(root, input))));
    built.push({ name, handler, dir, file, parts: sizeByPart(result.metafile) });
  }
  const manifest = writeManifest(
    outDir,
    root,
    built.map((bundle) => bundle.name),
    inputs,
  );
  // The bytes of what is deployed: every file of each folder, as the manifest lists them.
  return built.map((bundle) => {
    const files = Object.values(manifest.bundles[bundle.name]?.files ?? {});
    return { ...bundle, bytes: files.reduce((sum, entry) => sum + entry.bytes, 0) };
  });
}
