import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// The SST CLI evaluates sst.config.ts after bundling it with esbuild: every import followed
// (workspace packages included, through their package.json `exports`), ESM for Node, with a few
// packages of its own left external (sst 4's pkg/js/js.go). The same build here shows what infra/
// takes into that bundle: our packages by name, and only their small entries that import nothing.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SST_EXTERNAL = [
  "@pulumi/*",
  "undici",
  "@pulumiverse/*",
  "@sst-provider/*",
  "@aws-sdk/*",
  "esbuild",
  "archiver",
  "glob",
  "vite",
];

async function configBundle() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["sst.config.ts"],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"],
    external: SST_EXTERNAL,
    outfile: "sst.config.bundle.mjs",
    logLevel: "silent",
  });
  return { inputs: Object.keys(result.metafile.inputs).sort(), text: result.outputFiles[0]?.text ?? "" };
}

describe("SST's config bundle", () => {
  it("happy: resolves our packages by name, taking in their schedule and table entries only", async () => {
    const { inputs, text } = await configBundle();
    const fromPackages = inputs.filter((input) => input.startsWith("packages/"));
    expect(fromPackages).toEqual([
      "packages/pipeline/src/dispatch-schedule.ts",
      "packages/pipeline/src/ingest-schedule.ts",
      "packages/pipeline/src/maintenance-schedule.ts",
      "packages/pipeline/src/schedules.ts",
      "packages/store/src/table.ts",
    ]);
    // Nothing from node_modules: no SDK client, no library of the functions' bundles.
    expect(inputs.filter((input) => input.includes("node_modules"))).toEqual([]);
    // The rest is infra/ itself and the helpers of functions/ it shares, which import only Node.
    const others = inputs.filter((input) => !input.startsWith("packages/"));
    for (const input of others)
      expect(input).toMatch(/^(sst\.config\.ts|infra\/[\w-]+\.ts|functions\/(schedule-event|bundle-manifest|theme-list)\.ts)$/);
    expect(text).toContain("rate(");
  });

  it("error: infra/ imports no package file by relative path", () => {
    const infra = readdirSync(path.join(root, "infra")).filter((name) => name.endsWith(".ts"));
    expect(infra.length).toBeGreaterThan(5);
    for (const name of infra) {
      const source = readFileSync(path.join(root, "infra", name), "utf8");
      expect(source, `infra/${name}`).not.toMatch(/from "(\.\.\/)+packages\//);
    }
  });
});
