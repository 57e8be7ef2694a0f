/**
 * Every Lambda function infra/ declares: the handler its bundle is built from, and its memory.
 * `npm run build` (functions/build.ts) bundles each into `dist/<name>/`, and infra/ deploys
 * that folder as it is (SST's `bundle`); test/unit/infra.test.ts checks that the functions
 * declared in infra/ are exactly these. Plain data: no SST globals, no imports, as infra/ loads
 * it inside SST's config bundle.
 */
export const LAMBDA_HANDLERS = [
  { name: "api", handler: "functions/api.handler", memoryMb: 512 },
  { name: "ingest", handler: "functions/ingest.handler", memoryMb: 256 },
  { name: "ingest-worker", handler: "functions/ingest-worker.handler", memoryMb: 1024 },
  { name: "dispatch", handler: "functions/dispatch.handler", memoryMb: 512 },
  // A pass holds a week of the theme's articles, full text included.
  { name: "maintain", handler: "functions/maintain.handler", memoryMb: 1024 },
] as const;

export type LambdaName = (typeof LAMBDA_HANDLERS)[number]["name"];

/**
 * A function's memory and the Node options its runtime starts with. The V8 heap is bounded at
 * half the function's memory: what node itself picks on a machine of that memory (measured in a
 * memory cgroup: 1,024 MB gives a 524 MB heap limit), written down so the bound does not rest on
 * the memory the runtime reports. On a machine with more memory V8 lets garbage pile up far
 * longer (a 10,000-item ingest: 415 MB peak RSS unbounded, 252 MB bounded; BENCHMARKS.md).
 */
export function lambdaSizing(name: LambdaName): { memoryMb: number; nodeOptions: string } {
  const entry = LAMBDA_HANDLERS.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`no Lambda handler named ${name}`);
  return { memoryMb: entry.memoryMb, nodeOptions: `--max-old-space-size=${Math.floor(entry.memoryMb / 2)}` };
}

/** The target of the bundles: the functions' runtime, nodejs22.x. */
export const BUNDLE_TARGET = "node22";

/**
 * CommonJS dependencies inside an ESM bundle call `require` for Node built-ins; this gives them one.
 * The name is unusual so it cannot clash with a bundled module's own `createRequire` import.
 */
const BUNDLE_BANNER =
  "import { createRequire as __eventwireCreateRequire } from 'node:module'; const require = __eventwireCreateRequire(import.meta.url);";

/**
 * How `npm run build` bundles every function (esbuild), and so what is deployed: ESM, minified,
 * tree-shaken, for Node 22, with no source map (nothing but `index.mjs` is written, so nothing
 * else ships). The AWS SDK is bundled, not left to the runtime's copy: the bundle then runs the
 * SDK version package-lock.json pins.
 */
export const BUNDLE_OPTIONS = {
  format: "esm",
  minify: true,
  sourcemap: false,
  target: BUNDLE_TARGET,
  platform: "node",
  treeShaking: true,
  legalComments: "none",
  // Packages that publish both builds: take the ESM one, which tree-shakes.
  mainFields: ["module", "main"],
  banner: { js: BUNDLE_BANNER },
} as const;

/** Where `npm run build` writes the bundles, under the project root: one folder a function. */
export const BUNDLE_ROOT = "dist";

/** The file of a function's folder its handler is in, and the handler as Lambda names it. */
export const BUNDLE_ENTRY = "index.mjs";
export const BUNDLE_HANDLER = "index.handler";

/** The folder holding one function's bundle: what is zipped and deployed for it. */
export function bundleDir(bundleRoot: string, name: LambdaName): string {
  return `${bundleRoot.replace(/\/+$/, "")}/${name}`;
}
