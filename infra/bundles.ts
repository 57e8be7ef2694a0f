/**
 * Every Lambda handler infra/ declares, and how each is bundled. `npm run build` (functions/build.ts)
 * and the functions' SST `nodejs` settings both read this, and test/unit/infra.test.ts checks
 * that the handlers declared in infra/ are exactly these. Plain data: no SST globals here.
 */
export const LAMBDA_HANDLERS = [
  { name: "api", handler: "functions/api.handler", memoryMb: 512 },
  { name: "ingest", handler: "functions/ingest.handler", memoryMb: 256 },
  { name: "ingest-worker", handler: "functions/ingest-worker.handler", memoryMb: 1024 },
  { name: "dispatch", handler: "functions/dispatch.handler", memoryMb: 512 },
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
export const BUNDLE_BANNER =
  "import { createRequire as __eventwireCreateRequire } from 'node:module'; const require = __eventwireCreateRequire(import.meta.url);";

/**
 * esbuild settings shared by `npm run build` and SST (`nodejs.esbuild`). The AWS SDK is bundled,
 * not left to the runtime's copy: the bundle then runs the SDK version package-lock.json pins.
 */
const BUNDLE_ESBUILD = {
  target: BUNDLE_TARGET,
  platform: "node",
  treeShaking: true,
  legalComments: "none",
  // Packages that publish both builds: take the ESM one, which tree-shakes.
  mainFields: ["module", "main"],
  banner: { js: BUNDLE_BANNER },
} as const;

/** The functions' SST `nodejs` settings: SST's own esbuild run with the same options as `npm run build`. */
export const SST_NODEJS = {
  format: "esm",
  minify: true,
  sourcemap: false,
  esbuild: BUNDLE_ESBUILD,
} as const;
