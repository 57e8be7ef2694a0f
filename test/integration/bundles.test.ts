import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { addSource } from "@eventwire/pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEnv, firstEvent } from "../../functions/bench/bundles";
import { runChild } from "../../functions/bench/child";
import { benchPipelineDeps, quietLog } from "../../functions/bench/pipeline-deps";
import { type BuiltBundle, buildBundles } from "../../functions/build";
import { type BundleManifest, bundleProblems, folderFiles, MANIFEST_FILE } from "../../functions/bundle-manifest";
import { BUNDLE_ENTRY, BUNDLE_HANDLER, bundleDir, LAMBDA_HANDLERS } from "../../infra/bundles";
import { fixture } from "../support/fixtures";
import { serveAlways, startTestServer } from "../support/http-server";
import { createTestStore } from "../support/store";

// The deployed size of each function, all its output files counted: issue 7's 1 MB for each. The
// api meets it because its admin ingest routes invoke the ingest worker rather than run the pipeline.
const MAX_BYTES: Record<string, number> = {
  api: 1024 * 1024,
  ingest: 1024 * 1024,
  "ingest-worker": 1024 * 1024,
  dispatch: 1024 * 1024,
  maintain: 1024 * 1024,
};

const root = path.resolve(import.meta.dirname, "../..");
const outDir = mkdtempSync(path.join(os.tmpdir(), "eventwire-build-test-"));
let bundles: BuiltBundle[];

beforeAll(async () => {
  bundles = await buildBundles(root, outDir);
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
      // The folder infra/ deploys for the function (test/unit/infra.test.ts), its handler's file in it.
      expect(bundle.dir).toBe(bundleDir(outDir, bundle.name));
      expect(bundle.file).toBe(path.join(bundle.dir, BUNDLE_ENTRY));
      expect(BUNDLE_HANDLER).toBe(`${path.basename(BUNDLE_ENTRY, ".mjs")}.handler`);
      const code = readFileSync(bundle.file, "utf8");
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // Self-contained: the workspace packages and the SDK are inside, not imported at run time.
      expect(code).not.toMatch(/from\s*["'](@eventwire|@aws-sdk|hono)\//);
      expect(bundle.bytes).toBeGreaterThan(10_000);
    }
  });

  it("happy: each folder holds its bundle alone, with no source map, and its size is every byte that ships", () => {
    for (const bundle of bundles) {
      expect(folderFiles(bundle.dir), bundle.name).toEqual([BUNDLE_ENTRY]);
      expect(readFileSync(bundle.file, "utf8"), bundle.name).not.toMatch(/sourceMappingURL/);
      expect(bundle.bytes, bundle.name).toBe(statSync(bundle.file).size);
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
    // The dispatcher and the maintenance pass neither read feeds nor serve HTTP.
    for (const name of ["dispatch", "maintain"])
      expect(
        Object.keys(partsOf(name)).filter((part) => ["rss-parser", "linkedom", "hono", "packages/api"].includes(part)),
        name,
      ).toEqual([]);
    // Requests go out through Node's own client; no bundle carries one of its own.
    for (const bundle of bundles) expect(Object.keys(bundle.parts), bundle.name).not.toContain("undici");
    // The API parses no feeds and reads no article pages: the worker does, when the admin routes ask.
    const feedParts = ["rss-parser", "xml2js", "linkedom", "@acemir/cssom", "@mozilla/readability", "htmlparser2"];
    expect(Object.keys(partsOf("api")).filter((part) => feedParts.includes(part))).toEqual([]);
    for (const name of ["ingest", "ingest-worker"])
      expect(Object.keys(partsOf(name)), name).toEqual(expect.arrayContaining(feedParts));
    // xml2js's XML writer (xmlbuilder) is left out: feeds are only read (functions/build.ts).
    for (const bundle of bundles) expect(Object.keys(bundle.parts), bundle.name).not.toContain("xmlbuilder");
    // Only the API invokes a function; the Lambda client stays out of the others.
    expect(Object.keys(partsOf("api"))).toContain("@aws-sdk/client-lambda");
    for (const name of ["ingest", "ingest-worker", "dispatch", "maintain"])
      expect(Object.keys(partsOf(name)), name).not.toContain("@aws-sdk/client-lambda");
    // Only the API's schemas need the full zod (about 100 KB); the others take zod/mini's share.
    expect(partsOf("api").zod).toBeGreaterThan(80 * 1024);
    for (const name of ["ingest", "ingest-worker", "dispatch", "maintain"])
      expect(partsOf(name).zod, name).toBeLessThan(50 * 1024);
  });
});

describe("a built bundle at work", () => {
  it("happy: the ingest worker's bundle, in a fresh node, fetches a feed and stores its articles", async () => {
    const table = await createTestStore();
    const feeds = await startTestServer({ "/feed.xml": serveAlways(fixture("feeds/rss2.xml"), "application/rss+xml") });
    try {
      const { deps, clients } = benchPipelineDeps(
        table.endpoint,
        table.tableName,
        quietLog(() => undefined),
      );
      const added = await addSource(deps, { url: `${feeds.url}/feed.xml` });
      clients.client.destroy();
      if (!added.ok) throw new Error(added.error);
      const file = path.join(bundleDir(outDir, "ingest-worker"), BUNDLE_ENTRY);
      const run = await runChild(
        process.execPath,
        [path.join(root, "functions/bench/cold-start.mjs"), file, JSON.stringify(firstEvent("ingest-worker", added.source.id))],
        bundleEnv("ingest-worker", table, { EVENTWIRE_SOURCES: "" }),
      );
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const stored = await table.store.articles.listBySource(added.source.id, { limit: 10 });
      expect(stored.items).toHaveLength(3);
      expect((await table.store.sources.get(added.source.id))?.lastError ?? null).toBeNull();
    } finally {
      await feeds.close();
      await table.drop();
    }
  }, 60_000);
});

describe("the check before a deploy (infra/functions.ts, requireBuiltBundles)", () => {
  const names = LAMBDA_HANDLERS.map((entry) => entry.name);
  const manifestFile = path.join(outDir, MANIFEST_FILE);

  it("happy: a fresh build can ship, also once a deploy wrote SST's links file into a folder", () => {
    expect(bundleProblems(root, outDir, names)).toEqual([]);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as BundleManifest;
    // Every source file the bundles read is recorded: the handlers, the workspace packages, the SDK.
    expect(Object.keys(manifest.inputs)).toEqual(
      expect.arrayContaining(["functions/api.ts", "functions/dispatch.ts", "packages/core/src/index.ts"]),
    );
    expect(Object.keys(manifest.inputs).some((input) => input.startsWith("node_modules/@aws-sdk/client-dynamodb/"))).toBe(true);
    const links = path.join(bundleDir(outDir, "api"), "resource.enc");
    writeFileSync(links, "encrypted links");
    try {
      expect(bundleProblems(root, outDir, names)).toEqual([]);
    } finally {
      rmSync(links);
    }
  });

  it("error: a source map, a bundle edited after the build, or code changed since it keeps the bundles from shipping", () => {
    const map = `${bundles[0]?.file}.map`;
    writeFileSync(map, "{}");
    try {
      expect(bundleProblems(root, outDir, names)).toEqual([`${map} is a source map, and would ship`]);
    } finally {
      rmSync(map);
    }

    const dispatch = path.join(bundleDir(outDir, "dispatch"), BUNDLE_ENTRY);
    const code = readFileSync(dispatch);
    writeFileSync(dispatch, Buffer.concat([code, Buffer.from("\n// edited\n")]));
    try {
      expect(bundleProblems(root, outDir, names)).toEqual([`${dispatch} changed after the build`]);
    } finally {
      writeFileSync(dispatch, code);
    }

    // As if functions/api.ts had been edited since the build: its recorded hash is not its own.
    const original = readFileSync(manifestFile, "utf8");
    const manifest = JSON.parse(original) as BundleManifest;
    manifest.inputs["functions/api.ts"] = "0".repeat(64);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    try {
      expect(bundleProblems(root, outDir, names)).toEqual(["the code changed since the build: functions/api.ts"]);
    } finally {
      writeFileSync(manifestFile, original);
    }
    expect(bundleProblems(root, outDir, names)).toEqual([]);
  });
});
