import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundles } from "../../functions/build";
import { LAMBDA_HANDLERS } from "../../infra/bundles";

const outDir = mkdtempSync(path.join(os.tmpdir(), "eventwire-build-test-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("npm run build", () => {
  it("happy: bundles every handler into <name>/index.mjs, an ESM module that exports handler", async () => {
    const bundles = await buildBundles(path.resolve(import.meta.dirname, "../.."), outDir);
    expect(bundles.map((bundle) => bundle.name)).toEqual(LAMBDA_HANDLERS.map((entry) => entry.name));
    for (const bundle of bundles) {
      expect(bundle.file).toBe(path.join(outDir, bundle.name, "index.mjs"));
      const code = readFileSync(bundle.file, "utf8");
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // Self-contained: the workspace packages and the SDK are inside, not imported at run time.
      expect(code).not.toMatch(/from\s*["'](@eventwire|@aws-sdk|hono)\//);
      expect(bundle.bytes).toBeGreaterThan(10_000);
    }
  }, 120_000);
});
