import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltBundle, buildBundles } from "../../functions/build";
import { LAMBDA_HANDLERS } from "../../infra/bundles";

// The deployed size of each function, all its output files counted: issue 7's 1 MB for each. The
// api meets it because its admin ingest routes invoke the ingest worker rather than run the pipeline.
const MAX_BYTES: Record<string, number> = {
  api: 1024 * 1024,
  ingest: 1024 * 1024,
  "ingest-worker": 1024 * 1024,
  dispatch: 1024 * 1024,
};

const outDir = mkdtempSync(path.join(os.tmpdir(), "eventwire-build-test-"));
let bundles: BuiltBundle[];

beforeAll(async () => {
  bundles = await buildBundles(path.resolve(import.meta.dirname, "../.."), outDir);
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function partsOf(name: string): Record<string, number> {
  const bundle = bundles.find((entry) => entry.name === name);
  if (bundle === undefined) throw new Error(`no bundle ${name}`);
  return bundle.parts;
}

describe("npm run build", () => {
  it("happy: bundles every handler into <name>/index.mjs, an ESM module that exports handler", () => {
    expect(bundles.map((bundle) => bundle.name)).toEqual(LAMBDA_HANDLERS.map((entry) => entry.name));
    for (const bundle of bundles) {
      expect(bundle.file).toBe(path.join(outDir, bundle.name, "index.mjs"));
      const code = readFileSync(bundle.file, "utf8");
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // Self-contained: the workspace packages and the SDK are inside, not imported at run time.
      expect(code).not.toMatch(/from\s*["'](@eventwire|@aws-sdk|hono)\//);
      expect(bundle.bytes).toBeGreaterThan(10_000);
    }
  });

  it("happy: each bundle stays within its size budget, and its parts account for its bytes", () => {
    for (const bundle of bundles) {
      expect(bundle.bytes, bundle.name).toBeLessThanOrEqual(MAX_BYTES[bundle.name] as number);
      // What the parts do not cover is esbuild's own glue.
      const parts = Object.values(bundle.parts).reduce((sum, bytes) => sum + bytes, 0);
      expect(parts, bundle.name).toBeLessThanOrEqual(bundle.bytes);
      expect(parts, bundle.name).toBeGreaterThan(bundle.bytes * 0.9);
    }
  });

  it("happy: each function carries only what its handler uses", () => {
    // The dispatcher neither reads feeds nor serves HTTP.
    expect(
      Object.keys(partsOf("dispatch")).filter((part) => ["rss-parser", "linkedom", "hono", "packages/api"].includes(part)),
    ).toEqual([]);
    // Requests go out through Node's own client; no bundle carries one of its own.
    for (const bundle of bundles) expect(Object.keys(bundle.parts), bundle.name).not.toContain("undici");
    // The API parses no feeds and reads no article pages: the worker does, when the admin routes ask.
    const feedParts = ["rss-parser", "xml2js", "xmlbuilder", "linkedom", "@acemir/cssom", "@mozilla/readability", "htmlparser2"];
    expect(Object.keys(partsOf("api")).filter((part) => feedParts.includes(part))).toEqual([]);
    for (const name of ["ingest", "ingest-worker"])
      expect(Object.keys(partsOf(name)), name).toEqual(expect.arrayContaining(feedParts));
    // Only the API invokes a function; the Lambda client stays out of the others.
    expect(Object.keys(partsOf("api"))).toContain("@aws-sdk/client-lambda");
    for (const name of ["ingest", "ingest-worker", "dispatch"])
      expect(Object.keys(partsOf(name)), name).not.toContain("@aws-sdk/client-lambda");
    // Only the API's schemas need the full zod (about 100 KB); the others take zod/mini's share.
    expect(partsOf("api").zod).toBeGreaterThan(80 * 1024);
    for (const name of ["ingest", "ingest-worker", "dispatch"]) expect(partsOf(name).zod, name).toBeLessThan(50 * 1024);
  });
});
